package io.github.dax4j.layout;

/** Where a region may start: on the mapping's configured alignment, or on any cache line. */
public enum RegionAlignment {
    /** A multiple of the mapping's alignment (4 KiB, 2 MiB or 1 GiB): the region faults in whole pages of its own. */
    MAPPING,
    /** A multiple of 64 bytes: for small regions that share a page with others. */
    CACHE_LINE
}
