/*
 * Run (from the checkout; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh WalBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Write-ahead log appends, one record or a group of 16 per operation, made durable before returning:
 * dax4j's WriteAheadLog (engines module) with CPU flushes (CLWB, asked for on tmpfs) and with msync, against the
 * way engines do it today, FileChannel.write + force(false), on tmpfs and on the disk-backed java.io.tmpdir.
 * AverageTime for the mean (records/s = group / mean), SampleTime for the p50 / p99 latency. When the log is full it
 * is reset (one 8-byte store), as the file rows wrap to position 0.
 */
package io.github.dax4j.bench;

import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

@BenchmarkMode({Mode.AverageTime, Mode.SampleTime}) // the mean without timer overhead; p50 / p99 from samples
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class WalBenchmark {

    private static final long DEVICE = 128L << 20;
    private static final long LOG = 96L << 20;

    /** The ways to make log appends durable. */
    public enum Impl { DAX4J_CPU, DAX4J_MSYNC, FILECHANNEL_TMPFS, FILECHANNEL_DISK }

    @Param({"DAX4J_CPU", "DAX4J_MSYNC", "FILECHANNEL_TMPFS", "FILECHANNEL_DISK"})
    public Impl impl;

    @Param({"64", "1024", "16384"})
    public int recordBytes;

    @Param({"1", "16"})
    public int group;

    private EmulatedDevice device;
    private WriteAheadLog log;
    private List<byte[]> records;
    private Path file;
    private FileChannel channel;
    private ByteBuffer[] buffers;
    private long position;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        records = Collections.nCopies(group, new byte[recordBytes]);
        switch (impl) {
            case DAX4J_CPU, DAX4J_MSYNC -> {
                device = EmulatedDevice.create(DEVICE, impl == Impl.DAX4J_CPU
                        ? PersistMechanism.cpuCacheFlush().orElse(PersistMechanism.MSYNC) : PersistMechanism.MSYNC);
                log = WriteAheadLog.open(device.pmem, Directory.open(device.pmem), "wal", LOG);
            }
            case FILECHANNEL_TMPFS, FILECHANNEL_DISK -> {
                Path dir = impl == Impl.FILECHANNEL_TMPFS ? Path.of("/dev/shm")
                        : Path.of(System.getProperty("java.io.tmpdir"));
                file = Files.createTempFile(dir, "dax4j-wal-", ".log");
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
                buffers = new ByteBuffer[group];
                for (int i = 0; i < group; i++) {
                    buffers[i] = ByteBuffer.allocateDirect(recordBytes + 16);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (device != null) {
            device.close();
        }
        if (channel != null) {
            channel.close();
            Files.deleteIfExists(file);
        }
    }

    /** One durable append of {@code group} records. */
    @Benchmark
    public long append() throws IOException {
        if (log != null) {
            if ((log.tail() & ((1L << 40) - 1)) + (long) group * (recordBytes + 80) > LOG) { // header + line padding
                log.reset(); // one durable 8-byte store: the log starts over in its next generation
            }
            // a single record goes through append(byte[]), as an engine appending one record would call it
            return group == 1 ? log.append(records.getFirst()) : log.append(records).getLast();
        }
        for (ByteBuffer b : buffers) {
            b.clear();
            position += channel.write(b, position);
        }
        channel.force(false);
        if (position > LOG) {
            position = 0;
        }
        return position;
    }
}
