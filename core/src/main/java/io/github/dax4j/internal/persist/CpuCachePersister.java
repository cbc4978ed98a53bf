package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CPU mechanisms ({@code CLWB}, {@code CLFLUSHOPT}, {@code CLFLUSH}): each 64-byte line overlapping the range
 * is written back exactly once by generated code (see {@code internal.cpu.X86Code}), and {@code SFENCE} drains.
 * A persist is one native call: the loop and the fence together.
 *
 * <p>The handles live in {@code static final} fields of one holder class per instruction, so that the JIT sees
 * them as constants and compiles each call to a direct call of the stub: a handle in an instance field costs
 * several nanoseconds more per call. The holder of an instruction the CPU lacks is never initialised.
 */
public final class CpuCachePersister implements CpuStorePersister {

    private static final class Clwb {
        static final MethodHandle FLUSH = stubs().flush(FlushInstruction.CLWB);
        static final MethodHandle PERSIST = stubs().persist(FlushInstruction.CLWB);
    }

    private static final class Clflushopt {
        static final MethodHandle FLUSH = stubs().flush(FlushInstruction.CLFLUSHOPT);
        static final MethodHandle PERSIST = stubs().persist(FlushInstruction.CLFLUSHOPT);
    }

    private static final class Clflush {
        static final MethodHandle FLUSH = stubs().flush(FlushInstruction.CLFLUSH);
        static final MethodHandle PERSIST = stubs().persist(FlushInstruction.CLFLUSH);
    }

    private static final class Fence {
        static final MethodHandle DRAIN = stubs().drain();
    }

    private final FlushInstruction instruction;
    private final PersistMechanism mechanism;

    /**
     * @throws UnsupportedOperationException if the CPU has no {@code instruction} or no stubs can be installed
     */
    CpuCachePersister(FlushInstruction instruction) {
        if (!stubs().features().has(instruction)) {
            throw new UnsupportedOperationException("this CPU has no " + instruction.mnemonic());
        }
        if (instruction != FlushInstruction.CLWB && instruction != FlushInstruction.CLFLUSHOPT
                && instruction != FlushInstruction.CLFLUSH) {
            throw new UnsupportedOperationException(instruction + " cannot run yet");
        }
        this.instruction = instruction;
        this.mechanism = Mechanisms.of(instruction);
    }

    private static CpuStubs stubs() {
        return CpuStubs.get().orElseThrow(() -> new UnsupportedOperationException(
                CpuStubs.unavailableReason().orElse("no CPU stubs")));
    }

    @Override
    public PersistMechanism mechanism() {
        return mechanism;
    }

    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
        try {
            // compared with the constants, not switched on: an enum switch costs a load of its ordinal table
            long fault = instruction == FlushInstruction.CLWB
                    ? (long) Clwb.FLUSH.invokeExact(mapping.address(), offset, length)
                    : instruction == FlushInstruction.CLFLUSHOPT
                    ? (long) Clflushopt.FLUSH.invokeExact(mapping.address(), offset, length)
                    : (long) Clflush.FLUSH.invokeExact(mapping.address(), offset, length);
            if (fault != 0) {
                throw MemoryFault.of(fault);
            }
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public void drain() {
        try {
            Fence.DRAIN.invokeExact();
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        try {
            // compared with the constants, not switched on: an enum switch costs a load of its ordinal table
            long fault = instruction == FlushInstruction.CLWB
                    ? (long) Clwb.PERSIST.invokeExact(mapping.address(), offset, length)
                    : instruction == FlushInstruction.CLFLUSHOPT
                    ? (long) Clflushopt.PERSIST.invokeExact(mapping.address(), offset, length)
                    : (long) Clflush.PERSIST.invokeExact(mapping.address(), offset, length);
            if (fault != 0) {
                throw MemoryFault.of(fault);
            }
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    @Override
    public boolean hasNonTemporalStores() {
        return NonTemporalStores.AVAILABLE;
    }
}
