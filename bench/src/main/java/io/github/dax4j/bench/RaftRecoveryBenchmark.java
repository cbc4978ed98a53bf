/*
 * Run (from the checkout; the report's --raft run runs this with 3 forks):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh RaftRecoveryBenchmark -f 1"
 *
 * What a node's start pays for its log: LogStorage.init on a log of 1 M entries (64-byte payloads, written in
 * batches of 256 before the trial), from a storage object that has never seen it. dax4j's DaxLogStorage rebuilds
 * its index by walking every record (checking each CRC) and replays the configuration entries; JRaft's
 * RocksDBLogStorage opens its database and reads its configuration column family (the index is RocksDB's own).
 * SingleShotTime: each invocation one init, the storage shut down after it, outside the measurement.
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens",
        "java.base/java.lang=ALL-UNNAMED"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@State(Scope.Thread)
public class RaftRecoveryBenchmark {

    static final int ENTRIES = 1 << 20;
    private static final long DEVICE = 512L << 20;
    private static final long LOG = DEVICE - (16L << 20);

    /** The log storages, as in {@link RaftLogBenchmark}. */
    public enum Storage { DAX4J, ROCKSDB_TMPFS }

    @Param({"DAX4J", "ROCKSDB_TMPFS"})
    public Storage storage;

    private EmulatedDevice device;
    private Directory directory;
    private Path rocksdb;
    private LogStorage log;

    @Setup(Level.Trial)
    public void write() throws IOException {
        if (storage == Storage.DAX4J) {
            device = EmulatedDevice.create(DEVICE, PersistMechanism.cpuCacheFlush().orElse(PersistMechanism.MSYNC));
            directory = Directory.open(device.pmem);
        } else {
            rocksdb = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-bench-rocksdb-");
        }
        LogStorage writer = open();
        List<LogEntry> batch = new ArrayList<>();
        for (long i = 1; i <= ENTRIES; i++) {
            LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_DATA);
            entry.setId(new LogId(i, 1));
            entry.setData(ByteBuffer.wrap(new byte[64]));
            batch.add(entry);
            if (batch.size() == 256) {
                if (writer.appendEntries(batch) != batch.size()) {
                    throw new IllegalStateException(storage + ": the log did not take entry " + i);
                }
                batch.clear();
            }
        }
        writer.shutdown();
    }

    private LogStorage open() {
        LogStorage storage = this.storage == Storage.DAX4J
                ? new DaxLogStorage(device.pmem, directory, "raft.log", LOG)
                : new RocksDBLogStorage(rocksdb.toString(), new RaftOptions());
        LogStorageOptions options = new LogStorageOptions();
        options.setGroupId("bench"); // JRaft runs a storage's background work in the group's thread pool
        options.setConfigurationManager(new ConfigurationManager());
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        if (!storage.init(options)) {
            throw new IllegalStateException(this.storage + ": init failed");
        }
        return storage;
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        if (device != null) {
            device.close();
        }
        if (rocksdb != null) {
            try (var files = Files.walk(rocksdb)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @TearDown(Level.Invocation)
    public void shutDown() {
        if (log.getLastLogIndex() != ENTRIES) {
            throw new IllegalStateException(storage + ": recovered " + log.getLastLogIndex() + " entries");
        }
        log.shutdown();
    }

    /** One init of a storage on the log of {@value #ENTRIES} entries. */
    @Benchmark
    public LogStorage init() {
        log = open();
        return log;
    }
}
