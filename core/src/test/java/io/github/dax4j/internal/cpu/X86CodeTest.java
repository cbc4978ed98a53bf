package io.github.dax4j.internal.cpu;

import io.github.dax4j.internal.posix.ExecutableMemory;
import io.github.dax4j.internal.posix.Libc;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The x86-64 stubs, executed: CPUID agrees with {@code /proc/cpuinfo}, the line loop visits every line of a range
 * exactly once and nothing outside, the flush stubs run over memory bordered by inaccessible pages (a single byte
 * too far would crash the JVM), and the non-temporal copy and fill write exactly what a plain copy would.
 */
class X86CodeTest {

    private static final long PAGE = 4096;

    private static CpuStubs stubs() {
        assumeTrue(CpuStubs.get().isPresent(), "needs x86-64 with executable memory: "
                + CpuStubs.unavailableReason().orElse(""));
        return CpuStubs.get().orElseThrow();
    }

    private static Set<String> cpuinfoFlags() throws IOException {
        String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("flags")).findFirst().orElseThrow();
        return Set.of(flags.substring(flags.indexOf(':') + 1).trim().split("\\s+"));
    }

    @Test
    void cpuidAgreesWithProcCpuinfo() throws IOException {
        CpuFeatures cpu = stubs().features();
        Set<String> flags = cpuinfoFlags();
        assertEquals(flags.contains("clwb"), cpu.has(FlushInstruction.CLWB), "clwb");
        assertEquals(flags.contains("clflushopt"), cpu.has(FlushInstruction.CLFLUSHOPT), "clflushopt");
        assertEquals(flags.contains("clflush"), cpu.has(FlushInstruction.CLFLUSH), "clflush");
        assertEquals(flags.contains("sse2"), cpu.sse2(), "sse2");
        assertEquals(flags.contains("avx2"), cpu.avx2(), "avx2");
        assertEquals(64, cpu.cacheLineBytes());
    }

    /** Memory with an inaccessible page on either side, so that a stray access faults instead of passing. */
    private static final class Guarded implements AutoCloseable {
        final long base;
        final long length;
        final Arena arena = Arena.ofConfined();
        final MemorySegment memory;

        Guarded(long pages) throws Exception {
            length = pages * PAGE;
            base = Libc.mmap(0, length + 2 * PAGE, Libc.PROT_NONE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0,
                    "(guarded)");
            Libc.mprotect(base + PAGE, length, Libc.PROT_READ | Libc.PROT_WRITE);
            memory = Libc.view(base + PAGE, length, arena);
        }

        @Override
        public void close() throws java.nio.file.FileSystemException {
            arena.close();
            Libc.munmap(base, length + 2 * PAGE);
        }
    }

    /** The code, installed; a test class's constants cannot throw checked exceptions. */
    private static java.lang.foreign.MemorySegment installed(byte[] code) {
        try {
            return ExecutableMemory.install(code);
        } catch (java.nio.file.FileSystemException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final long GUARDED_PAGES = 4;
    private static final MethodHandle LINES = ExecutableMemory.link(
            installed(X86Code.recordingLineLoop()),
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS), false);

    @Property(tries = 1000)
    void theLineLoopVisitsEveryOverlappingLineOnceAndNoOther(
            @ForAll @LongRange(min = 0, max = GUARDED_PAGES * 4096) long offset,
            @ForAll @LongRange(min = 0, max = GUARDED_PAGES * 4096) long length) throws Throwable {
        long len = Math.min(length, GUARDED_PAGES * PAGE - offset);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment base = arena.allocate(GUARDED_PAGES * PAGE, 64);
            MemorySegment out = arena.allocate(JAVA_LONG, GUARDED_PAGES * PAGE / 64 + 2);
            LINES.invokeExact(base, offset, len, out);
            List<Long> visited = new ArrayList<>();
            for (long i = 0; out.get(JAVA_LONG, i * 8) != 0; i++) {
                visited.add(out.get(JAVA_LONG, i * 8) - base.address());
            }
            List<Long> expected = new ArrayList<>();
            for (long line = offset & -64; len > 0 && line < offset + len; line += 64) {
                expected.add(line);
            }
            assertEquals(expected, visited, "lines of [" + offset + ", " + (offset + len) + ")");
        }
    }

    @Property(tries = 300)
    void everyFlushStubStaysInsideItsRange(@ForAll @LongRange(min = 0, max = GUARDED_PAGES * 4096) long offset,
                                           @ForAll @LongRange(min = 0, max = GUARDED_PAGES * 4096) long length)
            throws Throwable {
        CpuStubs stubs = stubs();
        long len = Math.min(length, GUARDED_PAGES * PAGE - offset);
        try (Guarded guarded = new Guarded(GUARDED_PAGES)) {
            guarded.memory.fill((byte) 0x5a);
            for (FlushInstruction i : stubs.features().flushes()) {
                assertEquals(0L, (long) stubs.flush(i).invokeExact(guarded.memory.address(), offset, len));
                assertEquals(0L, (long) stubs.persist(i).invokeExact(guarded.memory.address(), offset, len));
            }
            stubs.drain().invokeExact();
            // the edges themselves, where one line too many would fault
            for (FlushInstruction i : stubs.features().flushes()) {
                assertEquals(0L, (long) stubs.persist(i).invokeExact(guarded.memory.address(), 0L,
                        GUARDED_PAGES * PAGE));
                assertEquals(0L, (long) stubs.persist(i).invokeExact(guarded.memory.address(), GUARDED_PAGES * PAGE - 1,
                        1L));
            }
            for (long at = 0; at < guarded.length; at += 512) {
                assertEquals((byte) 0x5a, guarded.memory.get(JAVA_BYTE, at), "flushing never changes data");
            }
        }
    }

    private static final class CopyStubs {
        static final FunctionDescriptor COPY =
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle SSE2 =
                ExecutableMemory.link(installed(X86Code.copyNonTemporal()), COPY, true);
        static final MethodHandle AVX2 =
                ExecutableMemory.link(installed(X86Code.copyNonTemporalAvx2()), COPY, true);
    }

    @Property(tries = 300)
    void theNonTemporalCopiesWriteExactlyTheSource(@ForAll @LongRange(min = 0, max = 63) long sourceMisalignment,
                                                   @ForAll @LongRange(min = 0, max = 256) long lines,
                                                   @ForAll boolean avx2) throws Throwable {
        assumeTrue(!avx2 || stubs().features().avx2(), "needs AVX2");
        MethodHandle copy = avx2 ? CopyStubs.AVX2 : CopyStubs.SSE2;
        long length = lines * 64;
        try (Guarded destination = new Guarded(5)) {
            byte[] source = new byte[(int) (length + sourceMisalignment)];
            new SplittableRandom(lines * 64 + sourceMisalignment).nextBytes(source);
            destination.memory.fill((byte) 0x11);
            long at = destination.length - length; // up against the guard page
            assertEquals(0L, (long) copy.invokeExact(destination.memory.address(), at, MemorySegment.ofArray(source),
                    sourceMisalignment, length), "no fault");
            stubs().drain().invokeExact();
            assertArrayEquals(Arrays.copyOfRange(source, (int) sourceMisalignment, source.length),
                    destination.memory.asSlice(at, length).toArray(JAVA_BYTE));
            if (at > 0) {
                assertEquals((byte) 0x11, destination.memory.get(JAVA_BYTE, at - 1), "nothing before");
            }
        }
    }

    @Property(tries = 200)
    void theNonTemporalFillWritesExactlyThePattern(@ForAll long pattern,
                                                   @ForAll @LongRange(min = 0, max = 128) long lines) throws Throwable {
        MethodHandle fill = stubs().fillNonTemporal().orElseThrow();
        long length = lines * 64;
        try (Guarded destination = new Guarded(3)) {
            destination.memory.fill((byte) 0x22);
            long at = destination.length - length;
            assertEquals(0L, (long) fill.invokeExact(destination.memory.address(), at, pattern, length), "no fault");
            stubs().drain().invokeExact();
            for (long i = at; i < destination.length; i += 8) {
                assertEquals(pattern, destination.memory.get(JAVA_LONG.withByteAlignment(1), i));
            }
            if (at > 0) {
                assertEquals((byte) 0x22, destination.memory.get(JAVA_BYTE, at - 1));
            }
        }
    }

    @Test
    void flushLoopsEncodeTheRightInstruction() {
        byte[] clwb = X86Code.flush(FlushInstruction.CLWB, true);
        byte[] clflush = X86Code.flush(FlushInstruction.CLFLUSH, true);
        assertTrue(contains(clwb, 0x66, 0x0f, 0xae, 0x37), "clwb [rdi]");
        assertTrue(contains(clwb, 0x0f, 0xae, 0xf8), "sfence after clwb");
        assertTrue(contains(clflush, 0x0f, 0xae, 0x3f) && !contains(clflush, 0x0f, 0xae, 0xf8),
                "clflush [rdi] and no sfence");
        assertTrue(contains(X86Code.flush(FlushInstruction.CLFLUSHOPT, false), 0x66, 0x0f, 0xae, 0x3f));
    }

    @Test
    void anEvictionInvalidatesAndThenHoldsLaterLoadsBackWithAnMfence() {
        for (FlushInstruction i : new FlushInstruction[] {FlushInstruction.CLFLUSHOPT, FlushInstruction.CLFLUSH}) {
            byte[] evict = X86Code.evict(i);
            int[] body = i == FlushInstruction.CLFLUSHOPT ? new int[] {0x66, 0x0f, 0xae, 0x3f}
                    : new int[] {0x0f, 0xae, 0x3f};
            assertTrue(contains(evict, body), i.mnemonic());
            assertTrue(contains(evict, 0x0f, 0xae, 0xf0, 0x31, 0xc0, 0xc3), "mfence, then return 0, after " + i);
            assertTrue(!contains(evict, 0x0f, 0xae, 0xf8), "no sfence: it would not order the loads");
        }
        assertThrows(IllegalArgumentException.class, () -> X86Code.evict(FlushInstruction.CLWB),
                "CLWB may keep the line: it does not evict");
    }

    private static boolean contains(byte[] code, int... sequence) {
        outer:
        for (int i = 0; i + sequence.length <= code.length; i++) {
            for (int j = 0; j < sequence.length; j++) {
                if ((code[i + j] & 0xff) != sequence[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
