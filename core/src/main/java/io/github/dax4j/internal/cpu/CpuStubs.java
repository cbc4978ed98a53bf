package io.github.dax4j.internal.cpu;

import io.github.dax4j.internal.posix.ExecutableMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileSystemException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The installed machine code of this CPU, as method handles: flush, persist (flush + fence), drain (fence), and
 * non-temporal copy and fill. Installed once per process, on first use.
 *
 * <p>Available on x86-64 where the process may create executable memory. Elsewhere {@link #get()} is empty and
 * {@link #unavailableReason()} says why, once, so that callers fall back to a mechanism that needs no code.
 *
 * <p>Every handle takes its memory as a {@link MemorySegment} plus an offset: the segment's arena stays alive for
 * the call, so a concurrent close cannot unmap memory under a running flush. The handles are
 * {@code Linker.Option.critical}: they neither block nor call back into Java.
 */
public final class CpuStubs {

    private static final FunctionDescriptor RANGE = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor COPY =
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FILL = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private final CpuFeatures features;
    private final Map<FlushInstruction, MethodHandle> flush = new EnumMap<>(FlushInstruction.class);
    private final Map<FlushInstruction, MethodHandle> persist = new EnumMap<>(FlushInstruction.class);
    private final MethodHandle drain;
    private final MethodHandle copyNonTemporal;
    private final MethodHandle copyNonTemporalAndDrain;
    private final MethodHandle copyNonTemporalAndDrainNative;
    private final MethodHandle fillNonTemporal;

    private CpuStubs(CpuFeatures features) throws FileSystemException {
        this.features = features;
        for (FlushInstruction i : features.flushes()) {
            flush.put(i, link(X86Code.flush(i, false), RANGE));
            persist.put(i, link(X86Code.flush(i, true), RANGE));
        }
        drain = link(X86Code.sfence(), FunctionDescriptor.ofVoid());
        copyNonTemporal = copyStub(features, false, true);
        copyNonTemporalAndDrain = copyStub(features, true, true);
        copyNonTemporalAndDrainNative = copyStub(features, true, false);
        fillNonTemporal = features.sse2() ? link(X86Code.fillNonTemporal(), FILL) : null;
    }

    private static MethodHandle copyStub(CpuFeatures features, boolean fence, boolean heapAccess)
            throws FileSystemException {
        byte[] copy = features.avx2() ? X86Code.copyNonTemporalAvx2(fence)
                : features.sse2() ? X86Code.copyNonTemporal(fence) : null;
        return copy == null ? null : ExecutableMemory.link(ExecutableMemory.install(copy), COPY, heapAccess);
    }

    private static final class Holder {
        static final CpuStubs STUBS;
        static final String REASON;

        static {
            CpuStubs stubs = null;
            String reason = null;
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!arch.equals("amd64") && !arch.equals("x86_64")) {
                reason = "no flush code for " + arch + " yet (the aarch64 encoding exists but is untested on hardware)";
            } else {
                try {
                    stubs = new CpuStubs(detectX86());
                } catch (FileSystemException e) {
                    reason = "executable memory refused (" + e.getMessage() + ")";
                }
            }
            STUBS = stubs;
            REASON = reason;
            if (reason != null) {
                // once per JVM: every mapping's persistMechanismReason() repeats it, but a log reader sees it here
                System.getLogger("io.github.dax4j").log(System.Logger.Level.WARNING, "dax4j cannot flush CPU caches"
                        + " itself: " + reason + "; files fall back to msync, device-DAX mappings are refused");
            }
        }
    }

    /** {@return the stubs of this CPU, or empty where none can be installed} */
    public static Optional<CpuStubs> get() {
        return Optional.ofNullable(Holder.STUBS);
    }

    /** {@return why {@link #get()} is empty, or empty when it is not} */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Holder.REASON);
    }

    /** Runs CPUID (and XGETBV where the OS enables it) through freshly installed stubs. */
    private static CpuFeatures detectX86() throws FileSystemException {
        MethodHandle cpuid = link(X86Code.cpuid(), FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT, 4);
            cpuid.invokeExact(1, 0, out);
            int[] leaf1 = out.toArray(JAVA_INT);
            cpuid.invokeExact(0, 0, out);
            int maxLeaf = out.get(JAVA_INT, 0);
            int[] leaf7 = new int[4];
            if (maxLeaf >= 7) {
                cpuid.invokeExact(7, 0, out);
                leaf7 = out.toArray(JAVA_INT);
            }
            long xcr0 = 0;
            if ((leaf1[2] >>> 27 & 1) != 0) {
                MethodHandle xgetbv = link(X86Code.xgetbv(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
                xcr0 = (long) xgetbv.invokeExact(0);
            }
            return CpuFeatures.fromCpuid(leaf1, leaf7, xcr0);
        } catch (FileSystemException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle link(byte[] code, FunctionDescriptor descriptor) throws FileSystemException {
        return ExecutableMemory.link(ExecutableMemory.install(code), descriptor, false);
    }

    /** {@return what CPUID says} */
    public CpuFeatures features() {
        return features;
    }

    /** {@return {@code void flush(MemorySegment base, long offset, long length)} with {@code instruction}, no fence} */
    public MethodHandle flush(FlushInstruction instruction) {
        return require(flush.get(instruction), instruction);
    }

    /** {@return {@code void persist(MemorySegment base, long offset, long length)}: flush, then a fence} */
    public MethodHandle persist(FlushInstruction instruction) {
        return require(persist.get(instruction), instruction);
    }

    /** {@return {@code void drain()}: SFENCE} */
    public MethodHandle drain() {
        return drain;
    }

    /** {@return {@code void copy(MemorySegment dst, long dstOffset, MemorySegment src, long srcOffset, long length)}} */
    public Optional<MethodHandle> copyNonTemporal() {
        return Optional.ofNullable(copyNonTemporal);
    }

    /**
     * {@return the non-temporal copy followed by SFENCE, in one call: a copy that needs no separate drain} With
     * {@code heapSource}, the source may be a heap segment; otherwise it must be native, which spares the call the
     * JVM's bookkeeping for heap access.
     */
    public Optional<MethodHandle> copyNonTemporalAndDrain(boolean heapSource) {
        return Optional.ofNullable(heapSource ? copyNonTemporalAndDrain : copyNonTemporalAndDrainNative);
    }

    /** {@return {@code void fill(MemorySegment dst, long dstOffset, long pattern, long length)}} */
    public Optional<MethodHandle> fillNonTemporal() {
        return Optional.ofNullable(fillNonTemporal);
    }

    private MethodHandle require(MethodHandle handle, FlushInstruction instruction) {
        if (handle == null) {
            throw new UnsupportedOperationException("this CPU has no " + instruction.mnemonic());
        }
        return handle;
    }
}
