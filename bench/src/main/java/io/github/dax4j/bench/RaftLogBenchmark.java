/*
 * Run (from the checkout; the report's --raft run runs this with 3 forks):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh RaftLogBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1"
 *
 * SOFAJRaft's LogStorage.appendEntries, durable on return, one batch of entries per operation, as JRaft's log
 * manager calls it: dax4j's DaxLogStorage on an emulated device in /dev/shm (CPU cache flushes, the mechanism a
 * real device-DAX mapping uses), against JRaft's own RocksDBLogStorage (sync writes, JRaft's default) on tmpfs and
 * on the disk-backed java.io.tmpdir. Entries are data entries of one term with a payload of the given size,
 * encoded by JRaft's V2 codec in both. SampleTime: the mean, p50 and p99 of one batch.
 *
 * The logs are kept from growing without bound as JRaft keeps them after its snapshots: each is truncated to its
 * last entry every 4096 entries (truncatePrefix; RocksDB deletes the range in the background, dax4j writes a
 * record), and dax4j's log switches halves by itself when a batch does not fit, copying the entries kept (at most
 * 4096 and a batch). Both costs fall inside the measured calls that make them.
 */
package io.github.dax4j.bench;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.jraft.DaxLogStorage;
import io.github.dax4j.layout.Directory;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens",
        "java.base/java.lang=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class RaftLogBenchmark {

    private static final long DEVICE = 1L << 30;
    private static final long LOG = DEVICE - (16L << 20);

    /** The log storages. */
    public enum Storage { DAX4J, ROCKSDB_TMPFS, ROCKSDB_DISK }

    @Param({"DAX4J", "ROCKSDB_TMPFS", "ROCKSDB_DISK"})
    public Storage storage;

    @Param({"1", "16", "256"})
    public int batch;

    @Param({"64", "1024", "4096"})
    public int entryBytes;

    private EmulatedDevice device;
    private Path directory;
    private LogStorage log;
    private List<LogEntry> entries;
    private long next = 1;
    private long truncatedAt;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        LogStorageOptions options = new LogStorageOptions();
        options.setGroupId("bench"); // JRaft runs a storage's background work in the group's thread pool
        options.setConfigurationManager(new ConfigurationManager());
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        switch (storage) {
            case DAX4J -> {
                device = EmulatedDevice.create(DEVICE, PersistMechanism.cpuCacheFlush()
                        .orElse(PersistMechanism.MSYNC));
                log = new DaxLogStorage(device.pmem, Directory.open(device.pmem), "raft.log", LOG);
            }
            case ROCKSDB_TMPFS, ROCKSDB_DISK -> {
                directory = Files.createTempDirectory(storage == Storage.ROCKSDB_TMPFS ? Path.of("/dev/shm")
                        : Path.of(System.getProperty("java.io.tmpdir")), "dax4j-bench-rocksdb-");
                log = new RocksDBLogStorage(directory.toString(), new RaftOptions()); // sync: JRaft's default
            }
        }
        if (!log.init(options)) {
            throw new IllegalStateException(storage + ": init failed");
        }
        entries = new ArrayList<>(batch);
        for (int e = 0; e < batch; e++) {
            LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_DATA);
            entry.setData(ByteBuffer.wrap(new byte[entryBytes]));
            entries.add(entry);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.shutdown();
        if (device != null) {
            device.close();
        }
        if (directory != null) {
            try (var files = Files.walk(directory)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** One durable {@code appendEntries} of {@code batch} entries. */
    @Benchmark
    public int appendEntries() {
        if (next - truncatedAt >= 4096) {
            log.truncatePrefix(next - 1);
            truncatedAt = next;
        }
        for (LogEntry entry : entries) {
            entry.setId(new LogId(next++, 1));
        }
        int appended = log.appendEntries(entries);
        if (appended != batch) {
            throw new IllegalStateException(storage + ": appended " + appended + " of " + batch);
        }
        return appended;
    }
}
