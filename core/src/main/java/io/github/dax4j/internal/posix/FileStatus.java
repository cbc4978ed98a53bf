package io.github.dax4j.internal.posix;

/**
 * The fields of {@code struct stat} that dax4j reads, copied out of native memory by {@link Libc#fstat}.
 *
 * @param mode      {@code st_mode}: file type and permission bits
 * @param rdev      {@code st_rdev}: the device number of a character or block device, else 0
 * @param size      {@code st_size}: bytes in a regular file; 0 for a device-DAX character device
 * @param blockSize {@code st_blksize}: the preferred I/O size
 */
public record FileStatus(int mode, long rdev, long size, long blockSize) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isCharacterDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** {@return the major number of {@link #rdev()}, decoded as glibc's {@code major()} does} */
    public long rdevMajor() {
        return ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0x00000fffL);
    }

    /** {@return the minor number of {@link #rdev()}, decoded as glibc's {@code minor()} does} */
    public long rdevMinor() {
        return ((rdev >>> 12) & 0xffffff00L) | (rdev & 0x000000ffL);
    }
}
