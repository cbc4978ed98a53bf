package io.github.dax4j.persist;

import java.lang.foreign.MemorySegment;

/**
 * One mechanism's flush, drain and persist, as libpmem2 splits them: {@code flush} starts the write-back of every
 * cache line (or page) overlapping a range; {@code drain} waits until every flush started before it is durable;
 * {@code persist} is both. Several flushes followed by one drain cost less than several persists.
 *
 * <p>Ranges are given as the whole mapping plus an offset and length inside it, already checked by the caller;
 * the mapping's arena stays alive for the duration of each call. Implementations are stateless and thread-safe.
 */
public sealed interface Persister permits MsyncPersister, CpuCachePersister, FencePersister, NoPersister,
        ObservedPersister {

    /** {@return the mechanism this persister implements} */
    PersistMechanism mechanism();

    /** Starts writing back {@code [offset, offset + length)} of {@code mapping}; durable after the next {@link #drain()}. */
    void flush(MemorySegment mapping, long offset, long length);

    /** Waits until every flush and non-temporal store issued before it by this thread is durable. */
    void drain();

    /** {@link #flush} then {@link #drain}, in one call where the mechanism allows. */
    void persist(MemorySegment mapping, long offset, long length);
}
