package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import java.lang.foreign.MemorySegment;

/** {@link PersistMechanism#NONE}: does nothing, as asked. */
public final class NoPersister implements Persister {

    static final NoPersister INSTANCE = new NoPersister();

    private NoPersister() {
    }

    @Override
    public PersistMechanism mechanism() {
        return PersistMechanism.NONE;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
    }

    @Override
    public void drain() {
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
    }
}
