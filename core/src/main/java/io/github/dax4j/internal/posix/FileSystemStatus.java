package io.github.dax4j.internal.posix;

/**
 * The fields of {@code struct statfs} that dax4j reads, copied out of native memory by {@link Libc#fstatfs}.
 *
 * @param type      {@code f_type}: the file system's magic number ({@code TMPFS_MAGIC}, {@code HUGETLBFS_MAGIC}, ...)
 * @param blockSize {@code f_bsize}: on hugetlbfs, the huge page size of the mount
 */
public record FileSystemStatus(long type, long blockSize) {
}
