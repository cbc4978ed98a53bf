/*
 * Run (from the checkout):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh SharedCopyBenchmark -f 3 -wi 3 -i 5 -w 1 -r 1 -t 4"
 *
 * Persistent copy with several threads (2 unless -t says otherwise) into ONE mapping, each from its own cached
 * source into its own slice: what several threads appending records to one device do. dax4j's copy beside
 * libpmem2's memcpy_fn over one mapping of its own, each thread making its copies durable as it goes.
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
public class SharedCopyBenchmark {

    private static final long REGION = 256L << 20;

    /** One mapping, and one copier over it, for all threads of the trial. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"DAX4J", "LIBPMEM2"})
        public CopyBenchmark.Impl impl;

        @Param({"4096"})
        public long bytes;

        CopyBenchmark.Copier copier;

        @Setup(Level.Trial)
        public void setUp() {
            copier = CopyBenchmark.Copier.create(impl, REGION);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            copier.close();
        }
    }

    /** This thread's source and its slice of the mapping (the region divided by the thread count, 2 MiB aligned). */
    @State(Scope.Thread)
    public static class Slice {
        Arena arena;
        MemorySegment source;
        long base;
        Rotation rotation;

        @Setup(Level.Trial)
        public void setUp(Shared shared, ThreadParams thread) {
            arena = Arena.ofConfined(); // a thread's state is set up and torn down on that thread
            source = CopyBenchmark.Copier.source(arena, shared.bytes);
            long slice = SharedPersistBenchmark.slice(REGION, shared.bytes, thread);
            base = thread.getThreadIndex() * slice;
            rotation = new Rotation(slice, shared.bytes, shared.bytes);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public long copy(Shared shared, Slice slice) throws Throwable {
        return shared.copier.copy(slice.base + slice.rotation.next(), slice.source);
    }
}
