package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.VolatileMemoryException;

import java.lang.foreign.MemorySegment;

/**
 * Volatile device-DAX mapped without accepting non-durable stores: every flush, drain and persist throws
 * {@link VolatileMemoryException}, since none can make a store survive power loss. Its mechanism is
 * {@link PersistMechanism#NONE}: nothing is flushed.
 */
public final class VolatilePersister implements Persister {

    private final String source;

    /** @param source the mapping's source in a few words, for the exception */
    public VolatilePersister(String source) {
        this.source = source;
    }

    @Override
    public PersistMechanism mechanism() {
        return PersistMechanism.NONE;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
        throw new VolatileMemoryException(source);
    }

    @Override
    public void drain() {
        throw new VolatileMemoryException(source);
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        throw new VolatileMemoryException(source);
    }
}
