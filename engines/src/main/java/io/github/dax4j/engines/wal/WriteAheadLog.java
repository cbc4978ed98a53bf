package io.github.dax4j.engines.wal;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;
import io.github.dax4j.PersistFlag;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A write-ahead log on persistent memory: {@link #append} returns a record's log sequence number only once the
 * record is durable; recovery finds the durable tail by checking every record's CRC.
 *
 * <pre>{@code
 * try (DaxMapping pmem = DaxMapping.open(path, MapOptions.ofLength(64L << 20).createIfAbsent())) {
 *     WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 32L << 20);  // recovers the tail
 *     long lsn = log.append("put k v".getBytes(UTF_8));        // durable when it returns
 *     List<Long> group = log.append(List.of(a, b, c));          // three records, one fence
 *     for (byte[] record : log.readFrom(log.head())) { ... }   // replay
 *     byte[] second = log.read(group.get(1));                 // one record by its LSN
 *     log.truncate(lsn);                                        // drop what a checkpoint made redundant
 * }
 * }</pre>
 *
 * <p>It lives in two regions of the device's {@link Directory}: {@code <name>.head} (two copies of the head, a
 * cache line each) and {@code <name>} (the log bytes). A head copy holds the LSN of the first live record, moved by
 * {@link #truncate}, and the newest generation:
 * <pre>
 *  0              8              16       20       24                              64
 *  +--------------+--------------+--------+--------+-------------------------------+
 *  | head LSN     | generation   | version| CRC32C | zero                          |
 *  +--------------+--------------+--------+--------+-------------------------------+
 * </pre>
 * {@code version} is the log's format version, {@value #FORMAT_VERSION}: a head of another version is refused
 * (H2), never read under this one's rules.
 * A record starts and ends on a cache line (64 bytes), so no two records share a line and every record is whole
 * lines, written with non-temporal stores (a log line is written once and not read before recovery: it need not
 * pass through the cache):
 * <pre>
 *  0        4        8                16
 *  +--------+--------+----------------+------------------------------+---------+
 *  | length | CRC32C | LSN            | payload (length bytes)       | padding |
 *  +--------+--------+----------------+------------------------------+---------+
 * </pre>
 * The record's CRC covers the LSN and the payload. An LSN is a generation (the high 24 bits, of which the top one
 * stays clear so that LSNs are positive and compare as numbers) and the record's offset in the log (the low 40
 * bits). Every {@link #open} and every {@link #reset} starts a new generation, so LSNs
 * grow along the log, and a record left behind a recovered tail (a later record of a group whose earlier one was
 * torn) or from before a reset is of an older generation than the records written after it: it never passes as one.
 *
 * <p>The head's invariants, checked by every {@link #open} (and so by {@code dax4j check}); the first one broken is
 * named in the {@code CORRUPTED} error, never read as a head:
 * <ol>
 *   <li>H1: a copy is intact when the CRC32C of its first 20 bytes is at byte 20 and its bytes 24-63 are zero.
 *       Copy 1 is used when it is intact, else copy 0. Neither intact is damage, except for a new log: copy 0 all
 *       zero, copy 1 all zero or a tear of the first write (head 0, generation 1, version 1: each 8-byte word
 *       either zero or that write's), and the log's first record header zero.</li>
 *   <li>H2: the copy's format version is {@value #FORMAT_VERSION}.</li>
 *   <li>H3: the generation of the copy used is between 1 and 2^23 - 1.</li>
 *   <li>H4: the head LSN's generation is at most that generation.</li>
 *   <li>H5: the head LSN's offset is a multiple of 64 and at most the log's size.</li>
 * </ol>
 * The records' rules cannot tell damage from a torn tail, so the first record that breaks one ends the log: at an
 * offset, starting at the head's, a record has a length from 1 to what fits in the log, an LSN that carries that
 * offset and a generation no older than the previous record's and older than this opening's, and a matching CRC.
 * An LSN given to {@link #readFrom} or {@link #truncate} is a record's only if this walk reaches it: bytes inside a
 * payload that look like a record never pass as one.
 *
 * <p>Protocol:
 * <ol>
 *   <li>Append: write header, payload and padding at the tail with one non-temporal {@code copy}; return when it
 *       is durable. Group append writes every record with {@code NO_DRAIN}, then drains once.</li>
 *   <li>Recover: from the head, accept records by the rules above; the first record that fails ends the log (a
 *       torn or half-written tail is cut, never returned). Nothing was appended after a record before that record
 *       was durable, except within a group, whose records were acknowledged only after its single drain. Then
 *       write the head with generation + 1, before any append.</li>
 *   <li>Write the head (recover, truncate, reset): copy 1, persisted, then copy 0, persisted. A crash tears at
 *       most one copy and the other holds the head from before (copy 1 torn) or after (copy 0 torn) the write;
 *       after a write both are equal, so damage to one copy alone loses nothing.</li>
 *   <li>Truncate: write the head with the new head LSN.</li>
 *   <li>Reset: write the head with offset 0 and the generation both of the next generation.</li>
 * </ol>
 * The log is linear: appends past the end of the region fail. One writer: every method but {@link #read} (and
 * the accessors) runs on one thread at a time; {@link #read} may run on others meanwhile, while that thread appends
 * or truncates (not while it resets, which writes over old records). Opened on a read-only
 * mapping, it recovers and reads without writing anything; append, truncate and reset then throw
 * {@link java.nio.ReadOnlyBufferException}.
 */
public final class WriteAheadLog {

    static final int HEADER = 16;
    private static final long OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    /** 2^23 - 1: the LSN's top bit stays clear, so LSNs are positive {@code long}s that order as numbers. */
    private static final long MAX_GENERATION = (1L << (63 - OFFSET_BITS)) - 1;
    /** One copy of the head; the region holds two. */
    static final StructLayout HEAD = MemoryLayout.structLayout(JAVA_LONG.withName("head"),
            JAVA_LONG.withName("generation"), JAVA_INT.withName("version"), JAVA_INT.withName("crc"),
            MemoryLayout.paddingLayout(40));
    /** The on-device format this class reads and writes; another is refused at open (H2). */
    public static final int FORMAT_VERSION = 1;
    private static final int HEAD_VERSION = 16;
    private static final int HEAD_CRC = 20;
    private static final MemoryLayout BLOCK = MemoryLayout.structLayout(MemoryLayout.paddingLayout(64));

    private final DaxMapping pmem;
    private final String name;
    private final long base;
    private final long capacity;
    private final long headAt;
    /** Volatile: {@link #read} may run on other threads than the one writer. */
    private volatile long head;
    private volatile long tail;
    /** Where a record is put together before its one copy into the log; reused, since there is one writer. */
    private MemorySegment staging = Arena.ofAuto().allocate(4096, 64);

    private WriteAheadLog(DaxMapping pmem, String name, long base, long capacity, long headAt, long head, long tail) {
        this.pmem = pmem;
        this.name = name;
        this.base = base;
        this.capacity = capacity;
        this.headAt = headAt;
        this.head = head;
        this.tail = tail;
    }

    /**
     * Opens the log called {@code name} in {@code directory}, creating it with {@code capacity} bytes (rounded up
     * to 64) if it does not exist, checks its head, recovers its tail and durably starts a new generation for this
     * opening's appends (on a read-only mapping: recovers only).
     *
     * @throws IllegalArgumentException      if {@code capacity} is not between 64 bytes and 1 TiB (an LSN's offset
     *                                       has 40 bits), checked before anything is written
     * @throws DirectoryException            {@code CORRUPTED} if the head breaks an invariant (H1-H5), naming it,
     *                                       or the regions are not a log's (two head copies, at most 1 TiB of log);
     *                                       {@code LAYOUT_MISMATCH} if a region of that name is something else;
     *                                       {@code FULL} if a new log does not fit (then no region is left)
     * @throws IllegalStateException         if the log has used up its 2^23 - 1 generations (each open and each
     *                                       reset takes one)
     * @throws java.nio.ReadOnlyBufferException if {@code pmem} is read-only and the log does not exist
     */
    public static WriteAheadLog open(DaxMapping pmem, Directory directory, String name, long capacity)
            throws DirectoryException {
        Objects.requireNonNull(pmem, "pmem");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(name, "name");
        if (capacity < 64 || capacity > 1L << OFFSET_BITS) {
            // before the head region is created: a refused open leaves no region behind
            throw new IllegalArgumentException("log " + name + ": capacity " + capacity + " bytes is not between 64"
                    + " and " + (1L << OFFSET_BITS) + " (1 TiB: an LSN's offset has " + OFFSET_BITS + " bits)");
        }
        boolean newHead = directory.find(name + ".head").isEmpty();
        FixedRegion heads = directory.openOrCreate(name + ".head", HEAD, 2, RegionAlignment.CACHE_LINE, false);
        FixedRegion log;
        try {
            log = directory.openOrCreate(name, BLOCK, (capacity + 63) / 64, RegionAlignment.CACHE_LINE, false);
        } catch (DirectoryException | RuntimeException e) {
            if (newHead) {
                directory.delete(name + ".head"); // a refused open leaves no half of a log behind
            }
            throw e;
        }
        if (heads.count() != 2 || log.info().byteSize() > 1L << OFFSET_BITS) {
            // the directory keeps its own invariants, not the log's: an entry forged to one head copy would let
            // the second copy's write land on whatever the directory placed after it
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, "log " + name + " in " + pmem.path()
                    + " is not a log's: " + heads.count() + " head copies (2 expected), " + log.info().byteSize()
                    + " bytes of log (at most " + (1L << OFFSET_BITS) + ")");
        }
        long headAt = heads.elementOffset(0);
        long base = log.elementOffset(0);
        long size = log.info().byteSize();
        // every read goes through the mapping's accessors, never segment(): a crash simulator then decides what a
        // byte holds only when recovery reads it, and a record only as whole or torn (crc32cMatches)
        long[] stored = readHead(headAt, base, name + ".head", size, pmem);
        long first = stored[0];
        long generation = stored[1] + (pmem.isReadOnly() ? 0 : 1);
        if (generation > MAX_GENERATION) {
            throw new IllegalStateException("log " + name + " has used all its " + MAX_GENERATION + " generations");
        }
        long end = first;
        for (long next = first; next >= 0; next = validRecordEnd(pmem, base, size, end, stored[1] + 1)) {
            end = next;
        }
        WriteAheadLog wal = new WriteAheadLog(pmem, name, base, size, headAt, first,
                generation << OFFSET_BITS | end & OFFSET_MASK);
        if (!pmem.isReadOnly()) {
            // every record past the recovered tail is of an older generation than anything appended from now on
            wal.writeHead(first, generation);
        }
        return wal;
    }

    /**
     * {@return the head LSN and generation of the head copy in use, both 0 for a new log}
     *
     * @throws DirectoryException {@code CORRUPTED} naming the first invariant (H1-H5) the head breaks
     */
    private static long[] readHead(long at, long base, String region, long size, DaxMapping pmem)
            throws DirectoryException {
        MemorySegment copy1 = copy(pmem, at + HEAD.byteSize(), HEAD.byteSize());
        MemorySegment copy0 = copy(pmem, at, HEAD.byteSize());
        MemorySegment used = isIntact(copy1) ? copy1 : isIntact(copy0) ? copy0 : null;
        String where = "head region '" + region + "' in " + pmem.path();
        if (used == null) {
            if (isNew(copy0, copy1, copy(pmem, base, HEADER))) {
                return new long[] {0, 0}; // never written, or its first write torn in copy 1
            }
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, where + " breaks H1: neither copy is "
                    + "intact (CRC32C " + crcOf(copy1) + " and " + crcOf(copy0) + " computed, " + storedCrc(copy1)
                    + " and " + storedCrc(copy0) + " stored, or bytes 24-63 not zero)");
        }
        long head = used.get(JAVA_LONG_UNALIGNED, 0);
        long generation = used.get(JAVA_LONG_UNALIGNED, 8);
        String copy = where + ", copy " + (used == copy1 ? 1 : 0);
        int version = used.get(JAVA_INT_UNALIGNED, HEAD_VERSION);
        if (version != FORMAT_VERSION) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, copy + ", breaks H2: format version "
                    + version + "; this dax4j reads version " + FORMAT_VERSION + " (a log written by another"
                    + " dax4j is refused, never read under this one's rules)");
        }
        if (generation < 1 || generation > MAX_GENERATION) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, copy + ", breaks H3: generation "
                    + generation + " is not between 1 and " + MAX_GENERATION);
        }
        if (generation(head) > generation) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, copy + ", breaks H4: head LSN 0x"
                    + Long.toHexString(head) + " is of generation " + generation(head) + ", after the head's "
                    + generation);
        }
        if ((head & 63) != 0 || (head & OFFSET_MASK) > size) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, copy + ", breaks H5: head LSN 0x"
                    + Long.toHexString(head) + " has offset " + (head & OFFSET_MASK) + ", not a multiple of 64 in "
                    + "the log's " + size + " bytes");
        }
        return new long[] {head, generation};
    }

    /**
     * {@return whether the head and log are those of a log whose first head write (head 0, generation 1, copy 1
     * first) never completed} Copy 0 was not written, each 8-byte word of copy 1 is zero or that write's, and
     * nothing was appended.
     */
    private static boolean isNew(MemorySegment copy0, MemorySegment copy1, MemorySegment firstRecord) {
        MemorySegment first = MemorySegment.ofArray(new byte[(int) HEAD.byteSize()]);
        first.set(JAVA_LONG_UNALIGNED, 8, 1);
        first.set(JAVA_INT_UNALIGNED, HEAD_VERSION, FORMAT_VERSION);
        first.set(JAVA_INT_UNALIGNED, HEAD_CRC, crcOf(first));
        for (long word = 0; word < HEAD.byteSize(); word += 8) {
            long torn = copy1.get(JAVA_LONG_UNALIGNED, word);
            if (copy0.get(JAVA_LONG_UNALIGNED, word) != 0 || torn != 0 && torn != first.get(JAVA_LONG_UNALIGNED,
                    word)) {
                return false;
            }
        }
        return firstRecord.asByteBuffer().equals(java.nio.ByteBuffer.allocate(HEADER));
    }

    /** {@return a heap copy of {@code [offset, offset + length)}, read through the mapping's accessors} */
    private static MemorySegment copy(DaxMapping pmem, long offset, long length) {
        MemorySegment copy = MemorySegment.ofArray(new byte[Math.toIntExact(length)]);
        pmem.read(offset, copy);
        return copy;
    }

    private static boolean isIntact(MemorySegment copy) {
        for (long at = HEAD_CRC + 4; at < copy.byteSize(); at++) {
            if (copy.get(JAVA_BYTE, at) != 0) {
                return false;
            }
        }
        return storedCrc(copy) == crcOf(copy);
    }

    private static int storedCrc(MemorySegment copy) {
        return copy.get(JAVA_INT_UNALIGNED, HEAD_CRC);
    }

    private static int crcOf(MemorySegment copy) {
        CRC32C crc = new CRC32C();
        crc.update(copy.asSlice(0, HEAD_CRC).asByteBuffer());
        return (int) crc.getValue();
    }

    /** Writes both head copies, copy 1 then copy 0, each persisted (protocol step 3). */
    private void writeHead(long newHead, long generation) {
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) HEAD.byteSize()]);
        copy.set(JAVA_LONG_UNALIGNED, 0, newHead);
        copy.set(JAVA_LONG_UNALIGNED, 8, generation);
        copy.set(JAVA_INT_UNALIGNED, HEAD_VERSION, FORMAT_VERSION);
        copy.set(JAVA_INT_UNALIGNED, HEAD_CRC, crcOf(copy));
        pmem.copy(headAt + HEAD.byteSize(), copy);
        pmem.copy(headAt, copy);
        head = newHead;
    }

    private static long generation(long lsn) {
        return lsn >>> OFFSET_BITS;
    }

    /**
     * {@return the LSN right after the intact record that follows the one ending at {@code lsn}, or -1 if there is
     * none} A record follows when it lies at {@code lsn}'s offset, carries that offset, is of {@code lsn}'s
     * generation or a later one below {@code limit}, and its CRC matches.
     */
    private static long validRecordEnd(DaxMapping pmem, long base, long size, long lsn, long limit) {
        long offset = lsn & OFFSET_MASK;
        if (offset + HEADER > size) {
            return -1;
        }
        int length = pmem.getInt(base + offset);
        long stored = pmem.getLong(base + offset + 8);
        if (length <= 0 || length > size - offset - HEADER || (stored & OFFSET_MASK) != offset
                || generation(stored) < generation(lsn) || generation(stored) >= limit
                || !crcMatches(pmem, base + offset, length)) {
            return -1;
        }
        return stored + align(HEADER + length);
    }

    /** {@return whether the CRC32C of the LSN and payload of the record at {@code record} is the one it holds} */
    private static boolean crcMatches(DaxMapping pmem, long record, int length) {
        return pmem.crc32cMatches(record + 8, 8 + length, pmem.getInt(record + 4));
    }

    /** {@return the CRC32C of the LSN and payload of the record at {@code record}} */
    private static int crc(MemorySegment memory, long record, int length) {
        CRC32C crc = new CRC32C();
        crc.update(memory.asSlice(record + 8, 8 + length).asByteBuffer());
        return (int) crc.getValue();
    }

    /**
     * {@return {@code n} rounded up to a cache line} Measured here: 8-byte-aligned 1 KiB records took 547 ns per
     * append, their partial first and last lines needing ordinary stores and a write-back beside the non-temporal
     * middle; line-aligned ones take far less (see the benchmark report).
     */
    private static long align(long n) {
        return (n + 63) & -64;
    }

    /**
     * Appends {@code payload} and returns its LSN once it is durable.
     *
     * @throws IllegalArgumentException if {@code payload} is empty
     * @throws IllegalStateException if the log has no room left
     */
    public long append(byte[] payload) {
        return append(MemorySegment.ofArray(Objects.requireNonNull(payload, "payload")));
    }

    /**
     * Appends the bytes of {@code payload} (heap or native) and returns its LSN once it is durable.
     *
     * @throws IllegalArgumentException if {@code payload} is empty or longer than {@code Integer.MAX_VALUE}
     * @throws IllegalStateException if the log has no room left
     */
    public long append(MemorySegment payload) {
        Objects.requireNonNull(payload, "payload");
        long lsn = write(payload);
        pmem.drain();
        return lsn;
    }

    /**
     * Appends every record, drains once, and returns their LSNs once all of them are durable. A group that does not
     * fit, or holds an empty record, is refused before anything is written.
     *
     * @throws IllegalArgumentException if a payload is empty
     * @throws IllegalStateException if the log has no room left for the whole group
     */
    public List<Long> append(List<byte[]> payloads) {
        long end = tail & OFFSET_MASK;
        for (byte[] payload : payloads) {
            if (Objects.requireNonNull(payload, "payload").length == 0) {
                throw new IllegalArgumentException("empty record in a group of " + payloads.size());
            }
            end += align(HEADER + payload.length);
        }
        if (end > capacity) {
            throw new IllegalStateException("the log is full: " + capacity + " bytes, tail at offset "
                    + (tail & OFFSET_MASK) + ", a group of " + payloads.size() + " records needs " + (end
                    - (tail & OFFSET_MASK)) + " bytes");
        }
        List<Long> lsns = new ArrayList<>(payloads.size());
        for (byte[] payload : payloads) {
            lsns.add(write(MemorySegment.ofArray(payload)));
        }
        pmem.drain();
        return lsns;
    }

    /** Writes one record at the tail, flushed or non-temporal but not yet fenced, and moves the tail past it. */
    private long write(MemorySegment payload) {
        long length = payload.byteSize();
        long lsn = tail;
        if (length == 0) {
            throw new IllegalArgumentException("empty record");
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a record holds at most " + Integer.MAX_VALUE + " bytes: " + length);
        }
        if (length > capacity - (lsn & OFFSET_MASK) - HEADER) {
            throw new IllegalStateException("the log is full: " + capacity + " bytes, tail at offset "
                    + (tail & OFFSET_MASK) + ", record of " + length + " bytes");
        }
        long end = lsn + align(HEADER + length);
        MemorySegment record = staging(end - lsn);
        record.set(JAVA_INT, 0, (int) length);
        record.set(JAVA_LONG, 8, lsn);
        MemorySegment.copy(payload, 0, record, HEADER, length);
        record.asSlice(HEADER + length).fill((byte) 0); // the padding: the staging buffer holds older records
        record.set(JAVA_INT, 4, crc(record, 0, (int) length));
        // one copy of whole lines, header, payload and padding, with non-temporal stores whatever the size: a log
        // line is written once and not read before recovery, so it need not pass through the cache (no read for
        // ownership, no write-back to wait for). Measured here: 64 B appends 210 -> about 150 ns against CLWB.
        pmem.copy(base + (lsn & OFFSET_MASK), record, PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
        tail = end;
        return lsn;
    }

    /** {@return the first {@code size} bytes of the staging buffer, grown when too small} */
    private MemorySegment staging(long size) {
        if (staging.byteSize() < size) {
            staging = Arena.ofAuto().allocate(Math.max(size, 2 * staging.byteSize()), 64);
        }
        return staging.asSlice(0, size);
    }

    /**
     * {@return the records from the one at {@code lsn} to the tail, in order; from the head if {@code lsn} is
     * before it} As {@link #forEachFrom} visits them.
     *
     * @throws IllegalArgumentException if {@code lsn} is after the head but neither a record's LSN nor the tail
     * @throws IllegalStateException    if a live record was damaged since the log was opened or written
     */
    public List<byte[]> readFrom(long lsn) {
        List<byte[]> records = new ArrayList<>();
        forEachFrom(lsn, (record, at) -> records.add(record));
        return records;
    }

    /**
     * Hands {@code visitor} each record from the one at {@code lsn} to the tail, in order (from the head if
     * {@code lsn} is before it): its payload, a copy of its own, and its LSN, by which {@link #read} reads it again.
     * Finding {@code lsn} walks the records from the head, and every record visited has its CRC checked again. A
     * replay that keeps little of each record (an index of LSNs) holds one payload at a time, where
     * {@link #readFrom} holds them all.
     *
     * @throws IllegalArgumentException if {@code lsn} is after the head but neither a record's LSN nor the tail
     * @throws IllegalStateException    if a live record was damaged since the log was opened or written (the
     *                                  records before it were visited)
     */
    public void forEachFrom(long lsn, java.util.function.ObjLongConsumer<byte[]> visitor) {
        long previous = lsn <= head ? head : lsn;
        for (long offset = lsn <= head ? head & OFFSET_MASK : offsetOf(lsn, "read from"); offset < (tail
                & OFFSET_MASK); ) {
            previous = liveRecord(offset, previous);
            int length = pmem.getInt(base + offset);
            if (!crcMatches(pmem, base + offset, length)) {
                throw damaged(offset, "its CRC no longer matches");
            }
            byte[] record = new byte[length];
            pmem.read(base + offset + HEADER, MemorySegment.ofArray(record));
            visitor.accept(record, previous);
            offset += align(HEADER + length);
        }
    }

    /**
     * {@return the payload of the record whose LSN is {@code lsn}}, read in place without walking from the head:
     * its header is checked to carry that LSN, with a length that fits before the tail, and its CRC is checked.
     * For an LSN that {@link #append} returned or {@link #forEachFrom} visited: unlike {@link #readFrom}, it cannot tell
     * a real record from one a payload imitates at a line-aligned offset with a matching CRC, since it does not walk.
     * May run on other threads while one appends, for LSNs whose append happened before (in the memory model's
     * sense, e.g. published through a volatile field).
     *
     * @throws IllegalArgumentException if {@code lsn} is before the head, not before the tail, or no record there
     *                                  carries it
     * @throws IllegalStateException    if the record's CRC no longer matches
     */
    public byte[] read(long lsn) {
        long head = this.head;
        long tail = this.tail;
        long offset = lsn & OFFSET_MASK;
        if (lsn < head || lsn >= tail || (offset & 63) != 0 || offset + HEADER > (tail & OFFSET_MASK)) {
            throw new IllegalArgumentException("read " + lsn + " (0x" + Long.toHexString(lsn) + "): not the LSN of a "
                    + "record of log " + name + " between its head " + head + " and its tail " + tail);
        }
        int length = pmem.getInt(base + offset);
        long stored = pmem.getLong(base + offset + 8);
        if (stored != lsn || length <= 0 || length > (tail & OFFSET_MASK) - offset - HEADER) {
            throw new IllegalArgumentException("read " + lsn + " (0x" + Long.toHexString(lsn) + "): the record at "
                    + "offset " + offset + " of log " + name + " carries LSN 0x" + Long.toHexString(stored)
                    + " and length " + length);
        }
        if (!crcMatches(pmem, base + offset, length)) {
            throw damaged(offset, "its CRC no longer matches");
        }
        byte[] record = new byte[length];
        pmem.read(base + offset + HEADER, MemorySegment.ofArray(record));
        return record;
    }

    /**
     * Drops the records before {@code lsn}, durably: both head copies are written (protocol step 4).
     *
     * @throws IllegalArgumentException if {@code lsn} is neither the head, the LSN of a live record nor the tail
     * @throws IllegalStateException    if a live record before it was damaged since the log was opened or written
     */
    public void truncate(long lsn) {
        if (lsn < head) {
            throw new IllegalArgumentException("truncate to " + lsn + ": before the head " + head);
        }
        offsetOf(lsn, "truncate to");
        writeHead(lsn, generation(tail));
    }

    /**
     * {@return the offset of the record whose LSN is {@code lsn}, or of the head or tail if it is one of them},
     * found by walking the live records from the head: an LSN is a record's only if the log's own walk reaches it.
     *
     * @throws IllegalArgumentException if it is none of them
     */
    private long offsetOf(long lsn, String what) {
        if (lsn == head || lsn == tail) {
            return lsn & OFFSET_MASK;
        }
        long previous = head;
        for (long offset = head & OFFSET_MASK; lsn > previous && lsn < tail && offset < (tail & OFFSET_MASK); ) {
            previous = liveRecord(offset, previous);
            if (previous == lsn) {
                return offset;
            }
            offset += align(HEADER + pmem.getInt(base + offset));
        }
        throw new IllegalArgumentException(what + " " + lsn + " (0x" + Long.toHexString(lsn) + "): not the LSN of a "
                + "record of log " + name + " between its head " + head + " and its tail " + tail);
    }

    /**
     * {@return the LSN of the live record at {@code offset}} once its header is checked to be what recovery or
     * append left: a length that fits before the tail, an LSN that carries the offset, after {@code previous} and
     * before the tail.
     *
     * @throws IllegalStateException if it is not: the record was damaged since
     */
    private long liveRecord(long offset, long previous) {
        int length = pmem.getInt(base + offset);
        long lsn = pmem.getLong(base + offset + 8);
        if (length <= 0 || length > (tail & OFFSET_MASK) - offset - HEADER) {
            throw damaged(offset, "its length " + length + " does not fit before the tail");
        }
        if ((lsn & OFFSET_MASK) != offset || lsn < previous || lsn >= tail) {
            throw damaged(offset, "its LSN 0x" + Long.toHexString(lsn) + " is not of that offset between 0x"
                    + Long.toHexString(previous) + " and the tail 0x" + Long.toHexString(tail));
        }
        return lsn;
    }

    private IllegalStateException damaged(long offset, String why) {
        return new IllegalStateException("log " + name + " in " + pmem.path() + ": the record at offset " + offset
                + " was damaged since the log was opened: " + why);
    }

    /**
     * Drops every record and starts the log over at offset 0, durably: both head copies are written with the next
     * generation (protocol step 5). Old records stay in memory but can never pass as records of the new generation.
     *
     * @throws IllegalStateException if the log has used up its 2^23 - 1 generations
     */
    public void reset() {
        long generation = generation(tail) + 1;
        if (generation > MAX_GENERATION) {
            throw new IllegalStateException("the log has used all its " + MAX_GENERATION + " generations");
        }
        writeHead(generation << OFFSET_BITS, generation);
        tail = generation << OFFSET_BITS;
    }

    /**
     * {@return the bytes left after the tail} A record of {@code n} payload bytes takes {@code 16 + n} rounded up
     * to a multiple of 64.
     */
    public long bytesFree() {
        return capacity - (tail & OFFSET_MASK);
    }

    /** {@return the log's bytes: its region's, which an {@link #open} of an existing log keeps whatever it asks} */
    public long capacity() {
        return capacity;
    }

    /** {@return the LSN of the first live record} */
    public long head() {
        return head;
    }

    /** {@return the LSN the next record will get} */
    public long tail() {
        return tail;
    }
}
