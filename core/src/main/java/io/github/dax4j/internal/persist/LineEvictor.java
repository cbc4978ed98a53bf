package io.github.dax4j.internal.persist;

import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Writes back and invalidates every line of a range, then fences with {@code MFENCE}: {@code CLFLUSHOPT}, else
 * {@code CLFLUSH}. For memory shared with another host without coherence, where the next load must read memory
 * rather than this CPU's cache: {@code CLWB} may keep the line, and an {@code SFENCE} does not hold later loads
 * back. Chosen once per process.
 */
public final class LineEvictor {

    private static final Optional<LineEvictor> INSTANCE = CpuStubs.get().flatMap(stubs -> {
        for (FlushInstruction i : new FlushInstruction[] {FlushInstruction.CLFLUSHOPT, FlushInstruction.CLFLUSH}) {
            if (stubs.features().has(i)) {
                return Optional.of(new LineEvictor(i, stubs.evict(i)));
            }
        }
        return Optional.empty();
    });

    private final FlushInstruction instruction;
    private final MethodHandle evict;

    private LineEvictor(FlushInstruction instruction, MethodHandle evict) {
        this.instruction = instruction;
        this.evict = evict;
    }

    /** {@return this CPU's evictor; empty where the CPU code is unavailable or the CPU has neither instruction} */
    public static Optional<LineEvictor> get() {
        return INSTANCE;
    }

    /** {@return the instruction that invalidates the lines} */
    public FlushInstruction instruction() {
        return instruction;
    }

    /**
     * Evicts every line overlapping {@code [offset, offset + length)} of {@code mapping}, then fences.
     *
     * @throws MemoryFault if the memory faults under the stub
     */
    public void evict(MemorySegment mapping, long offset, long length) {
        try {
            long fault = (long) evict.invokeExact(mapping.address(), offset, length);
            if (fault != 0) {
                throw MemoryFault.of(fault);
            }
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
