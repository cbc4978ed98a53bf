package io.github.dax4j.examples.wal;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;
import io.github.dax4j.persist.PersistFlag;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
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
 * <p>It lives in two regions of the device's {@link Directory}: {@code <name>.head} (one cache line: the LSN of the
 * first live record, moved by {@link #truncate}) and {@code <name>} (the log bytes). A record, 8-byte aligned:
 * <pre>
 *  0        4        8                16
 *  +--------+--------+----------------+------------------------------+---------+
 *  | length | CRC32C | LSN            | payload (length bytes)       | padding |
 *  +--------+--------+----------------+------------------------------+---------+
 * </pre>
 * The CRC covers the LSN and the payload. An LSN is a generation (the high 24 bits) and the record's offset in
 * the log (the low 40 bits), so a record copied from elsewhere, or left over from before a {@link #reset}, never
 * passes as this one.
 *
 * <p>Protocol:
 * <ol>
 *   <li>Append: write header and payload at the tail with one persistent {@code copy} (non-temporal when large);
 *       return when it is durable. Group append writes every record with {@code NO_DRAIN}, then drains once.</li>
 *   <li>Recover: from the head, accept records while length is non-zero, the record fits, its LSN is its offset and
 *       its CRC matches; the first record that fails ends the log (a torn or half-written tail is cut, never
 *       returned). Nothing was appended after a record before that record was durable, except within a group,
 *       whose records were acknowledged only after its single drain.</li>
 *   <li>Truncate: one aligned 8-byte store of the new head, persisted.</li>
 * </ol>
 * The log is linear: appends past the end of the region fail. Not thread-safe: one writer.
 */
public final class WriteAheadLog {

    static final int HEADER = 16;
    private static final long OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    private static final StructLayout HEAD = MemoryLayout.structLayout(JAVA_LONG.withName("head"),
            MemoryLayout.paddingLayout(56));
    private static final MemoryLayout BLOCK = MemoryLayout.structLayout(MemoryLayout.paddingLayout(64));

    private final DaxMapping pmem;
    private final long base;
    private final long capacity;
    private final long headAt;
    private long tail;
    /** Where a record is put together before its one copy into the log; reused, since there is one writer. */
    private MemorySegment staging = Arena.ofAuto().allocate(4096, 64);

    private WriteAheadLog(DaxMapping pmem, long base, long capacity, long headAt, long tail) {
        this.pmem = pmem;
        this.base = base;
        this.capacity = capacity;
        this.headAt = headAt;
        this.tail = tail;
    }

    /**
     * Opens the log called {@code name} in {@code directory}, creating it with {@code capacity} bytes (rounded up
     * to 64) if it does not exist, and recovers its tail.
     */
    public static WriteAheadLog open(DaxMapping pmem, Directory directory, String name, long capacity) {
        FixedRegion head = directory.find(name + ".head").isPresent() ? directory.open(name + ".head", HEAD)
                : directory.create(name + ".head", HEAD, 1, RegionAlignment.CACHE_LINE, false);
        FixedRegion log = directory.find(name).isPresent() ? directory.open(name, BLOCK)
                : directory.create(name, BLOCK, (capacity + 63) / 64, RegionAlignment.CACHE_LINE, false);
        long headAt = head.elementOffset(0);
        long base = log.elementOffset(0);
        long size = log.info().byteSize();
        long tail = pmem.getLongAtomic(headAt);
        MemorySegment memory = pmem.segment();
        while (true) {
            long next = validRecordEnd(memory, base, size, tail);
            if (next < 0) {
                break;
            }
            tail = next;
        }
        return new WriteAheadLog(pmem, base, size, headAt, tail);
    }

    /** {@return the LSN after the record at {@code lsn}, or -1 if there is no intact record there} */
    private static long validRecordEnd(MemorySegment memory, long base, long size, long lsn) {
        long offset = lsn & OFFSET_MASK;
        if (offset + HEADER > size) {
            return -1;
        }
        int length = memory.get(JAVA_INT_UNALIGNED, base + offset);
        if (length <= 0 || length > size - offset - HEADER) {
            return -1;
        }
        if (memory.get(JAVA_LONG_UNALIGNED, base + offset + 8) != lsn
                || memory.get(JAVA_INT_UNALIGNED, base + offset + 4) != crc(memory, base + offset, length)) {
            return -1;
        }
        return lsn + align(HEADER + length);
    }

    /** {@return the CRC32C of the LSN and payload of the record at {@code record}} */
    private static int crc(MemorySegment memory, long record, int length) {
        CRC32C crc = new CRC32C();
        crc.update(memory.asSlice(record + 8, 8 + length).asByteBuffer());
        return (int) crc.getValue();
    }

    private static long align(long n) {
        return (n + 7) & -8;
    }

    /**
     * Appends {@code payload} and returns its LSN once it is durable.
     *
     * @throws IllegalArgumentException if {@code payload} is empty
     * @throws IllegalStateException if the log has no room left
     */
    public long append(byte[] payload) {
        return append(MemorySegment.ofArray(payload));
    }

    /**
     * Appends the bytes of {@code payload} (heap or native) and returns its LSN once it is durable.
     *
     * @throws IllegalArgumentException if {@code payload} is empty
     * @throws IllegalStateException if the log has no room left
     */
    public long append(MemorySegment payload) {
        long lsn = write(payload);
        pmem.drain();
        return lsn;
    }

    /**
     * Appends every record, drains once, and returns their LSNs once all of them are durable. If one does not fit,
     * none after it is written and none is acknowledged; those before it may survive a crash, as a prefix.
     *
     * @throws IllegalArgumentException if a payload is empty
     * @throws IllegalStateException if the log has no room left
     */
    public List<Long> append(List<byte[]> payloads) {
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
        long end = lsn + align(HEADER + length);
        if (length == 0) {
            throw new IllegalArgumentException("empty record");
        }
        if (length > Integer.MAX_VALUE || (end & OFFSET_MASK) > capacity) {
            throw new IllegalStateException("the log is full: " + capacity + " bytes, tail at offset "
                    + (tail & OFFSET_MASK) + ", record of " + length + " bytes");
        }
        MemorySegment record = staging(end - lsn);
        record.set(JAVA_INT, 0, (int) length);
        record.set(JAVA_LONG, 8, lsn);
        MemorySegment.copy(payload, 0, record, HEADER, length);
        record.asSlice(HEADER + length).fill((byte) 0); // the padding: the staging buffer holds older records
        record.set(JAVA_INT, 4, crc(record, 0, (int) length));
        // one copy for header, payload and padding: a single non-temporal or flushed pass over the record's lines
        pmem.copy(base + (lsn & OFFSET_MASK), record, PersistFlag.NO_DRAIN);
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

    /** {@return the records from {@code lsn} (a record's LSN, or the head) to the tail, in order} */
    public List<byte[]> readFrom(long lsn) {
        List<byte[]> records = new ArrayList<>();
        MemorySegment memory = pmem.segment();
        long at = Math.max(lsn, head());
        while (at < tail) {
            long offset = at & OFFSET_MASK;
            int length = memory.get(JAVA_INT_UNALIGNED, base + offset);
            records.add(memory.asSlice(base + offset + HEADER, length).toArray(JAVA_BYTE));
            at += align(HEADER + length);
        }
        return records;
    }

    /** Drops the records before {@code lsn}, durably: one 8-byte store of the new head. */
    public void truncate(long lsn) {
        if (lsn < head() || lsn > tail) {
            throw new IllegalArgumentException("truncate to " + lsn + " outside [" + head() + ", " + tail + "]");
        }
        pmem.putLongAtomicAndPersist(headAt, lsn);
    }

    /**
     * Drops every record and starts the log over at offset 0, durably, with one 8-byte store: the next generation's
     * head. Old records stay in memory but can never pass as records of the new generation.
     */
    public void reset() {
        long next = ((tail >>> OFFSET_BITS) + 1) << OFFSET_BITS;
        pmem.putLongAtomicAndPersist(headAt, next);
        tail = next;
    }

    /** {@return the LSN of the first live record} */
    public long head() {
        return pmem.getLongAtomic(headAt);
    }

    /** {@return the LSN the next record will get} */
    public long tail() {
        return tail;
    }
}
