package io.github.dax4j;

/**
 * Flags of a persistent copy, fill or move, after libpmem2's {@code PMEM2_F_MEM_*}.
 */
public enum PersistFlag {
    /** Do not wait at the end: the caller drains later, once for several operations. */
    NO_DRAIN,
    /** Do not flush what was written with ordinary stores: the caller flushes (non-temporal stores need none). */
    NO_FLUSH,
    /** Use non-temporal stores whatever the size (where the CPU has them and the granularity is not a page). */
    NON_TEMPORAL,
    /** Use ordinary stores and flush, whatever the size. */
    TEMPORAL
}
