/*
 * Run (from the checkout; Maven selects a JDK >= 22 itself):
 *
 *   ./mvnw -q -Pbench package -Djmh.args="CopyBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Persistent copy into an emulated device (tmpfs, CLWB asked for), ordinary stores + flush against non-temporal
 * stores, across sizes: where the two cross is where DaxMapping's non-temporal threshold belongs. Reported as time
 * per copy; bandwidth = bytes / time.
 */
package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.persist.MechanismSelector;
import io.github.dax4j.persist.PersistFlag;
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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CopyBenchmark {

    private static final long REGION = 256L << 20;

    @Param({"64", "128", "256", "512", "1024", "4096", "65536", "2097152"})
    public long bytes;

    @Param({"TEMPORAL", "NON_TEMPORAL"})
    public PersistFlag stores;

    private EmulatedDevice device;
    private DaxMapping pmem;
    private MemorySegment source;
    private Arena arena;
    private long offset;

    @Setup(Level.Trial)
    public void map() {
        device = EmulatedDevice.create(REGION, MechanismSelector.cpuMechanism().orElse(PersistMechanism.NONE));
        pmem = device.pmem;
        arena = Arena.ofShared();
        source = arena.allocate(bytes, 64);
        source.fill((byte) 0x5a);
    }

    @TearDown(Level.Trial)
    public void unmap() throws IOException {
        device.close();
        arena.close();
    }

    @Benchmark
    public void copy() {
        offset += bytes;
        if (offset + bytes > REGION) {
            offset = 0;
        }
        pmem.copy(offset, source, stores);
    }
}
