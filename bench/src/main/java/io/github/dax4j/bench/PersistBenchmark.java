/*
 * Run (from the checkout; Maven selects a JDK >= 22 itself):
 *
 *   ./mvnw -q -Pbench package -Djmh.args="PersistBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Dirty + persist latency of one range, for every mechanism dax4j has, on an emulated device in tmpfs
 * (/dev/shm). Each mechanism is asked for explicitly (MapOptions.persistMechanism): without MAP_SYNC the CPU
 * mechanisms do not make tmpfs durable, but they execute exactly the instructions they execute on device-DAX, which
 * is what this measures. NONE is the baseline: the stores alone. bytes=0 measures the call overhead. The C
 * baseline of the same loop is bench/src/main/c/persist_loop.c.
 */
package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.persist.PersistMechanism;
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

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PersistBenchmark {

    /** Larger than the last-level cache, so rotating through it persists lines that are not all cached. */
    private static final long REGION = 256L << 20;

    @Param({"CLWB", "CLFLUSHOPT", "CLFLUSH", "MSYNC", "NONE"})
    public PersistMechanism mechanism;

    @Param({"0", "64", "256", "4096", "65536", "2097152"})
    public long bytes;

    private EmulatedDevice device;
    private DaxMapping pmem;
    private MemorySegment memory;
    private long offset;
    private byte value;

    @Setup(Level.Trial)
    public void map() {
        device = EmulatedDevice.create(REGION, mechanism);
        pmem = device.pmem;
        memory = pmem.segment();
    }

    @TearDown(Level.Trial)
    public void unmap() throws IOException {
        device.close();
    }

    private long next() {
        offset += Math.max(bytes, 64);
        if (offset + bytes > REGION) {
            offset = 0;
        }
        return offset;
    }

    /** Dirty every line of the range, then persist it. */
    @Benchmark
    public void dirtyAndPersist() {
        long at = next();
        memory.asSlice(at, bytes).fill(value++);
        pmem.persist(at, bytes);
    }

    /** The same range persisted again without new stores: the cost of the mechanism on clean lines. */
    @Benchmark
    public void persistOnly() {
        pmem.persist(next(), bytes);
    }
}
