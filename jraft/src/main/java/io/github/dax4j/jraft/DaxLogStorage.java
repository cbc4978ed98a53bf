package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * SOFAJRaft's {@link LogStorage} on persistent memory, on dax4j's {@link WriteAheadLog}: entries are durable when
 * {@code appendEntries} returns, with one fence for the whole batch.
 *
 * <pre>{@code
 * DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem), "raft.log", 1L << 30);
 * log.init(options);       // options from JRaft: its ConfigurationManager and LogEntryCodecFactory
 * }</pre>
 *
 * <p>Every operation is one record of the write-ahead log, so each is as crash-consistent as one append: a crash
 * leaves it done or not done. A batch is one group of the log's records, one fence: a crash before
 * {@code appendEntries} returns may leave a prefix of it, never a hole (entries not yet acknowledged, as Raft
 * allows; JRaft's RocksDB storage happens to keep a batch whole). A record's payload starts with its kind and an
 * index:
 * <ul>
 *   <li>{@code ENTRY i}: entry {@code i}, as JRaft's encoder encodes it; it replaces entry {@code i} and every
 *       later one;</li>
 *   <li>{@code CONFIGURATION i}: the same for a configuration entry, so that a replay finds them without
 *       decoding the others;</li>
 *   <li>{@code TRUNCATE_SUFFIX k}: the entries after {@code k} are gone;</li>
 *   <li>{@code TRUNCATE_PREFIX k}: the entries before {@code k} are gone;</li>
 *   <li>{@code RESET n term}: every entry is gone, and a no-op placeholder of that term stands at {@code n}.</li>
 * </ul>
 * {@link #init} replays them in order into an index of the entries' LSNs, one record at a time, and hands every
 * configuration entry still in the log to JRaft's {@link ConfigurationManager}.
 *
 * <p>Threads: one writer (JRaft's log manager), any number of readers at once ({@link #getEntry},
 * {@link #getTerm}, the index bounds) without a lock: the index is published through volatile fields after the
 * records it points to are durable.
 *
 * <p>Limits of this first version: the log is linear, as the write-ahead log is, and an entry takes at least one
 * 64-byte line. Truncations write a record and reuse no space, so a log that fills its region refuses appends
 * ({@code appendEntries} returns 0 and the node reports EIO) until JRaft resets it (to install a snapshot from
 * the leader, which a lagging follower gets), which reuses the whole region; {@link #init} reads every record
 * since the last reset; at most 2^31 - 1 entries are live at once.
 */
public final class DaxLogStorage implements LogStorage {

    static final byte ENTRY = 1;
    static final byte TRUNCATE_SUFFIX = 2;
    static final byte TRUNCATE_PREFIX = 3;
    static final byte RESET = 4;
    static final byte CONFIGURATION = 5;

    private final DaxMapping pmem;
    private final Directory directory;
    private final String name;
    /** Released at the first shutdown: the shared mapping of a URI factory, or null. */
    private AutoCloseable device;
    private final long capacity;

    private WriteAheadLog wal;
    private LogEntryEncoder encoder;
    private LogEntryDecoder decoder;
    private Exception failure;

    /** The LSNs of entries {@code base} on, by index; replaced whole (reset, growth) and published through this. */
    private record Index(long base, long[] lsns) {
    }

    private volatile Index index = new Index(1, new long[16]);
    /** Resets so far: the writer's count, which readers check around a copy (see {@link #reset}). */
    private volatile long resets;
    private volatile long first = 1;
    private volatile long last;

    /**
     * @param name     the log's regions in {@code directory} (see {@link WriteAheadLog#open})
     * @param capacity the bytes of the log, when it is created
     */
    public DaxLogStorage(DaxMapping pmem, Directory directory, String name, long capacity) {
        this(pmem, directory, name, capacity, null);
        this.device = device;
    }

    /** As the public constructor, and shutting down releases {@code device} (a mapping shared by URIs). */
    DaxLogStorage(DaxMapping pmem, Directory directory, String name, long capacity, AutoCloseable device) {
        this.pmem = Objects.requireNonNull(pmem, "pmem");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.name = Objects.requireNonNull(name, "name");
        this.capacity = capacity;
        this.device = device;
    }

    /**
     * Opens (or creates) the write-ahead log, replays it, and adds every configuration entry to the options'
     * configuration manager.
     *
     * @return {@code false} if the log cannot be opened or a record is not one this class writes
     *         ({@link #initFailure()} says why)
     */
    @Override
    public synchronized boolean init(LogStorageOptions options) {
        try {
            encoder = options.getLogEntryCodecFactory().encoder();
            decoder = options.getLogEntryCodecFactory().decoder();
            wal = WriteAheadLog.open(pmem, directory, name, capacity);
            List<Long> configurationLsns = new ArrayList<>();
            wal.forEachFrom(0, (payload, lsn) -> {
                ByteBuffer record = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
                byte kind = record.get();
                long at = record.getLong();
                switch (kind) {
                    case ENTRY -> put(at, lsn);
                    case CONFIGURATION -> {
                        put(at, lsn);
                        configurationLsns.add(lsn);
                    }
                    case TRUNCATE_SUFFIX -> suffix(at);
                    case TRUNCATE_PREFIX -> prefix(at);
                    case RESET -> placeholder(at, lsn);
                    default -> throw new IllegalStateException("log " + name + ": record " + lsn + " is of kind "
                            + kind + ", not one a Raft log storage writes");
                }
            });
            // only configuration entries are decoded, those still in the log: the others' bytes stay where they are
            ConfigurationManager configurations = options.getConfigurationManager();
            for (long lsn : configurationLsns) {
                byte[] record = wal.read(lsn);
                long at = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getLong(1);
                if (configurations == null || at < first || at > last || lsnOf(at) != lsn) {
                    continue; // truncated or replaced since
                }
                LogEntry entry = decode(record);
                if (entry == null || entry.getType() != EnumOutter.EntryType.ENTRY_TYPE_CONFIGURATION) {
                    throw new IllegalStateException("log " + name + ": record " + lsn + " is marked a configuration"
                            + " entry but does not decode as one");
                }
                ConfigurationEntry configuration = new ConfigurationEntry();
                configuration.setId(new LogId(entry.getId().getIndex(), entry.getId().getTerm()));
                configuration.setConf(new Configuration(entry.getPeers(), entry.getLearners()));
                if (entry.getOldPeers() != null) {
                    configuration.setOldConf(new Configuration(entry.getOldPeers(), entry.getOldLearners()));
                }
                configurations.add(configuration);
            }
            return true;
        } catch (DirectoryException | RuntimeException e) {
            failure = e;
            return false;
        }
    }

    /** {@return why the last {@link #init} returned false, if it did} */
    public synchronized Optional<Exception> initFailure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Sets entry {@code i}'s LSN: it replaces {@code i} and every later entry.
     *
     * @throws IllegalStateException if {@code i} would leave a hole (after {@code last + 1}) or is before the first
     *                               entry: never written by {@link #appendEntries}, which refuses both
     */
    private void put(long i, long lsn) {
        if (i < first || i > last + 1) {
            throw new IllegalStateException("log " + name + ": entry " + i + " would not follow the log " + first
                    + ".." + last);
        }
        Index ix = index;
        long slot = i - ix.base();
        if (slot >= ix.lsns().length) {
            // at most 2^31 - 1 live entries: truncatePrefix rebases the index, so this counts the live ones
            long[] grown = java.util.Arrays.copyOf(ix.lsns(), Math.toIntExact(Math.max(slot + 1,
                    Math.min(2L * ix.lsns().length, Integer.MAX_VALUE))));
            ix = new Index(ix.base(), grown);
            index = ix;
        }
        LSNS.setRelease(ix.lsns(), (int) slot, lsn);
        last = i; // published after the LSN is in the index: a reader that sees it sees the LSN
    }

    /** Release stores and acquire loads of the index's slots: a slot rewritten (after a truncation) never tears. */
    private static final java.lang.invoke.VarHandle LSNS = java.lang.invoke.MethodHandles.arrayElementVarHandle(
            long[].class);

    /** Drops the entries before {@code k}; the index is rebased to {@code k}, so its size counts live entries. */
    private void prefix(long k) {
        if (k <= first) {
            return;
        }
        Index ix = index;
        long keep = Math.max(0, last - k + 1);
        long[] lsns = new long[(int) Math.max(16, keep)];
        if (keep > 0) {
            System.arraycopy(ix.lsns(), (int) (k - ix.base()), lsns, 0, (int) keep);
        }
        index = new Index(k, lsns);
        first = k;
        if (last < k - 1) {
            last = k - 1;
        }
    }

    /** Drops the entries after {@code k}, never below the first one (the same at run time and in replay). */
    private void suffix(long k) {
        if (k < last) {
            last = Math.max(k, first - 1);
        }
    }

    private void placeholder(long n, long lsn) {
        long[] lsns = new long[16];
        lsns[0] = lsn;
        index = new Index(n, lsns);
        first = n;
        last = n;
    }

    private long lsnOf(long i) {
        Index ix = index;
        long slot = i - ix.base();
        return slot < 0 || slot >= ix.lsns().length ? 0 : (long) LSNS.getAcquire(ix.lsns(), (int) slot);
    }

    private LogEntry decode(byte[] record) {
        byte[] encoded = java.util.Arrays.copyOfRange(record, 9, record.length);
        return decoder.decode(encoded);
    }

    /** Releases the mapping if a URI factory shared it (the first call only); else the mapping is the caller's. */
    @Override
    public synchronized void shutdown() {
        release(device);
        device = null;
    }

    static void release(AutoCloseable device) {
        if (device != null) {
            try {
                device.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing " + device, e);
            }
        }
    }

    /**
     * {@return the bytes left in the log} An entry takes its encoding by JRaft's codec plus 25 bytes, rounded up to
     * a multiple of 64; a truncation 64. Only a reset makes room (see the class's limits).
     *
     * @throws IllegalStateException before {@link #init}
     */
    public synchronized long bytesFree() {
        if (wal == null) {
            throw new IllegalStateException(this + ": not initialised");
        }
        return wal.bytesFree();
    }

    @Override
    public long getFirstLogIndex() {
        return first;
    }

    @Override
    public long getLastLogIndex() {
        return last;
    }

    /**
     * {@return entry {@code i}, or {@code null} if it is not in the log or cannot be read} A record damaged since it
     * was written reads as {@code null}, as with JRaft's RocksDB storage: JRaft's log manager then reports the entry
     * corrupted (EIO) instead of an exception reaching its replicator or state-machine threads.
     */
    @Override
    public LogEntry getEntry(long i) {
        long resets = this.resets;
        long last = this.last;
        if (i < first || i > last) {
            return null;
        }
        long lsn = lsnOf(i);
        if (lsn == 0) {
            return null;
        }
        byte[] record;
        try {
            record = wal.read(lsn);
        } catch (RuntimeException damaged) {
            return null;
        }
        java.lang.invoke.VarHandle.loadLoadFence();
        if (resets != this.resets) {
            return null; // the log was reset meanwhile: entry i is gone, and the copy may be of what replaced it
        }
        try {
            return entryAt(record);
        } catch (RuntimeException damaged) {
            return null;
        }
    }

    private LogEntry entryAt(byte[] bytes) {
        ByteBuffer record = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte kind = record.get();
        long at = record.getLong();
        if (kind == RESET) {
            LogEntry placeholder = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_NO_OP);
            placeholder.setId(new LogId(at, record.getLong()));
            return placeholder;
        }
        return decoder.decode(java.util.Arrays.copyOfRange(record.array(), 9, record.capacity()));
    }

    @Override
    @Deprecated
    public long getTerm(long i) {
        LogEntry entry = getEntry(i);
        return entry == null ? 0 : entry.getId().getTerm();
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        return appendEntries(List.of(entry)) == 1;
    }

    /**
     * {@return the number of entries appended: all of them, durable, or 0 if the log is full or the entries do not
     * follow the log (a hole after its last entry, an entry before its first, indexes not consecutive)}
     */
    @Override
    public synchronized int appendEntries(List<LogEntry> entries) {
        if (entries == null || entries.isEmpty()) {
            return 0;
        }
        long next = entries.getFirst().getId().getIndex();
        if (next < first || next > last + 1) {
            return 0; // a hole, or before the first entry: refused before anything is written
        }
        for (LogEntry entry : entries) {
            if (entry.getId().getIndex() != next++) {
                return 0; // not consecutive
            }
        }
        List<byte[]> records = new ArrayList<>(entries.size());
        for (LogEntry entry : entries) {
            byte[] encoded = encoder.encode(entry);
            byte kind = entry.getType() == EnumOutter.EntryType.ENTRY_TYPE_CONFIGURATION ? CONFIGURATION : ENTRY;
            records.add(ByteBuffer.allocate(9 + encoded.length).order(ByteOrder.LITTLE_ENDIAN).put(kind)
                    .putLong(entry.getId().getIndex()).put(encoded).array());
        }
        List<Long> lsns;
        try {
            lsns = wal.append(records);
        } catch (IllegalStateException full) {
            return 0; // refused before anything was written
        }
        for (int e = 0; e < entries.size(); e++) {
            put(entries.get(e).getId().getIndex(), lsns.get(e));
        }
        return entries.size();
    }

    private boolean control(byte kind, long at, long term) {
        try {
            wal.append(ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN).put(kind).putLong(at).putLong(term)
                    .array());
            return true;
        } catch (IllegalStateException full) {
            return false;
        }
    }

    @Override
    public synchronized boolean truncatePrefix(long firstIndexKept) {
        if (firstIndexKept <= first) {
            return true;
        }
        if (!control(TRUNCATE_PREFIX, firstIndexKept, 0)) {
            return false;
        }
        prefix(firstIndexKept);
        return true;
    }

    @Override
    public synchronized boolean truncateSuffix(long lastIndexKept) {
        if (lastIndexKept >= last) {
            return true;
        }
        if (!control(TRUNCATE_SUFFIX, lastIndexKept, 0)) {
            return false;
        }
        suffix(lastIndexKept);
        return true;
    }

    /**
     * Drops every entry and starts the log over: the write-ahead log itself is reset (its space reused from the
     * start), then a {@code RESET} record placed, so a reset in flight at a crash leaves the old log, the new one,
     * or an empty one. The empty one is also what JRaft's RocksDB storage leaves there (it destroys and recreates
     * its database): JRaft resets a log only to install a snapshot it already holds, and truncates an empty log to
     * after that snapshot when it loads it at start.
     */
    @Override
    public synchronized boolean reset(long nextLogIndex) {
        if (nextLogIndex <= 0) {
            throw new IllegalArgumentException("reset to " + nextLogIndex + ": an index is at least 1");
        }
        LogEntry kept = getEntry(nextLogIndex);
        long term = kept == null ? 0 : kept.getId().getTerm();
        // readers that looked up an LSN before this may be copying a record that the appends after it overwrite:
        // they see the count change after their copy and return null (a seqlock; the fence orders the count before
        // the head and record stores, the readers' fence their copy before their second look)
        resets++;
        java.lang.invoke.VarHandle.fullFence();
        try {
            wal.reset();
        } catch (IllegalStateException noGenerationLeft) {
            return false; // nothing written
        }
        List<Long> lsn;
        try {
            lsn = wal.append(List.of(ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN).put(RESET)
                    .putLong(nextLogIndex).putLong(term).array()));
        } catch (IllegalStateException noRoom) {
            index = new Index(1, new long[16]); // a log too small for one record: empty now, as after a crash here
            first = 1;
            last = 0;
            return false;
        }
        placeholder(nextLogIndex, lsn.getFirst());
        return true;
    }

    @Override
    public String toString() {
        return "DaxLogStorage[" + name + " in " + pmem.path() + ", entries " + first + " to " + last + "]";
    }
}
