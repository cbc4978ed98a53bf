/*
 * Run (from the checkout):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh SharedPersistBenchmark -f 3 -wi 3 -i 5 -w 1 -r 1 -t 4"
 *
 * Dirty + persist with several threads (2 unless -t says otherwise; the report's --threads) into ONE mapping,
 * each rotating through its own slice: what engines do that append from several threads to one log. dirty() does
 * the stores alone, as PersistBenchmark.dirty does. dax4j's per-call guard must not make the threads contend (the
 * shared arena's acquire did: 1.9x libpmem2 at 64 B). libpmem2 and the C loop run the same way over one mapping of
 * theirs.
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
import org.openjdk.jmh.infra.ThreadParams;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
public class SharedPersistBenchmark {

    /** One mapping for all threads of the trial. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"DAX4J_CLWB", "LIBPMEM2", "C_CLWB"})
        public PersistTarget.Impl impl;

        @Param({"64", "4096"})
        public long bytes;

        PersistTarget target;
        MemorySegment memory;

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

    /** This thread's slice of the mapping: the region divided by the thread count, 2 MiB aligned. */
    @State(Scope.Thread)
    public static class Slice {
        long base;
        Rotation rotation;
        byte value;

        @Setup(Level.Trial)
        public void setUp(Shared shared, ThreadParams thread) {
            long slice = slice(PersistBenchmark.REGION, Math.max(shared.bytes, 64), thread);
            base = thread.getThreadIndex() * slice;
            rotation = new Rotation(slice, Math.max(shared.bytes, 64), shared.bytes);
        }
    }

    /**
     * {@return the bytes of {@code region} each of the trial's threads gets: an equal share, 2 MiB aligned}
     *
     * @throws IllegalStateException if that leaves less than {@code minimum} (too many threads for the region)
     */
    static long slice(long region, long minimum, ThreadParams thread) {
        long slice = (region / thread.getThreadCount()) & -(2L << 20);
        if (slice < minimum) {
            throw new IllegalStateException(thread.getThreadCount() + " threads leave no 2 MiB slice of " + region
                    + " bytes for each");
        }
        return slice;
    }

    /** The stores alone, from as many threads: what the report subtracts to give the persist alone. */
    @Benchmark
    public void dirty(Shared shared, Slice slice) {
        shared.memory.asSlice(slice.base + slice.rotation.next(), shared.bytes).fill(slice.value++);
    }

    @Benchmark
    public void dirtyAndPersist(Shared shared, Slice slice) throws Throwable {
        long at = slice.base + slice.rotation.next();
        shared.memory.asSlice(at, shared.bytes).fill(slice.value++);
        shared.target.persist(at, shared.bytes);
    }
}
