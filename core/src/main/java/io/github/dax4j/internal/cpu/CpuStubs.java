package io.github.dax4j.internal.cpu;

import io.github.dax4j.internal.posix.ExecutableMemory;
import io.github.dax4j.internal.posix.Libc;

import java.io.ByteArrayOutputStream;
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
 * The installed machine code of this CPU, as method handles: flush, persist (flush + fence), evict (invalidating
 * flush + full fence), drain (fence), and non-temporal copy and fill. Installed once per process, on first use.
 *
 * <p>Available on x86-64 where the process may create executable memory. Elsewhere {@link #get()} is empty and
 * {@link #unavailableReason()} says why, once, so that callers fall back to a mechanism that needs no code.
 *
 * <p>Invariants:
 * <ol>
 *   <li>Every stub that touches memory takes it as a raw address (a {@code long}), so the FFM runtime acquires no
 *       arena per call; the caller guarantees the memory stays mapped for the call (the mapping's lifecycle guard).
 *       Sources of copies stay segments, whose arenas the runtime keeps alive.</li>
 *   <li>Those stubs lie in one code range and return a fault word ({@code 0}, or see {@code X86Code}). Where
 *       {@link #trapsFaults()}, a {@code SIGBUS} raised inside the range resumes the stub at its fault exit instead
 *       of killing the JVM; every other {@code SIGBUS} goes to the handler that was installed before (the JVM's).</li>
 *   <li>The handles are {@code Linker.Option.critical}: the code is short, never blocks and never calls back.</li>
 * </ol>
 */
public final class CpuStubs {

    private static final FunctionDescriptor RANGE =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor COPY =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FILL =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private final CpuFeatures features;
    private final Map<FlushInstruction, MethodHandle> flush = new EnumMap<>(FlushInstruction.class);
    private final Map<FlushInstruction, MethodHandle> persist = new EnumMap<>(FlushInstruction.class);
    private final Map<FlushInstruction, MethodHandle> evict = new EnumMap<>(FlushInstruction.class);
    private final MethodHandle drain;
    private final MethodHandle copyNonTemporal;
    private final MethodHandle copyNonTemporalAndDrain;
    private final MethodHandle copyNonTemporalAndDrainNative;
    private final MethodHandle fillNonTemporal;
    private final String trapRefusal;

    private CpuStubs(CpuFeatures features) throws FileSystemException {
        this.features = features;
        Image image = new Image();
        Map<FlushInstruction, Integer> flushAt = new EnumMap<>(FlushInstruction.class);
        Map<FlushInstruction, Integer> persistAt = new EnumMap<>(FlushInstruction.class);
        Map<FlushInstruction, Integer> evictAt = new EnumMap<>(FlushInstruction.class);
        for (FlushInstruction i : features.flushes()) {
            flushAt.put(i, image.add(X86Code.flush(i, false)));
            persistAt.put(i, image.add(X86Code.flush(i, true)));
            if (i == FlushInstruction.CLFLUSHOPT || i == FlushInstruction.CLFLUSH) {
                evictAt.put(i, image.add(X86Code.evict(i)));
            }
        }
        byte[] copy = features.avx2() ? X86Code.copyNonTemporalAvx2(false)
                : features.sse2() ? X86Code.copyNonTemporal(false) : null;
        byte[] copyAndDrain = features.avx2() ? X86Code.copyNonTemporalAvx2(true)
                : features.sse2() ? X86Code.copyNonTemporal(true) : null;
        int copyAt = copy == null ? -1 : image.add(copy);
        int copyAndDrainAt = copy == null ? -1 : image.add(copyAndDrain);
        int fillAt = features.sse2() ? image.add(X86Code.fillNonTemporal()) : -1;
        int exitAt = image.add(X86Code.faultExit(features.avx2()));
        MemorySegment code = ExecutableMemory.install(image.bytes());
        long base = code.address();
        for (FlushInstruction i : features.flushes()) {
            flush.put(i, link(base + flushAt.get(i), RANGE, false));
            persist.put(i, link(base + persistAt.get(i), RANGE, false));
        }
        evictAt.forEach((i, at) -> evict.put(i, link(base + at, RANGE, false)));
        copyNonTemporal = copyAt < 0 ? null : link(base + copyAt, COPY, true);
        copyNonTemporalAndDrain = copyAt < 0 ? null : link(base + copyAndDrainAt, COPY, true);
        copyNonTemporalAndDrainNative = copyAt < 0 ? null : link(base + copyAndDrainAt, COPY, false);
        fillNonTemporal = fillAt < 0 ? null : link(base + fillAt, FILL, false);
        drain = link(ExecutableMemory.install(X86Code.sfence()).address(), FunctionDescriptor.ofVoid(), false);
        trapRefusal = trapFaults(base, base + image.size(), base + exitAt);
    }

    /**
     * Installs the {@code SIGBUS} handler for the code at {@code [start, end)}, chained to the current one.
     *
     * @return null, or why faults are not trapped
     */
    private static String trapFaults(long start, long end, long exit) {
        try {
            long current = Libc.signalHandler(Libc.SIGBUS);
            if (current < 0 || current == 0 || current == 1) {
                // SIG_DFL, SIG_IGN or a handler without siginfo: nothing to chain a three-argument call to
                return "the SIGBUS action is not a siginfo handler (0x" + Long.toHexString(current) + ")";
            }
            MemorySegment handler = ExecutableMemory.install(X86Code.faultHandler(start, end, exit, current));
            Libc.replaceSignalHandler(Libc.SIGBUS, handler.address());
            return null;
        } catch (FileSystemException e) {
            return "the SIGBUS handler cannot be installed (" + e.getMessage() + ")";
        }
    }

    /** Stubs laid out one after the other, each at a multiple of 64 bytes, to be installed as one range. */
    private static final class Image {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int add(byte[] stub) {
            while (bytes.size() % 64 != 0) {
                bytes.write(0xcc); // int3 between stubs: nothing jumps there
            }
            int at = bytes.size();
            bytes.writeBytes(stub);
            return at;
        }

        int size() {
            return bytes.size();
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
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
            if (stubs != null && !stubs.trapsFaults()) {
                System.getLogger("io.github.dax4j").log(System.Logger.Level.WARNING, "dax4j cannot trap faults in"
                        + " its own code: " + stubs.trapRefusal + "; a SIGBUS there (a file truncated under a"
                        + " mapping, a poisoned line) kills the JVM");
            }
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

    private static MethodHandle link(long function, FunctionDescriptor descriptor, boolean heapAccess) {
        return ExecutableMemory.link(MemorySegment.ofAddress(function), descriptor, heapAccess);
    }

    /** {@return whether a SIGBUS in the stubs becomes their fault word rather than a JVM crash} */
    public boolean trapsFaults() {
        return trapRefusal == null;
    }

    /** {@return why {@link #trapsFaults()} is false, or empty} */
    public Optional<String> whyFaultsAreNotTrapped() {
        return Optional.ofNullable(trapRefusal);
    }

    /** {@return what CPUID says} */
    public CpuFeatures features() {
        return features;
    }

    /** {@return {@code long flush(long base, long offset, long length)} with {@code instruction}, no fence} */
    public MethodHandle flush(FlushInstruction instruction) {
        return require(flush.get(instruction), instruction);
    }

    /** {@return {@code long persist(long base, long offset, long length)}: flush, then a fence} */
    public MethodHandle persist(FlushInstruction instruction) {
        return require(persist.get(instruction), instruction);
    }

    /**
     * {@return {@code long evict(long base, long offset, long length)}: write back and invalidate, then MFENCE}
     *
     * @throws UnsupportedOperationException if {@code instruction} does not invalidate (CLWB) or the CPU lacks it
     */
    public MethodHandle evict(FlushInstruction instruction) {
        return require(evict.get(instruction), instruction);
    }

    /** {@return {@code void drain()}: SFENCE} */
    public MethodHandle drain() {
        return drain;
    }

    /** {@return {@code long copy(long dst, long dstOffset, MemorySegment src, long srcOffset, long length)}} */
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

    /** {@return {@code long fill(long dst, long dstOffset, long pattern, long length)}} */
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
