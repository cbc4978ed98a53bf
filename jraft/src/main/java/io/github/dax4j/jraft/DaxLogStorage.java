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
 * <p>The log lives in two write-ahead logs of half the capacity each, {@code <name>} and {@code <name>.1} (each
 * with its {@code .head} region), one of them active. Every operation is one record of the active one, so each is
 * as crash-consistent as one append: a crash leaves it done or not done. A batch is one group of the log's
 * records, one fence: a crash before {@code appendEntries} returns may leave a prefix of it, never a hole (entries
 * not yet acknowledged, as Raft allows; JRaft's RocksDB storage happens to keep a batch whole). A record's payload
 * starts with its kind and an index:
 * <ul>
 *   <li>{@code ENTRY i}: entry {@code i}, as JRaft's encoder encodes it; it replaces entry {@code i} and every
 *       later one;</li>
 *   <li>{@code CONFIGURATION i}: the same for a configuration entry, so that a replay finds them without
 *       decoding the others;</li>
 *   <li>{@code TRUNCATE_SUFFIX k}: the entries after {@code k} are gone;</li>
 *   <li>{@code TRUNCATE_PREFIX k}: the entries before {@code k} are gone;</li>
 *   <li>{@code RESET n term}: every entry is gone, and a no-op placeholder of that term stands at {@code n};</li>
 *   <li>{@code BASE k epoch} and {@code SEALED epoch}: the first and the closing record of a switch (below).</li>
 * </ul>
 *
 * <p><b>Space.</b> When a batch does not fit the active log, the live entries are copied to the other one, which
 * then becomes active (a switch): it is reset, and gets {@code BASE first e} (e one more than the active epoch),
 * a copy of every live entry's record, and once those are durable {@code SEALED e}. {@link #init} replays the
 * sealed log of the highest epoch (a log that never switched has epoch 0 and no {@code BASE}); an unsealed one is
 * a switch a crash interrupted, and is ignored. A {@link #reset} is a switch too, with no entry to copy and a
 * {@code RESET} record before the seal: a crash leaves the log before or after it, never empty. A truncation that
 * finds the active log full is a switch that copies only the entries kept. A switch copies the live entries on
 * the appending thread (JRaft's log manager: the node's appends wait for it); after a snapshot truncated the log
 * that is little, once per half-log of appends. Usable space is therefore under half the capacity: as the live
 * entries approach a half, switches come more often and copy more, and a log whose live entries fill a half
 * refuses appends ({@code appendEntries} returns 0, the node reports EIO), as a full disk does RocksDB's.
 *
 * <p>{@link #init} replays both logs' records in order into indexes of LSNs, one record at a time, and hands
 * every configuration entry still in the active log to JRaft's {@link ConfigurationManager}.
 *
 * <p>Threads: one writer (JRaft's log manager), any number of readers at once ({@link #getEntry},
 * {@link #getTerm}, the index bounds) without a lock: the index is published through volatile fields after the
 * records it points to are durable, and a reader whose copy of a record raced a switch reads again (a seqlock on
 * the count of switches), so an entry in the log never reads as {@code null}, which JRaft would take for damage.
 *
 * <p>Limits: an entry takes at least one 64-byte line; at most 2^31 - 1 entries are live at once; each log has
 * 2^23 - 1 generations, one per open and per switch into it.
 */
public final class DaxLogStorage implements LogStorage {

    static final byte ENTRY = 1;
    static final byte TRUNCATE_SUFFIX = 2;
    static final byte TRUNCATE_PREFIX = 3;
    static final byte RESET = 4;
    static final byte CONFIGURATION = 5;
    static final byte BASE = 6;
    static final byte SEALED = 7;
    /** The offset bits of an LSN (see {@link WriteAheadLog}). */
    private static final long OFFSET = (1L << 40) - 1;

    private final DaxMapping pmem;
    private final Directory directory;
    private final String name;
    /** Released at the first shutdown: the shared mapping of a URI factory, or null. */
    private AutoCloseable device;
    private final long capacity;

    /** The two logs, {@code <name>} and {@code <name>.1}; the active one is {@code index.wal()}. */
    private final WriteAheadLog[] wals = new WriteAheadLog[2];
    /** The active log's epoch: 0 before the first switch, one more at each. */
    private long epoch;
    private LogEntryEncoder encoder;
    private LogEntryDecoder decoder;
    private Exception failure;

    /**
     * The LSNs in {@code wal} of entries {@code base} on, by index; replaced whole (prefix truncation, growth, a
     * switch) and published through {@link #index}.
     */
    private record Index(long base, long[] lsns, WriteAheadLog wal) {
    }

    private volatile Index index = new Index(1, new long[16], null);
    /** Switches so far: the writer's count, which readers check around a copy (see {@link #switchTo}). */
    private volatile long switches;
    private volatile long first = 1;
    private volatile long last;

    /**
     * @param name     the log's regions in {@code directory} (see {@link WriteAheadLog#open})
     * @param capacity the bytes of the log, when it is created
     */
    public DaxLogStorage(DaxMapping pmem, Directory directory, String name, long capacity) {
        this(pmem, directory, name, capacity, null);
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
     * Opens (or creates) the two write-ahead logs, replays them, and adds every configuration entry of the active
     * one to the options' configuration manager.
     *
     * @return {@code false} if a log cannot be opened, neither holds a sealed epoch, or a record is not one this
     *         class writes ({@link #failure()} says why)
     */
    @Override
    public synchronized boolean init(LogStorageOptions options) {
        try {
            encoder = options.getLogEntryCodecFactory().encoder();
            decoder = options.getLogEntryCodecFactory().decoder();
            wals[0] = WriteAheadLog.open(pmem, directory, name, capacity / 2);
            wals[1] = WriteAheadLog.open(pmem, directory, name + ".1", capacity / 2);
            Replayed zero = replay(wals[0]);
            Replayed one = replay(wals[1]);
            if (zero.epoch() < 0 && one.epoch() < 0) {
                throw new IllegalStateException("log " + name + ": neither " + name + " nor " + name + ".1 holds a"
                        + " sealed epoch (each begins a switch that never ended)");
            }
            Replayed active = one.epoch() > zero.epoch() ? one : zero;
            index = active.index();
            first = active.first();
            last = active.last();
            epoch = active.epoch();
            // only configuration entries are decoded, those still in the log: the others' bytes stay where they are
            ConfigurationManager configurations = options.getConfigurationManager();
            for (long lsn : active.configurations()) {
                byte[] record = index.wal().read(lsn);
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
            release(device); // JRaft does not shut down a storage whose init failed
            device = null;
            return false;
        }
    }

    /**
     * One log replayed: its epoch (0 for a log that never had a {@code BASE}, -1 for an unsealed switch), the
     * index, bounds and configuration entries' LSNs its records leave.
     */
    private record Replayed(long epoch, Index index, long first, long last, List<Long> configurations) {
    }

    /** Replays {@code wal} into this storage's index and bounds, and returns what they became. */
    private Replayed replay(WriteAheadLog wal) {
        index = new Index(1, new long[16], wal);
        first = 1;
        last = 0;
        List<Long> configurations = new ArrayList<>();
        long[] based = {0, 0}; // the BASE's epoch (0: none), and whether its SEALED came
        boolean[] begun = {false};
        wal.forEachFrom(0, (payload, lsn) -> {
            ByteBuffer record = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            byte kind = record.get();
            long at = record.getLong();
            if (!begun[0] && kind == BASE) {
                based[0] = record.getLong();
            } else if (kind == BASE || (kind == SEALED && (based[0] == 0 || at != based[0] || based[1] != 0))) {
                throw new IllegalStateException("log " + wal + ": record " + lsn + " (" + (kind == BASE ? "BASE"
                        : "SEALED " + at) + ") is out of place");
            }
            begun[0] = true;
            switch (kind) {
                case ENTRY -> put(at, lsn);
                case CONFIGURATION -> {
                    put(at, lsn);
                    configurations.add(lsn);
                }
                case TRUNCATE_SUFFIX -> suffix(at);
                case TRUNCATE_PREFIX -> prefix(at);
                case RESET -> placeholder(at, lsn);
                case BASE -> {
                    index = new Index(at, new long[16], wal);
                    first = at;
                    last = at - 1;
                }
                case SEALED -> based[1] = 1;
                default -> throw new IllegalStateException("log " + wal + ": record " + lsn + " is of kind "
                        + kind + ", not one a Raft log storage writes");
            }
        });
        long epochOf = based[0] == 0 ? 0 : based[1] != 0 ? based[0] : -1;
        return new Replayed(epochOf, index, first, last, configurations);
    }

    /**
     * {@return why the last call that failed did, if one did: {@link #init} returning false, an append returning
     * less than its entries, a truncation or reset returning false} JRaft itself reports only EIO.
     */
    public synchronized Optional<Exception> failure() {
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
            ix = new Index(ix.base(), grown, ix.wal());
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
        // the bound moves before the index: a reader that sees the new index sees the new bound with it, and never
        // reads an entry below it as null while the old bound still says it is in the log
        first = k;
        index = new Index(k, lsns, ix.wal());
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
        index = new Index(n, lsns, index.wal());
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
     * {@return the bytes left in the active log} An entry takes its encoding by JRaft's codec plus 25 bytes,
     * rounded up to a multiple of 64; a truncation 64. When a batch does not fit, the log switches (see the class).
     *
     * @throws IllegalStateException before {@link #init}
     */
    public synchronized long bytesFree() {
        if (index.wal() == null) {
            throw new IllegalStateException(this + ": not initialised");
        }
        return index.wal().bytesFree();
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
     * {@return entry {@code i}, or {@code null} if it is not in the log or its record was damaged since it was
     * written} JRaft reads {@code null} for an index in its bounds as a corrupted entry (EIO, and the node stops),
     * so a reader that raced a switch of halves reads again rather than return it; a damaged record reads as
     * {@code null}, as with JRaft's RocksDB storage, instead of an exception reaching JRaft's replicator or
     * state-machine threads.
     */
    @Override
    public LogEntry getEntry(long i) {
        while (true) {
            long switches = this.switches;
            long last = this.last;
            Index ix = index;
            if (i < first || i > last || ix.wal() == null) {
                return null;
            }
            long slot = i - ix.base();
            long lsn = slot < 0 || slot >= ix.lsns().length ? 0 : (long) LSNS.getAcquire(ix.lsns(), (int) slot);
            byte[] record = null;
            if (lsn != 0) {
                try {
                    record = ix.wal().read(lsn);
                } catch (RuntimeException damagedOrOverwritten) {
                    // told apart below: damaged if no switch ran meanwhile
                }
            }
            java.lang.invoke.VarHandle.loadLoadFence();
            if (switches != this.switches) {
                continue; // a switch ran meanwhile: the copy may be of a record written over this one, or stale
            }
            if (record == null) {
                return null;
            }
            try {
                return entryAt(record);
            } catch (RuntimeException damaged) {
                return null;
            }
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
            failure = new IllegalArgumentException(this + ": an append from entry " + next + " would not follow it");
            return 0; // a hole, or before the first entry: refused before anything is written
        }
        for (LogEntry entry : entries) {
            if (entry.getId().getIndex() != next++) {
                failure = new IllegalArgumentException(this + ": an append's entries are not consecutive at "
                        + entry.getId().getIndex());
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
        long needed = 0;
        for (byte[] record : records) {
            needed += (16 + record.length + 63) & -64L; // the log's header, the payload, whole lines
        }
        if (needed > index.wal().bytesFree() && !switchTo(first, last, List.of(), needed)) {
            return 0; // the live entries fill a half: nothing written to the active log
        }
        List<Long> lsns;
        try {
            lsns = index.wal().append(records);
        } catch (IllegalStateException full) {
            failure = full;
            return 0; // refused before anything was written
        }
        for (int e = 0; e < entries.size(); e++) {
            put(entries.get(e).getId().getIndex(), lsns.get(e));
        }
        return entries.size();
    }

    private static byte[] record(byte kind, long at, long value) {
        return ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN).put(kind).putLong(at).putLong(value).array();
    }

    private boolean control(byte kind, long at, long term) {
        try {
            index.wal().append(record(kind, at, term));
            return true;
        } catch (IllegalStateException full) {
            failure = full;
            return false;
        }
    }

    @Override
    public synchronized boolean truncatePrefix(long firstIndexKept) {
        if (firstIndexKept <= first) {
            return true;
        }
        if (index.wal().bytesFree() < 64) {
            return switchTo(firstIndexKept, last, List.of(), 0); // a full log truncates by switching halves
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
        if (index.wal().bytesFree() < 64) {
            return switchTo(first, lastIndexKept, List.of(), 0); // a full log truncates by switching halves
        }
        if (!control(TRUNCATE_SUFFIX, lastIndexKept, 0)) {
            return false;
        }
        suffix(lastIndexKept);
        return true;
    }

    /**
     * Drops every entry and starts the log over at {@code nextLogIndex}, with a no-op placeholder of the old entry's
     * term there (0 if there was none): a switch to the other log with no entry copied, so a crash leaves the log
     * as it was or reset, never in between (JRaft's RocksDB storage, which destroys and recreates its database, may
     * be left empty).
     */
    @Override
    public synchronized boolean reset(long nextLogIndex) {
        if (nextLogIndex <= 0) {
            throw new IllegalArgumentException("reset to " + nextLogIndex + ": an index is at least 1");
        }
        LogEntry kept = getEntry(nextLogIndex);
        long term = kept == null ? 0 : kept.getId().getTerm();
        return switchTo(nextLogIndex, nextLogIndex - 1, List.of(record(RESET, nextLogIndex, term)), 0);
    }

    /**
     * Switches to the other log: resets it, writes {@code BASE base e}, a copy of the records of the live entries
     * {@code base} to {@code upTo} (none if {@code upTo < base}), then {@code tail}, and once all are durable
     * {@code SEALED e}; then makes it the active one, with {@code room} bytes free after it. The log is then
     * {@code base} to {@code upTo} (or to {@code base}, a reset's placeholder, if there is a tail): a switch is
     * also how a full log truncates.
     *
     * @return false if the other log cannot hold them with {@code room} to spare, has no generation left, or a live
     *         record cannot be read: the active log stays as it was, and the other one unsealed (ignored by a
     *         replay)
     */
    private boolean switchTo(long base, long upTo, List<byte[]> tail, long room) {
        try {
            return switchOrRefuse(base, upTo, tail, room);
        } catch (RuntimeException e) {
            failure = e;
            return false;
        }
    }

    private boolean switchOrRefuse(long base, long upTo, List<byte[]> tail, long room) {
        WriteAheadLog from = index.wal();
        WriteAheadLog to = from == wals[0] ? wals[1] : wals[0];
        long next = epoch + 1;
        long size = 128L + 64L * tail.size(); // BASE, SEALED, the tail's one-line records
        long copied = Math.max(0, Math.min(upTo, last) - Math.max(base, first) + 1);
        long from0 = Math.max(base, first);
        if (copied > 0) {
            // the live records lie between the first one copied and the tail (an LSN's low 40 bits are its offset):
            // that span bounds their size; only when it does not fit are they measured one by one
            long span = (from.tail() & OFFSET) - (lsnOf(from0) & OFFSET);
            if (size + span + room > to.capacity()) {
                for (long i = from0; i < from0 + copied; i++) {
                    size += (16 + from.read(lsnOf(i)).length + 63) & -64L;
                }
            } else {
                size += span;
            }
        }
        if (size + room > to.capacity()) {
            failure = new IllegalStateException("log " + name + " is full: its " + copied + " live entries and "
                    + room + " bytes to append need " + (size + room) + " bytes of a half of " + to.capacity());
            return false;
        }
        // readers that looked up an LSN of the other log before its last switch may be copying a record its reset
        // lets this switch write over: they see the count change after their copy and return null (a seqlock; the
        // fence orders the count before the head and record stores, the readers' fence their copy before their
        // second look)
        switches++;
        java.lang.invoke.VarHandle.fullFence();
        to.reset();
        to.append(record(BASE, base, next));
        List<Long> lsns = new ArrayList<>();
        List<byte[]> chunk = new ArrayList<>();
        for (long i = from0; i < from0 + copied; i++) { // in groups of 256, one fence each: the heap holds one
            chunk.add(from.read(lsnOf(i)));
            if (chunk.size() == 256 || i == from0 + copied - 1) {
                lsns.addAll(to.append(chunk));
                chunk.clear();
            }
        }
        if (!tail.isEmpty()) {
            lsns.addAll(to.append(tail));
        }
        to.append(record(SEALED, next, 0)); // after every record before it is durable: the switch, in one store
        long[] slots = new long[(int) Math.max(16, copied + tail.size())];
        for (int r = 0; r < lsns.size(); r++) {
            slots[r] = lsns.get(r); // the copies, or a reset's placeholder (at base)
        }
        long newLast = !tail.isEmpty() ? base : copied > 0 ? from0 + copied - 1 : base - 1;
        // bounds that shrink move before the index, so that a reader that sees the new index sees them (it would
        // find nothing outside them there), and bounds that grow after it (the old index holds nothing beyond the
        // old ones); the old half's records stay readable until the next switch resets it
        if (base >= first) {
            first = base;
        }
        if (newLast <= last) {
            last = newLast;
        }
        index = new Index(base, slots, to);
        first = base;
        last = newLast;
        epoch = next;
        return true;
    }

    @Override
    public String toString() {
        return "DaxLogStorage[" + name + " in " + pmem.path() + ", entries " + first + " to " + last + ", epoch "
                + epoch + "]";
    }
}
