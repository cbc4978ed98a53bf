/*
 * Run (from the checkout; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh WalBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1"
 *
 * Write-ahead log appends, one record or a group of 16 per operation, made durable before returning.
 *
 * Durable (the rows a ratio is taken against):
 *   DAX4J_CPU               dax4j's WriteAheadLog (engines module) with CPU cache flushes (CLWB, asked for on tmpfs:
 *                           the instructions it runs on device-DAX, where they make the append durable; here they
 *                           write back into DRAM, faster than persistent memory, so its ratios are upper bounds of
 *                           the speed-up)
 *   FILECHANNEL_DISK        what engines do today: one gathering FileChannel.write of the group, then force(false)
 *                           (fdatasync), into a file on the disk-backed java.io.tmpdir
 *   FILECHANNEL_DISK_DSYNC  the same file opened with DSYNC: each write returns once durable, no force
 * The disk file is preallocated and zero-filled (and synced) before the run, and the log wraps inside it, so no
 * fdatasync ever has a file size or block allocation to commit: the cheapest the disk can do.
 *
 * System-call cost, not durable (tmpfs has nothing to write back; never the base of a ratio):
 *   DAX4J_MSYNC             the WriteAheadLog persisting with msync on tmpfs
 *   FILECHANNEL_TMPFS       FILECHANNEL_DISK's calls on a tmpfs file
 *
 * AverageTime for the mean (records/s = group / mean), SampleTime for p50 / p99. When the log is full it is reset
 * (one 8-byte store), as the file rows wrap to position 0.
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

    /** The ways to append to a log and make the appends durable (or, for two rows, not). */
    public enum Impl {
        DAX4J_CPU(true), DAX4J_MSYNC(false), FILECHANNEL_TMPFS(false), FILECHANNEL_DISK(true),
        FILECHANNEL_DISK_DSYNC(true);

        private final boolean durable;

        Impl(boolean durable) {
            this.durable = durable;
        }

        /** {@return whether an append returns durable here; false for the tmpfs rows, system-call cost only} */
        boolean durable() {
            return durable;
        }
    }

    @Param({"DAX4J_CPU", "DAX4J_MSYNC", "FILECHANNEL_TMPFS", "FILECHANNEL_DISK", "FILECHANNEL_DISK_DSYNC"})
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
            case FILECHANNEL_TMPFS, FILECHANNEL_DISK, FILECHANNEL_DISK_DSYNC -> {
                Path dir = impl == Impl.FILECHANNEL_TMPFS ? Path.of("/dev/shm")
                        : Path.of(System.getProperty("java.io.tmpdir"));
                file = Files.createTempFile(dir, "dax4j-wal-", ".log");
                buffers = new ByteBuffer[group];
                for (int i = 0; i < group; i++) {
                    buffers[i] = ByteBuffer.allocateDirect(recordBytes + 16);
                }
                preallocate(file, LOG + (long) group * (recordBytes + 16));
                channel = impl == Impl.FILECHANNEL_DISK_DSYNC
                        ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)
                        : FileChannel.open(file, StandardOpenOption.WRITE);
            }
        }
    }

    /** Writes zeros over {@code bytes} of {@code file} and syncs it: every block allocated, the size committed. */
    private static void preallocate(Path file, long bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at));
                at += out.write(zeros, at);
            }
            out.force(true);
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
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            b.clear();
            bytes += b.remaining();
        }
        for (long written = 0; written < bytes; ) { // one gathering write, unless the kernel takes less
            written += channel.write(buffers);
        }
        if (impl != Impl.FILECHANNEL_DISK_DSYNC) {
            channel.force(false);
        }
        position += bytes;
        if (position > LOG) {
            position = 0;
            channel.position(0); // the only seek: each write leaves the channel where the next one goes
        }
        return position;
    }
}
