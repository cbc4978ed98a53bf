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
            Stubs.COPY.invokeExact(mapping, offset, source, sourceOffset, length);
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    /** The copy, then SFENCE, in one call; a native source spares the JVM's bookkeeping for heap access. */
    static void copyAndDrain(MemorySegment mapping, long offset, MemorySegment source, long sourceOffset,
                             long length) {
        try {
            if (source.isNative()) {
                Stubs.COPY_NATIVE_AND_DRAIN.invokeExact(mapping, offset, source, sourceOffset, length);
            } else {
                Stubs.COPY_AND_DRAIN.invokeExact(mapping, offset, source, sourceOffset, length);
            }
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    static void fill(MemorySegment mapping, long offset, long pattern, long length) {
        try {
            Stubs.FILL.invokeExact(mapping, offset, pattern, length);
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
