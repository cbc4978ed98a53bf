package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.cpu.CpuStubs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@link PersistMechanism#FENCE_ONLY}, for eADR platforms: caches are persistent, so nothing is flushed; a drain
 * is a store fence ({@code SFENCE}, or a full fence where no code can be installed), which orders non-temporal
 * stores and makes the order of durability the order of the program.
 */
public final class FencePersister implements CpuStorePersister {

    private final MethodHandle sfence;

    FencePersister(CpuStubs stubs) {
        this.sfence = stubs == null ? null : stubs.drain();
    }

    @Override
    public PersistMechanism mechanism() {
        return PersistMechanism.FENCE_ONLY;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
    }

    @Override
    public void drain() {
        if (sfence == null) {
            VarHandle.fullFence(); // a locked instruction on x86, which also orders write-combining stores
            return;
        }
        try {
            sfence.invokeExact();
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        drain();
    }

    @Override
    public boolean hasNonTemporalStores() {
        return sfence != null && NonTemporalStores.AVAILABLE;
    }
}
