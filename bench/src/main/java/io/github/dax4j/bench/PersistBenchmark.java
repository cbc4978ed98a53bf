/*
 * Run (from the checkout; Maven selects a JDK >= 22 itself; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh PersistBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Dirty + persist latency of one range, rotating through a region larger than the last-level cache, for every
 * implementation in PersistTarget.Impl: dax4j per mechanism (CPU ones asked for explicitly on tmpfs: without
 * MAP_SYNC they are not durable there, but they run exactly the instructions they run on device-DAX), libpmem2's
 * persist_fn (PMEM2_FORCE_GRANULARITY=CACHE_LINE, set by the launcher), the JDK's MappedByteBuffer.force and
 * MemorySegment.force, and the C loop. bytes=0 is the call overhead; DAX4J_NONE is the stores alone;
 * DAX4J_FENCE_ONLY is what eADR machines pay (the fence after the stores).
 *
 * dirty() times the stores alone, over the same rotation through the same kind of memory: the report subtracts it
 * from dirtyAndPersist to give the persist alone (with both errors propagated), which is what the bars apply to.
 * Persisting inside a timed region that holds nothing else is not possible at these sizes: JMH's per-invocation
 * set-up costs more than a 64-byte flush and its timer resolution is of the same order.
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PersistBenchmark {

    /** Larger than the last-level cache; 64 MiB for the disk row, which writes it out. */
    static final long REGION = 256L << 20;

    @Param({"DAX4J_CLWB", "DAX4J_CLFLUSHOPT", "DAX4J_CLFLUSH", "DAX4J_MSYNC", "DAX4J_MSYNC_DISK", "DAX4J_FENCE_ONLY",
            "DAX4J_NONE", "LIBPMEM2", "JDK_MAPPED_BUFFER_FORCE", "JDK_SEGMENT_FORCE", "C_CLWB", "C_CLFLUSHOPT",
            "C_CLFLUSH"})
    public PersistTarget.Impl impl;

    @Param({"0", "64", "256", "4096", "65536", "2097152"})
    public long bytes;

    private PersistTarget target;
    private MemorySegment memory;
    private Rotation rotation;
    private byte value;

    @Setup(Level.Trial)
    public void setUp() {
        long region = impl == PersistTarget.Impl.DAX4J_MSYNC_DISK ? 64L << 20 : REGION;
        target = PersistTarget.create(impl, region);
        rotation = new Rotation(region, Math.max(bytes, 64), bytes);
        memory = target.memory();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        target.close();
    }

    /**
     * Dirty every byte of the range, nothing more: the cost that {@link #dirtyAndPersist} subtracts. Lines left
     * dirty here are written back when the rotation evicts them, inside later stores, where a flushed line is
     * written back by the flush: so the subtraction can over-estimate the dirtying and under-estimate the persist
     * from the size where write-back dominates, which moves every ratio away from 1, never toward it.
     */
    @Benchmark
    public void dirty() {
        memory.asSlice(rotation.next(), bytes).fill(value++);
    }

    /** Dirty every byte of the range, then make it durable. */
    @Benchmark
    public void dirtyAndPersist() throws Throwable {
        long at = rotation.next();
        memory.asSlice(at, bytes).fill(value++);
        target.persist(at, bytes);
    }
}
