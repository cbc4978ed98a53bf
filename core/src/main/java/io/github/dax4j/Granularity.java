package io.github.dax4j;

/**
 * The smallest unit a mapping makes durable at a time, as libpmem2 defines it.
 */
public enum Granularity {
    /** Whole pages, written back by the kernel ({@code msync}): a file without {@code MAP_SYNC}. */
    PAGE,
    /** 64-byte cache lines, written back by the CPU: device-DAX, or a DAX file system with {@code MAP_SYNC}. */
    CACHE_LINE,
    /** Single stores: the CPU caches are inside the persistence domain (eADR); only ordering needs a fence. */
    BYTE
}
