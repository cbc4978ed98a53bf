package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.PersistFlag;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A ring of records from one host to another through memory they share without coherence: CXL memory mapped by two
 * hosts, or two virtual machines on one backing file. One writer, one reader, each on its own host; no atomic
 * instruction crosses between them.
 *
 * <pre>{@code
 * // host A                                            // host B
 * SharedRing.Writer out = SharedRing.format(pmem, 0, 1 << 20, 256);
 *                                                      SharedRing.Reader in = SharedRing.reader(pmem, 0, 1 << 20);
 * out.put(record);                                     int n = in.poll(buffer);   // -1: nothing yet
 * }</pre>
 *
 * <h2>Why this protocol</h2>
 * Without coherence a host's stores sit in its caches until written back, and its loads may hit lines it cached
 * before the other host wrote: so every line is written by one host only, the writer writes back what it stored
 * before it publishes, the reader evicts what it will read before it reads ({@link DaxMapping#evict}), and a
 * CRC tells a record read whole from one read from lines of different ages. Locked read-modify-writes are not
 * atomic between hosts here: on QEMU's emulated CXL two guests each adding 1 to one word 200,000 times ended at
 * 269,000 and 234,000, not 400,000, and CXL 2.0 sharing without back-invalidation gives no cross-host coherence
 * either. So positions travel as plain 8-byte stores, each word with a single writer.
 *
 * <h2>Format (from {@code offset}, little-endian, 64-byte lines)</h2>
 * <pre>
 *  line 0, the writer's: magic "DAX4JRNG" | slot bytes (int) | slots (int) | CRC32C of 0..16 | zero
 *  line 1, the reader's: consumed (long): records read so far
 *  slot i at 128 + i * slotBytes:  sequence (long) | length (int) | CRC32C (int) | payload (length bytes)
 * </pre>
 * Record {@code n} (from 0) is in slot {@code n % slots} with sequence {@code n + 1} (0: never written); its CRC32C
 * covers the sequence, the length and the payload.
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>Format (the writer, once, before the reader starts): zero the lines, write line 0, evict all.</li>
 *   <li>Put record {@code n}: evict line 1 and read {@code consumed} until {@code n - consumed < slots} (the
 *       reader is done with the slot); store length, CRC and payload, evict them; store the sequence
 *       {@code n + 1} (one aligned 8-byte store), evict it.</li>
 *   <li>Poll for record {@code n}: evict the slot; if its sequence is not {@code n + 1}, nothing yet. Else read
 *       length and payload and check the CRC: a mismatch is a torn read (lines of different ages, or a sequence
 *       seen before the data), counted and retried at the next poll, never delivered. Else deliver it, store
 *       {@code consumed = n + 1} into line 1 and evict it.</li>
 * </ol>
 * The writer never reuses a slot the reader has not consumed, so a slot's sequence only grows while it is read.
 * Neither side is thread-safe; each belongs to one thread.
 */
public final class SharedRing {

    /** The magic, "DAX4JRNG" in little-endian ASCII. */
    public static final long MAGIC = 0x474e524a_34584144L;

    private static final long LINE = 64, CONSUMED = 64, SLOTS = 128;
    private static final long H_SLOT_BYTES = 8, H_SLOTS = 12, H_CRC = 16;
    private static final long S_SEQUENCE = 0, S_LENGTH = 8, S_CRC = 12, S_PAYLOAD = 16;

    private SharedRing() {
    }

    /**
     * Formats {@code [offset, offset + length)} of {@code pmem} as a ring of records of up to {@code maxRecord}
     * bytes and returns its writer.
     *
     * @throws IllegalArgumentException if {@code offset} is not a multiple of 64, the range is not inside the
     *                                  mapping, or it holds fewer than two slots
     */
    public static Writer format(DaxMapping pmem, long offset, long length, int maxRecord) {
        if (maxRecord < 1) {
            throw new IllegalArgumentException("records need at least 1 byte: " + maxRecord);
        }
        long slotBytes = (S_PAYLOAD + maxRecord + LINE - 1) / LINE * LINE;
        Geometry g = new Geometry(pmem, offset, length, slotBytes, (length - SLOTS) / slotBytes);
        // no persist: volatile shared memory refuses persist calls, and evict is what makes the bytes visible
        pmem.fill(offset, SLOTS + g.slots * slotBytes, (byte) 0, PersistFlag.NO_FLUSH, PersistFlag.NO_DRAIN);
        pmem.evict(offset, SLOTS + g.slots * slotBytes);
        pmem.putInt(offset + H_SLOT_BYTES, (int) slotBytes);
        pmem.putInt(offset + H_SLOTS, (int) g.slots);
        pmem.putLong(offset, MAGIC);
        pmem.putInt(offset + H_CRC, headerCrc(pmem, offset));
        pmem.evict(offset, LINE);
        return new Writer(g);
    }

    /**
     * {@return the reader of the ring formatted at {@code offset}, or empty while no ring is there yet}: the header
     * is read after evicting it, so a ring another host formatted a moment ago is seen
     *
     * @throws IllegalArgumentException if the range is not inside the mapping, or a header with the magic describes
     *                                  a ring that does not fit it (damage)
     */
    public static Optional<Reader> reader(DaxMapping pmem, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, pmem.byteSize());
        pmem.evict(offset, Math.min(LINE, length));
        if (length < SLOTS || pmem.getLong(offset) != MAGIC || pmem.getInt(offset + H_CRC) != headerCrc(pmem, offset)) {
            return Optional.empty();
        }
        long slotBytes = pmem.getInt(offset + H_SLOT_BYTES);
        long slots = pmem.getInt(offset + H_SLOTS);
        if (slotBytes < LINE || slotBytes % LINE != 0 || slots < 2 || slots > (length - SLOTS) / slotBytes) {
            throw new IllegalArgumentException("the ring at " + offset + " of " + pmem.path() + " is damaged: "
                    + slots + " slots of " + slotBytes + " bytes in " + length + " bytes");
        }
        return Optional.of(new Reader(new Geometry(pmem, offset, length, slotBytes, slots)));
    }

    private static int headerCrc(DaxMapping pmem, long offset) {
        CRC32C crc = new CRC32C();
        byte[] header = new byte[(int) H_CRC];
        MemorySegment.copy(pmem.segment(), JAVA_BYTE, offset, header, 0, header.length);
        crc.update(header);
        return (int) crc.getValue();
    }

    /** Where the ring is; checked once. */
    private record Geometry(DaxMapping pmem, long offset, long length, long slotBytes, long slots) {

        Geometry {
            Objects.checkFromIndexSize(offset, length, pmem.byteSize());
            if (offset % LINE != 0 || slots < 2 || slots > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a ring needs a 64-byte aligned offset and room for two slots of "
                        + slotBytes + " bytes after its 128 header bytes: offset " + offset + ", length " + length);
            }
        }

        long slot(long record) {
            return offset + SLOTS + (record % slots) * slotBytes;
        }

        int maxRecord() {
            return (int) (slotBytes - S_PAYLOAD);
        }
    }

    private static int recordCrc(long sequence, int length, MemorySegment payload) {
        CRC32C crc = new CRC32C();
        byte[] head = new byte[12];
        for (int i = 0; i < 8; i++) {
            head[i] = (byte) (sequence >>> (8 * i));
        }
        for (int i = 0; i < 4; i++) {
            head[8 + i] = (byte) (length >>> (8 * i));
        }
        crc.update(head);
        crc.update(payload.asByteBuffer());
        return (int) crc.getValue();
    }

    /** The writing end: one host, one thread. */
    public static final class Writer {

        private final Geometry g;
        private long next;
        private long consumed;

        private Writer(Geometry g) {
            this.g = g;
        }

        /** {@return the largest record this ring holds} */
        public int maxRecord() {
            return g.maxRecord();
        }

        /**
         * Publishes {@code record} if a slot is free: the reader has consumed the record that last used it.
         *
         * @return whether it was published; false when the ring is full
         * @throws IllegalArgumentException if the record is empty or longer than {@link #maxRecord()}
         */
        public boolean offer(MemorySegment record) {
            if (record.byteSize() < 1 || record.byteSize() > g.maxRecord()) {
                throw new IllegalArgumentException("a record of " + record.byteSize() + " bytes: this ring holds 1"
                        + " to " + g.maxRecord());
            }
            DaxMapping pmem = g.pmem();
            if (next - consumed >= g.slots()) {
                pmem.evict(g.offset() + CONSUMED, 8);
                consumed = pmem.getLongAtomic(g.offset() + CONSUMED);
                if (next - consumed >= g.slots()) {
                    return false;
                }
            }
            long at = g.slot(next);
            int length = (int) record.byteSize();
            long sequence = next + 1;
            pmem.write(at + S_PAYLOAD, record);
            pmem.putInt(at + S_LENGTH, length);
            pmem.putInt(at + S_CRC, recordCrc(sequence, length, record));
            pmem.evict(at + S_LENGTH, 8 + length); // the data is in memory before the sequence says it is there
            pmem.putLongAtomic(at + S_SEQUENCE, sequence);
            pmem.evict(at + S_SEQUENCE, 8);
            next++;
            return true;
        }

        /** Publishes {@code record}, waiting (spinning) while the ring is full. */
        public void put(MemorySegment record) {
            while (!offer(record)) {
                Thread.onSpinWait();
            }
        }

        /** {@return the records published so far} */
        public long published() {
            return next;
        }
    }

    /** The reading end: one host, one thread. */
    public static final class Reader {

        private final Geometry g;
        private long next;
        private long tornReads;

        private Reader(Geometry g) {
            this.g = g;
        }

        /**
         * Reads the next record into {@code destination}, if it is there whole.
         *
         * @return its length, or -1 if it is not published yet or was read torn (then retried at the next poll)
         * @throws IllegalArgumentException if {@code destination} is smaller than the ring's largest record
         */
        public int poll(MemorySegment destination) {
            if (destination.byteSize() < g.maxRecord()) {
                throw new IllegalArgumentException("a destination of " + destination.byteSize() + " bytes: records"
                        + " may have " + g.maxRecord());
            }
            DaxMapping pmem = g.pmem();
            long at = g.slot(next);
            pmem.evict(at, S_PAYLOAD);
            if (pmem.getLongAtomic(at + S_SEQUENCE) != next + 1) {
                return -1;
            }
            int length = pmem.getInt(at + S_LENGTH);
            if (length < 1 || length > g.maxRecord()) {
                tornReads++; // a length from a line older than the sequence's
                return -1;
            }
            pmem.evict(at + S_PAYLOAD, length);
            MemorySegment payload = destination.asSlice(0, length);
            pmem.read(at + S_PAYLOAD, payload);
            if (pmem.getInt(at + S_CRC) != recordCrc(next + 1, length, payload)) {
                tornReads++;
                return -1;
            }
            next++;
            pmem.putLongAtomic(g.offset() + CONSUMED, next);
            pmem.evict(g.offset() + CONSUMED, 8);
            return length;
        }

        /** {@return the records read so far} */
        public long consumed() {
            return next;
        }

        /** {@return how many polls found a published record whose CRC did not match: read again, never delivered} */
        public long tornReads() {
            return tornReads;
        }
    }
}
