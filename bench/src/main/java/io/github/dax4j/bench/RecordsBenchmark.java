/*
 * Run (from the checkout; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh RecordsBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Persisted-write bandwidth as an engine sees it, with the CPU mechanism on an emulated device (tmpfs, 256 MiB):
 * sequential records appended with DaxMapping.copy (persistent, non-temporal from 256 B), and random aligned
 * 8-byte updates each published with putLongAtomicAndPersist. LIBPMEM2 does the same with pmem2's memcpy_fn and
 * a store + persist_fn on a pmem2_map of the same kind of file.
 */
package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.bench.natives.NativeAnchors;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class RecordsBenchmark {

    private static final long REGION = 256L << 20;

    /** The implementations: dax4j, and libpmem2 beside it. */
    public enum Impl { DAX4J, LIBPMEM2 }

    @Param({"DAX4J", "LIBPMEM2"})
    public Impl impl;

    @Param({"64", "4096", "65536"})
    public long recordBytes;

    private PersistTarget target;
    private DaxMapping pmem;
    private NativeAnchors.Libpmem2.Map libpmem2;
    private MemorySegment memory;
    private long base;
    private Arena arena;
    private MemorySegment record;
    private Rotation tail;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl == Impl.DAX4J) {
            EmulatedDevice device = EmulatedDevice.create(REGION,
                    PersistMechanism.cpuCacheFlush().orElse(PersistMechanism.NONE));
            pmem = device.pmem;
            target = PersistTarget.of(device);
        } else {
            target = PersistTarget.create(PersistTarget.Impl.LIBPMEM2, REGION);
            libpmem2 = PersistTarget.libpmem2Map(target);
        }
        memory = target.memory();
        base = memory.address();
        arena = Arena.ofConfined();
        record = arena.allocate(recordBytes, 64);
        record.fill((byte) 0x42);
        tail = new Rotation(REGION, recordBytes, recordBytes);
        random = new SplittableRandom(42);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        target.close();
        arena.close();
    }

    /** Append one record after the last and make it durable. */
    @Benchmark
    public long appendRecord() throws Throwable {
        long at = tail.next();
        if (pmem != null) {
            pmem.copy(at, record);
            return at;
        }
        return (long) libpmem2.memcpy().invokeExact(base + at, record.address(), recordBytes, 0);
    }

    /** Publish one aligned 8-byte value at a random place and make it durable (recordBytes is ignored). */
    @Benchmark
    public long randomUpdate() throws Throwable {
        long at = random.nextLong(REGION / 8) * 8;
        if (pmem != null) {
            pmem.putLongAtomicAndPersist(at, at);
        } else {
            memory.set(JAVA_LONG, at, at);
            libpmem2.persist().invokeExact(base + at, 8L);
        }
        return at;
    }
}
