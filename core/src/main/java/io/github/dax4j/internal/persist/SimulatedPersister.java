package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.SimulatedSource;

import java.lang.foreign.MemorySegment;

/**
 * The persister of a simulated device: no instruction runs; every store is made with plain Java stores and
 * reported to a {@link SimulatedSource.Observer} as what the real CPU would execute (ordinary or non-temporal, per
 * range), and so are flushes and fences. The observer decides what they make durable.
 *
 * <p>It models a CPU with non-temporal stores: {@link Durability} then splits copies and fills exactly as on a
 * {@code CLWB} mapping, so that what the simulator accepts, real hardware does too.
 */
public final class SimulatedPersister implements Persister {

    private final PersistMechanism mechanism;
    private final SimulatedSource.Observer observer;

    /**
     * @param mechanism {@link PersistMechanism#SIMULATED_CACHE_LINE} or {@link PersistMechanism#SIMULATED_BYTE}
     */
    public SimulatedPersister(PersistMechanism mechanism, SimulatedSource.Observer observer) {
        this.mechanism = mechanism;
        this.observer = observer;
    }

    @Override
    public PersistMechanism mechanism() {
        return mechanism;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
        observer.flushed(offset, length);
    }

    @Override
    public void drain() {
        observer.drained();
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        observer.flushed(offset, length);
        observer.drained();
    }

    @Override
    public boolean hasNonTemporalStores() {
        return true;
    }

    @Override
    public void stored(long offset, long length) {
        observer.stored(offset, length, false);
    }

    @Override
    public void loading(long offset, long length) {
        observer.loading(offset, length);
    }

    @Override
    public void checking(long offset, long length, int expected) {
        observer.checking(offset, length, expected);
    }

    @Override
    public void exposed() {
        observer.exposed();
    }

    @Override
    public void store(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset, long length) {
        MemorySegment.copy(source, sourceOffset, mapping, offset, length);
        observer.stored(offset, length, false);
    }

    @Override
    public void storeFill(MemorySegment mapping, long offset, long length, byte value) {
        mapping.asSlice(offset, length).fill(value);
        observer.stored(offset, length, false);
    }

    @Override
    public void storeNonTemporal(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset,
                                 long length) {
        MemorySegment.copy(source, sourceOffset, mapping, offset, length);
        observer.stored(offset, length, true);
    }

    @Override
    public void fillNonTemporal(MemorySegment mapping, long offset, long pattern, long length) {
        mapping.asSlice(offset, length).fill((byte) pattern);
        observer.stored(offset, length, true);
    }
}
