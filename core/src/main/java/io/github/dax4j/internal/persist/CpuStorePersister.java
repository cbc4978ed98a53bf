package io.github.dax4j.internal.persist;

import java.lang.foreign.MemorySegment;

/**
 * The persisters that run on the CPU ({@code CLWB}, {@code CLFLUSHOPT}, {@code CLFLUSH}, {@code FENCE_ONLY}): their
 * non-temporal stores are the CPU's stubs, the same for all of them, wherever {@link #hasNonTemporalStores()}.
 */
sealed interface CpuStorePersister extends Persister permits CpuCachePersister, FencePersister {

    @Override
    default void storeNonTemporal(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset,
                                  long length) {
        NonTemporalStores.copy(mapping, offset, source, sourceOffset, length);
    }

    @Override
    default void storeNonTemporalAndDrain(MemorySegment mapping, long offset, MemorySegment source,
                                          long sourceOffset, long length) {
        NonTemporalStores.copyAndDrain(mapping, offset, source, sourceOffset, length);
    }

    @Override
    default void fillNonTemporal(MemorySegment mapping, long offset, long pattern, long length) {
        NonTemporalStores.fill(mapping, offset, pattern, length);
    }
}
