package io.github.dax4j.persist;

import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CPU mechanisms ({@code CLWB}, {@code CLFLUSHOPT}, {@code CLFLUSH}): each 64-byte line overlapping the range
 * is written back exactly once by generated code (see {@code internal.cpu.X86Code}), and {@code SFENCE} drains.
 * A persist is one native call: the loop and the fence together.
 */
public final class CpuCachePersister implements Persister {

    private final PersistMechanism mechanism;
    private final MethodHandle flush;
    private final MethodHandle persist;
    private final MethodHandle drain;

    CpuCachePersister(FlushInstruction instruction, CpuStubs stubs) {
        this.mechanism = PersistMechanism.of(instruction);
        this.flush = stubs.flush(instruction);
        this.persist = stubs.persist(instruction);
        this.drain = stubs.drain();
    }

    @Override
    public PersistMechanism mechanism() {
        return mechanism;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
        try {
            flush.invokeExact(mapping, offset, length);
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public void drain() {
        try {
            drain.invokeExact();
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        try {
            persist.invokeExact(mapping, offset, length);
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
