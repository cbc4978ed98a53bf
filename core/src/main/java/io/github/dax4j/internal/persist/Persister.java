package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;

import java.lang.foreign.MemorySegment;

/**
 * The primitive operations of one mechanism, as libpmem2 splits them: {@code flush} starts the write-back of every
 * cache line (or page) overlapping a range; {@code drain} waits until every flush and non-temporal store started
 * before it is durable; {@code persist} is both; ordinary and non-temporal stores put bytes into the mapping.
 * {@link Durability} composes them into persistent copy, fill and move, once for every implementation, so that a
 * simulated device executes exactly the stores a real one does.
 *
 * <p>Ranges are given as the whole mapping plus an offset and length inside it, already checked by the caller,
 * who also holds the mapping's lifecycle guard for the duration of each call (the CPU persisters pass the native
 * code raw addresses, which no arena keeps alive). A {@code SIGBUS} inside the native code ends the call with a
 * {@link MemoryFault}. Implementations are stateless (the simulated one reports to its observer) and
 * thread-safe.
 *
 * <p>The store operations have defaults that write the bytes with ordinary stores and report nothing: only the
 * {@linkplain SimulatedPersister simulated} persister needs to see them, and only mechanisms that run on the CPU
 * ({@link #hasNonTemporalStores()}) implement the non-temporal ones.
 */
public sealed interface Persister
        permits MsyncPersister, CpuStorePersister, NoPersister, SimulatedPersister, VolatilePersister {

    /** {@return the mechanism this persister implements} */
    PersistMechanism mechanism();

    /** Starts writing back {@code [offset, offset + length)}; durable after the next {@link #drain()}. */
    void flush(MemorySegment mapping, long offset, long length);

    /** Waits until every flush and non-temporal store issued before it by this thread is durable. */
    void drain();

    /** {@link #flush} then {@link #drain}, in one call where the mechanism allows. */
    void persist(MemorySegment mapping, long offset, long length);

    /**
     * {@return whether {@link #storeNonTemporal} and {@link #fillNonTemporal} bypass the caches} Only then does
     * {@link Durability} use them.
     */
    default boolean hasNonTemporalStores() {
        return false;
    }

    /** Ordinary stores were just made to {@code [offset, offset + length)} by a caller of the mapping's accessors. */
    default void stored(long offset, long length) {
    }

    /** {@code [offset, offset + length)} is about to be read through the mapping's accessors. */
    default void loading(long offset, long length) {
    }

    /** The CRC32C of {@code [offset, offset + length)} is about to be compared with {@code expected}. */
    default void checking(long offset, long length, int expected) {
    }

    /** The mapping's segment was handed out: accesses may bypass the accessors from now on. */
    default void exposed() {
    }

    /** Copies {@code length} bytes of {@code source} from {@code sourceOffset} to the mapping with ordinary stores. */
    default void store(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset, long length) {
        MemorySegment.copy(source, sourceOffset, mapping, offset, length);
    }

    /** Sets {@code [offset, offset + length)} to {@code value} with ordinary stores. */
    default void storeFill(MemorySegment mapping, long offset, long length, byte value) {
        mapping.asSlice(offset, length).fill(value);
    }

    /**
     * Copies with non-temporal stores; {@code mapping.address() + offset} and {@code length} are multiples of 64.
     *
     * @throws UnsupportedOperationException unless {@link #hasNonTemporalStores()}
     */
    default void storeNonTemporal(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset,
                                  long length) {
        throw new UnsupportedOperationException(mechanism() + " has no non-temporal stores");
    }

    /** {@link #storeNonTemporal}, then {@link #drain}: one native call where the CPU code allows it. */
    default void storeNonTemporalAndDrain(MemorySegment mapping, long offset, MemorySegment source,
                                          long sourceOffset, long length) {
        storeNonTemporal(mapping, offset, source, sourceOffset, length);
        drain();
    }

    /**
     * Fills with non-temporal stores of the 8-byte {@code pattern}; {@code mapping.address() + offset} and
     * {@code length} are multiples of 64.
     *
     * @throws UnsupportedOperationException unless {@link #hasNonTemporalStores()}
     */
    default void fillNonTemporal(MemorySegment mapping, long offset, long pattern, long length) {
        throw new UnsupportedOperationException(mechanism() + " has no non-temporal stores");
    }
}
