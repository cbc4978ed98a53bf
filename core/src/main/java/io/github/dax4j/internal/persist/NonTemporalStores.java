package io.github.dax4j.internal.persist;

import io.github.dax4j.internal.cpu.CpuStubs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CPU's non-temporal copy and fill stubs, for the persisters that run on the CPU ({@code CLWB},
 * {@code CLFLUSHOPT}, {@code CLFLUSH}, {@code FENCE_ONLY}). The handles sit in {@code static final} fields, so the
 * JIT calls the stubs directly. Initialised only where {@link #AVAILABLE} is checked true first.
 */
final class NonTemporalStores {

    /** Whether this CPU has the stubs (SSE2 on x86-64 and executable memory). */
    static final boolean AVAILABLE = CpuStubs.get().flatMap(CpuStubs::copyNonTemporal).isPresent()
            && CpuStubs.get().flatMap(CpuStubs::fillNonTemporal).isPresent();

    private static final class Stubs {
        static final MethodHandle COPY = CpuStubs.get().orElseThrow().copyNonTemporal().orElseThrow();
        static final MethodHandle COPY_AND_DRAIN = CpuStubs.get().orElseThrow().copyNonTemporalAndDrain(true)
                .orElseThrow();
        static final MethodHandle COPY_NATIVE_AND_DRAIN = CpuStubs.get().orElseThrow().copyNonTemporalAndDrain(false)
                .orElseThrow();
        static final MethodHandle FILL = CpuStubs.get().orElseThrow().fillNonTemporal().orElseThrow();
    }

    private NonTemporalStores() {
    }

    static void copy(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset, long length) {
        try {
            check((long) Stubs.COPY.invokeExact(mapping.address(), offset, unguarded(mapping, source), sourceOffset,
                    length));
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    /** The copy, then SFENCE, in one call; a native source spares the JVM's bookkeeping for heap access. */
    static void copyAndDrain(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset,
                             long length) {
        try {
            if (source.isNative()) {
                check((long) Stubs.COPY_NATIVE_AND_DRAIN.invokeExact(mapping.address(), offset,
                        unguarded(mapping, source), sourceOffset, length));
            } else {
                check((long) Stubs.COPY_AND_DRAIN.invokeExact(mapping.address(), offset, source, sourceOffset,
                        length));
            }
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    private static void check(long fault) {
        if (fault != 0) {
            throw MemoryFault.of(fault);
        }
    }

    /**
     * {@return {@code source} as a bare address when it is a view of the mapping itself (a move)} The caller's guard
     * already keeps that memory mapped, and a segment of the mapping's shared arena would cost the call an acquire
     * and a release on the arena's counter. Any other source stays a segment, which the FFM runtime keeps alive.
     */
    private static MemorySegment unguarded(MemorySegment mapping, MemorySegment source) {
        return source.scope().equals(mapping.scope()) ? MemorySegment.ofAddress(source.address()) : source;
    }

    static void fill(MemorySegment mapping, long offset, long pattern, long length) {
        try {
            check((long) Stubs.FILL.invokeExact(mapping.address(), offset, pattern, length));
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
