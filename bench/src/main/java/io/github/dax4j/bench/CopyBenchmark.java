/*
 * Run (from the checkout; Maven selects a JDK >= 22 itself; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh CopyBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Persistent copy of a cached source into an emulated device (tmpfs), rotating through 256 MiB: dax4j with its
 * automatic choice (non-temporal from 256 B), forced ordinary stores + CLWB, forced non-temporal stores;
 * libpmem2's memcpy_fn (flags 0: its own choice; CACHE_LINE forced by the launcher); the C non-temporal loop.
 * Time per copy; bandwidth = bytes / time.
 */
package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.bench.natives.NativeAnchors;
import io.github.dax4j.PersistFlag;
import io.github.dax4j.PersistMechanism;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CopyBenchmark {

    private static final long REGION = 256L << 20;
    /** Flags built once: a varargs call would allocate its array inside the measurement. */
    private static final PersistFlag[] TEMPORAL = {PersistFlag.TEMPORAL};
    private static final PersistFlag[] NON_TEMPORAL = {PersistFlag.NON_TEMPORAL};

    /** The copy implementations. */
    public enum Impl {
        DAX4J, DAX4J_TEMPORAL, DAX4J_NON_TEMPORAL, LIBPMEM2, C_NON_TEMPORAL;

        /** {@return why this implementation cannot run here, or empty when it can} */
        Optional<String> unavailable() {
            return switch (this) {
                case LIBPMEM2 -> NativeAnchors.libpmem2().isPresent() ? Optional.empty()
                        : Optional.of(NativeAnchors.libpmem2Missing());
                case C_NON_TEMPORAL -> NativeAnchors.cloop().isPresent() ? Optional.empty()
                        : Optional.of(NativeAnchors.cloopMissing());
                default -> Optional.empty();
            };
        }
    }

    @Param({"DAX4J", "DAX4J_TEMPORAL", "DAX4J_NON_TEMPORAL", "LIBPMEM2", "C_NON_TEMPORAL"})
    public Impl impl;

    @Param({"64", "128", "256", "512", "1024", "4096", "65536", "2097152"})
    public long bytes;

    private Copier copier;
    private Arena arena;
    private MemorySegment source;
    private Rotation rotation;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined(); // setup, benchmark and teardown run on one thread (Scope.Thread)
        rotation = new Rotation(REGION, bytes, bytes);
        source = Copier.source(arena, bytes);
        copier = Copier.create(impl, REGION);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        copier.close();
        arena.close();
    }

    @Benchmark
    public long copy() throws Throwable {
        return copier.copy(rotation.next(), source);
    }

    /**
     * One implementation's persistent copy into a fresh emulated device of its own (tmpfs): the same memory and the
     * same call for the single-thread rows and for {@link SharedCopyBenchmark}'s threads, which share one copier.
     */
    static final class Copier implements AutoCloseable {
        private final Impl impl;
        private final PersistTarget target;
        private final DaxMapping pmem;
        private final long base;
        private final MethodHandle nonTemporal;
        private final NativeAnchors.Libpmem2.Map libpmem2;

        private Copier(Impl impl, PersistTarget target, DaxMapping pmem, MethodHandle nonTemporal,
                       NativeAnchors.Libpmem2.Map libpmem2) {
            this.impl = impl;
            this.target = target;
            this.pmem = pmem;
            this.base = target.memory().address();
            this.nonTemporal = nonTemporal;
            this.libpmem2 = libpmem2;
        }

        static Copier create(Impl impl, long region) {
            return switch (impl) {
                case DAX4J, DAX4J_TEMPORAL, DAX4J_NON_TEMPORAL -> {
                    EmulatedDevice device = EmulatedDevice.create(region,
                            PersistMechanism.cpuCacheFlush().orElse(PersistMechanism.NONE));
                    yield new Copier(impl, PersistTarget.of(device), device.pmem, null, null);
                }
                case LIBPMEM2 -> {
                    PersistTarget target = PersistTarget.create(PersistTarget.Impl.LIBPMEM2, region);
                    yield new Copier(impl, target, null, null, PersistTarget.libpmem2Map(target));
                }
                case C_NON_TEMPORAL -> new Copier(impl, PersistTarget.create(PersistTarget.Impl.DAX4J_NONE, region),
                        null, NativeAnchors.cloop().orElseThrow().copyNonTemporal(), null);
            };
        }

        /** {@return a cached, 64-byte aligned source of {@code bytes} bytes in {@code arena}} */
        static MemorySegment source(Arena arena, long bytes) {
            MemorySegment source = arena.allocate(bytes, 64);
            source.fill((byte) 0x5a);
            return source;
        }

        /** Copies {@code source} to {@code at} and makes it durable; returns something the JIT cannot drop. */
        long copy(long at, MemorySegment source) throws Throwable {
            switch (impl) {
                case DAX4J -> pmem.copy(at, source);
                case DAX4J_TEMPORAL -> pmem.copy(at, source, TEMPORAL);
                case DAX4J_NON_TEMPORAL -> pmem.copy(at, source, NON_TEMPORAL);
                case LIBPMEM2 -> {
                    return (long) libpmem2.memcpy().invokeExact(base + at, source.address(), source.byteSize(), 0);
                }
                case C_NON_TEMPORAL -> nonTemporal.invokeExact(base + at, source.address(), source.byteSize());
            }
            return at;
        }

        @Override
        public void close() throws java.io.IOException {
            target.close();
        }
    }
}
