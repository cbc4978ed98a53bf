/*
 * Run (from the checkout):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh SharedPersistBenchmark -f 3 -wi 3 -i 5 -w 1 -r 1"
 *
 * Dirty + persist with two threads into ONE mapping, each rotating through its own half: what engines do that
 * append from several threads to one log. dax4j's per-call guard must not make the threads contend (the shared
 * arena's acquire did: 1.9x libpmem2 at 64 B). libpmem2 and the C loop run the same way over one mapping of theirs.
 */
package io.github.dax4j.bench;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
public class SharedPersistBenchmark {

    /** Threads sharing the mapping; {@code @Threads} must match. */
    static final int THREADS = 2;

    /** One mapping for all threads of the trial. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"DAX4J_CLWB", "LIBPMEM2", "C_CLWB"})
        public PersistTarget.Impl impl;

        @Param({"64", "4096"})
        public long bytes;

        PersistTarget target;
        MemorySegment memory;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            target = PersistTarget.create(impl, PersistBenchmark.REGION);
            memory = target.memory();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            target.close();
        }
    }

    /** This thread's half of the mapping. */
    @State(Scope.Thread)
    public static class Half {
        long base;
        Rotation rotation;
        byte value;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            long half = PersistBenchmark.REGION / THREADS;
            base = (shared.threads.getAndIncrement() % THREADS) * half;
            rotation = new Rotation(half, Math.max(shared.bytes, 64), shared.bytes);
        }
    }

    @Benchmark
    public void dirtyAndPersist(Shared shared, Half half) throws Throwable {
        long at = half.base + half.rotation.next();
        shared.memory.asSlice(at, shared.bytes).fill(half.value++);
        shared.target.persist(at, shared.bytes);
    }
}
