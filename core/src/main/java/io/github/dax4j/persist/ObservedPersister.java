package io.github.dax4j.persist;

import java.lang.foreign.MemorySegment;

/**
 * The persister of a simulated mapping: no instruction runs; flushes and fences are reported to a
 * {@link PersistenceObserver}, which decides what they make durable.
 */
public final class ObservedPersister implements Persister {

    private final PersistMechanism mechanism;
    private final PersistenceObserver observer;

    /**
     * @param mechanism {@link PersistMechanism#SIMULATED_CACHE_LINE} or {@link PersistMechanism#SIMULATED_BYTE}
     */
    public ObservedPersister(PersistMechanism mechanism, PersistenceObserver observer) {
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
}
