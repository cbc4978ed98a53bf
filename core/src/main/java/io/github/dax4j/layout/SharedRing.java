package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.PersistFlag;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A ring of records from one host to another through memory they share without coherence: CXL memory mapped by two
 * hosts, or two virtual machines on one backing file. One writer, one reader, each on its own host; no atomic
 * instruction crosses between them.
 *
 * <pre>{@code
 * // host A                                            // host B
 * SharedRing.Writer out = SharedRing.format(pmem, 0, 1 << 20, 256);
 *                                                      SharedRing.Reader in = SharedRing.reader(pmem, 0, 1 << 20)
 *                                                              .orElseThrow();    // empty: not formatted yet
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
 *  line 0, the writer's: magic "DAX4JRNG" | slot bytes (int) | slots (int) | epoch (long) | CRC32C of 0..24 | zero
 *  line 1, the reader's: consumed XOR epoch (long): records read so far, tagged with the format they count
 *  slot i at 128 + i * slotBytes:  sequence (long) | length (int) | CRC32C (int) | payload (length bytes)
 * </pre>
 * Record {@code n} (from 0) is in slot {@code n % slots} with sequence {@code n + 1} (0: never written); its CRC32C
 * covers the ring's epoch, the sequence, the length and the payload. The epoch is a random number drawn at each
 * format: a record left from an earlier ring in the same bytes fails the CRC of the new one, so neither a reader
 * of the new ring nor a stale reader of the old one can take it for data. The reader's count is stored XOR the
 * epoch, in one 8-byte word (so it is never torn): a count a stale reader of an earlier format writes into the new
 * ring decodes to a number the writer never made possible (it is random in 64 bits; the writer accepts at most
 * {@code slots + 1} values), and is reported, never obeyed.
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>Format (the writer, before the reader starts): clear the magic and evict it, so no reader opens the ring
 *       while it changes; zero the rest of the range and store the count 0 (as the epoch) in line 1, evict it;
 *       write line 0 without the magic, evict it; then the magic, evict it. A reader that finds the magic finds
 *       the rest in memory, and evicts line 1 again before reading it. This is the only time the writer stores
 *       into line 1: while the ring runs, every line has a single writer.</li>
 *   <li>Put record {@code n}: evict line 1 and read {@code consumed} until {@code n - consumed < slots} (the
 *       reader is done with the slot); store length, CRC and payload (staged in the heap first, so the CRC is
 *       that of the bytes stored), evict them; store the sequence {@code n + 1} (one aligned 8-byte store),
 *       evict it.</li>
 *   <li>Poll for record {@code n}: evict the slot; if its sequence is that of the record the slot held before
 *       ({@code n + 1 - slots}, or 0 for the first round), nothing yet; if it is neither that nor {@code n + 1},
 *       damage. Else read length and payload and check the CRC: a mismatch is a torn read (lines of different
 *       ages, or a sequence seen before the data), counted and retried at the next poll, never delivered. Else
 *       store {@code consumed = n + 1} into line 1, evict it, and deliver the record. A reader opened later
 *       resumes at the stored {@code consumed}, after checking that its slot holds one of the two sequences a
 *       poll accepts.</li>
 * </ol>
 * The writer never reuses a slot the reader has not consumed, so a slot's sequence only grows while it is read.
 * Neither side is thread-safe; each belongs to one thread.
 *
 * <h2>Damage</h2>
 * The other host's bytes are hostile until checked. A header whose CRC fails is no ring yet ({@link #reader} is
 * empty); one with a valid CRC that does not fit its range, a {@code consumed} the writer never made possible (more
 * than it published, less than before, or one a reader of another format wrote), a slot sequence the poll cannot
 * explain, and a record whose CRC fails {@value #TORN_LIMIT} polls in a row are {@link DirectoryException}s
 * {@code CORRUPTED}, never data. So is a format of the ring under a running reader, which the stale reader learns
 * when its slot shows a sequence it cannot explain, or at its next look at the header (every
 * {@value #POLLS_PER_HEADER_CHECK} polls that find nothing): the message then says so, and the reader must be
 * opened again. Until then the stale reader finds nothing, and a count it stores is refused by the new writer.
 * A reader killed between storing its count and evicting it leaves that line dirty in its host's cache; if the
 * cache writes it back after the next format, that ring reads {@code CORRUPTED} too (detected, never obeyed):
 * format it again.
 */
public final class SharedRing {

    /** The magic, "DAX4JRNG" in little-endian ASCII. */
    public static final long MAGIC = 0x474e524a_34584144L;
    /** How many polls in a row may find one record's CRC wrong before the reader calls it damage. */
    public static final int TORN_LIMIT = 10_000;
    /**
     * How many polls that find nothing a reader makes between two looks at the header, which tell it the writer
     * formatted the ring again.
     */
    public static final int POLLS_PER_HEADER_CHECK = 1_024;

    private static final long LINE = 64, CONSUMED = 64, SLOTS = 128;
    private static final long H_SLOT_BYTES = 8, H_SLOTS = 12, H_EPOCH = 16, H_CRC = 24;
    /** The most records a ring counts: sequences stay far from overflow. */
    private static final long MAX_RECORDS = 1L << 62;
    private static final SecureRandom EPOCHS = new SecureRandom();
    private static final long S_SEQUENCE = 0, S_LENGTH = 8, S_CRC = 12, S_PAYLOAD = 16;

    private SharedRing() {
    }

    /**
     * Formats {@code [offset, offset + length)} of {@code pmem} as a ring of records of up to {@code maxRecord}
     * bytes and returns its writer.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 64, the range holds fewer than two
     *                                   slots, or {@code maxRecord < 1}
     */
    public static Writer format(DaxMapping pmem, long offset, long length, int maxRecord) {
        if (maxRecord < 1 || maxRecord > Integer.MAX_VALUE - 2 * LINE) {
            throw new IllegalArgumentException("records of 1 to " + (Integer.MAX_VALUE - 2 * LINE) + " bytes, not "
                    + maxRecord);
        }
        long slotBytes = (S_PAYLOAD + maxRecord + LINE - 1) / LINE * LINE;
        Geometry g = new Geometry(pmem, offset, length, slotBytes, (length - SLOTS) / slotBytes, epoch());
        // no persist: volatile shared memory refuses persist calls, and evict is what makes the bytes visible
        pmem.putLongAtomic(offset, 0); // no magic: a reader opening now finds no ring, not a half-formatted one
        pmem.evict(offset, LINE);
        // the whole range, past the last slot too: a stale reader polling there finds zeros, never an old
        // sequence it would take for "not yet"
        pmem.fill(offset + 8, length - 8, (byte) 0, PersistFlag.NO_FLUSH, PersistFlag.NO_DRAIN);
        pmem.putLongAtomic(offset + CONSUMED, g.epoch); // 0 records consumed, in this format's terms
        pmem.evict(offset, length);
        pmem.putInt(offset + H_SLOT_BYTES, (int) slotBytes);
        pmem.putInt(offset + H_SLOTS, (int) g.slots);
        pmem.putLong(offset + H_EPOCH, g.epoch);
        pmem.putInt(offset + H_CRC, headerCrc(MAGIC, (int) slotBytes, (int) g.slots, g.epoch));
        pmem.evict(offset, LINE);
        pmem.putLongAtomic(offset, MAGIC);
        pmem.evict(offset, 8);
        return new Writer(g);
    }

    private static long epoch() {
        long epoch;
        do {
            epoch = EPOCHS.nextLong();
        } while (epoch == 0); // 0 is what zeroed memory holds
        return epoch;
    }

    /**
     * {@return the reader of the ring formatted at {@code offset}, or empty while no ring is there yet}: the header
     * is read after evicting it, so a ring another host formatted a moment ago is seen. The reader starts at the
     * record the ring's {@code consumed} names: a reader opened again resumes where the last one stopped.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 64, the range is too short for a
     *                                   ring (128 header bytes and two slots of 64), or the mapping is read-only
     *                                   (the reader stores its count into the ring)
     * @throws DirectoryException        {@code CORRUPTED} if a header with the magic and a valid CRC describes a
     *                                   ring that does not fit the range, or {@code consumed} is not one this
     *                                   ring's writer made possible
     */
    public static Optional<Reader> reader(DaxMapping pmem, long offset, long length) throws DirectoryException {
        Objects.checkFromIndexSize(offset, length, pmem.byteSize());
        if (offset % LINE != 0 || length < SLOTS + 2 * LINE) {
            throw new IllegalArgumentException("a ring starts at a multiple of 64 bytes and holds 128 header bytes"
                    + " and two slots of 64 bytes or more: offset " + offset + ", length " + length);
        }
        if (pmem.isReadOnly()) {
            throw new IllegalArgumentException("a ring's reader stores the count of records it consumed into the"
                    + " ring, and " + pmem.path() + " is mapped read-only");
        }
        pmem.evict(offset, LINE);
        Optional<Header> header = Header.read(pmem, offset);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        long slotBytes = header.get().slotBytes(), slots = header.get().slots();
        if (slotBytes < LINE || slotBytes % LINE != 0 || slots < 2 || slots > (length - SLOTS) / slotBytes) {
            throw damaged(pmem, offset, slots + " slots of " + slotBytes + " bytes in " + length + " bytes");
        }
        long epoch = header.get().epoch();
        // evicted again after the magic was seen: a copy of line 1 fetched (or prefetched) before the format wrote
        // it would decode to a random count
        pmem.evict(offset + CONSUMED, 8);
        long consumed = pmem.getLongAtomic(offset + CONSUMED) ^ epoch;
        Reader reader = new Reader(new Geometry(pmem, offset, length, slotBytes, slots, epoch), consumed);
        try {
            if (consumed < 0 || consumed > MAX_RECORDS) {
                throw damaged(pmem, offset, "the reader's count of records consumed decodes to " + consumed
                        + " (damage, or a reader of an earlier format of the ring stored it)");
            }
            reader.sequenceInSlot(); // a count the slots contradict is damage now, not a reader that waits forever
        } catch (DirectoryException e) {
            if (reader.formattedAgain()) {
                return Optional.empty(); // formatted again while this was read: no ring yet, not damage
            }
            throw e;
        }
        return Optional.of(reader);
    }

    /** Line 0 as found: only with the magic and a CRC that matches. */
    private record Header(int slotBytes, int slots, long epoch) {

        static Optional<Header> read(DaxMapping pmem, long offset) {
            long magic = pmem.getLongAtomic(offset);
            Header h = new Header(pmem.getInt(offset + H_SLOT_BYTES), pmem.getInt(offset + H_SLOTS),
                    pmem.getLong(offset + H_EPOCH));
            return magic == MAGIC && pmem.getInt(offset + H_CRC) == headerCrc(magic, h.slotBytes, h.slots, h.epoch)
                    ? Optional.of(h) : Optional.empty();
        }
    }

    private static int headerCrc(long magic, int slotBytes, int slots, long epoch) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate((int) H_CRC).order(ByteOrder.LITTLE_ENDIAN).putLong(magic).putInt(slotBytes)
                .putInt(slots).putLong(epoch).flip());
        return (int) crc.getValue();
    }

    private static DirectoryException damaged(DaxMapping pmem, long offset, String what) {
        return new DirectoryException(DirectoryException.Reason.CORRUPTED, "the ring at " + offset + " of "
                + pmem.path() + " is damaged: " + what);
    }

    /** Where the ring is; checked once. */
    private record Geometry(DaxMapping pmem, long offset, long length, long slotBytes, long slots, long epoch) {

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

    private static int recordCrc(long epoch, long sequence, int length, MemorySegment payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(epoch).putLong(sequence)
                .putInt(length).flip());
        crc.update(payload.asByteBuffer());
        return (int) crc.getValue();
    }

    /** The writing end: one host, one thread. */
    public static final class Writer {

        private final Geometry g;
        /** Where a record is copied before its CRC is taken, so the CRC is that of the bytes stored; grown as needed. */
        private MemorySegment staged = MemorySegment.ofArray(new byte[0]);
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
         * @throws DirectoryException       {@code CORRUPTED} if the reader's {@code consumed} is one this writer
         *                                  never made possible: above what it published, or below what it read
         *                                  before (damage, or a reader of an earlier format of the ring)
         */
        public boolean offer(MemorySegment record) throws DirectoryException {
            if (record.byteSize() < 1 || record.byteSize() > g.maxRecord()) {
                throw new IllegalArgumentException("a record of " + record.byteSize() + " bytes: this ring holds 1"
                        + " to " + g.maxRecord());
            }
            DaxMapping pmem = g.pmem();
            if (next == MAX_RECORDS) {
                throw new IllegalStateException("the ring at " + g.offset() + " has carried " + next + " records,"
                        + " its most: format it again");
            }
            if (next - consumed >= g.slots()) {
                pmem.evict(g.offset() + CONSUMED, 8);
                long now = pmem.getLongAtomic(g.offset() + CONSUMED) ^ g.epoch();
                if (now < consumed || now > next) {
                    throw damaged(pmem, g.offset(), "the reader's count of records consumed decodes to " + now
                            + ", after " + consumed + ", with " + next + " published (damage, or a reader of an"
                            + " earlier format of the ring is still running)");
                }
                consumed = now;
                if (next - consumed >= g.slots()) {
                    return false;
                }
            }
            long at = g.slot(next);
            int length = (int) record.byteSize();
            long sequence = next + 1;
            if (staged.byteSize() < length) {
                staged = MemorySegment.ofArray(new byte[Math.max(length, (int) Math.min(g.maxRecord(),
                        2 * staged.byteSize()))]);
            }
            MemorySegment payload = staged.asSlice(0, length).copyFrom(record);
            pmem.write(at + S_PAYLOAD, payload);
            pmem.putInt(at + S_LENGTH, length);
            pmem.putInt(at + S_CRC, recordCrc(g.epoch(), sequence, length, payload));
            pmem.evict(at + S_LENGTH, 8 + length); // the data is in memory before the sequence says it is there
            pmem.putLongAtomic(at + S_SEQUENCE, sequence);
            pmem.evict(at + S_SEQUENCE, 8);
            next++;
            return true;
        }

        /**
         * Publishes {@code record}, waiting (spinning) while the ring is full.
         *
         * @throws IllegalArgumentException if the record is empty or longer than {@link #maxRecord()}
         * @throws DirectoryException       as {@link #offer}
         */
        public void put(MemorySegment record) throws DirectoryException {
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
        private int tornInARow;
        private int emptyPolls;

        private Reader(Geometry g, long consumed) {
            this.g = g;
            this.next = consumed;
        }

        /** {@return the largest record this ring holds} */
        public int maxRecord() {
            return g.maxRecord();
        }

        /**
         * Reads the next record into {@code destination}, if it is there whole.
         *
         * @return its length, or -1 if it is not published yet or was read torn (then retried at the next poll)
         * @throws IllegalArgumentException if {@code destination} is smaller than the ring's largest record
         * @throws DirectoryException       {@code CORRUPTED} if the slot holds a sequence no writer of this ring
         *                                  stores there now, or the record failed its CRC {@value #TORN_LIMIT}
         *                                  polls in a row: damaged, or the writer formatted the ring again (the
         *                                  message says which)
         */
        public int poll(MemorySegment destination) throws DirectoryException {
            if (destination.byteSize() < g.maxRecord()) {
                throw new IllegalArgumentException("a destination of " + destination.byteSize() + " bytes: records"
                        + " may have " + g.maxRecord());
            }
            DaxMapping pmem = g.pmem();
            long at = g.slot(next);
            if (sequenceInSlot() != next + 1) {
                if (++emptyPolls == POLLS_PER_HEADER_CHECK) {
                    emptyPolls = 0;
                    // a slot can look "not yet" for ever after a format (one of other geometry, or a new ring
                    // that never reaches it): only the header tells
                    if (formattedAgain()) {
                        throw damaged(pmem, g.offset(), newFormat());
                    }
                }
                return -1;
            }
            int length = pmem.getInt(at + S_LENGTH);
            if (length < 1 || length > g.maxRecord()) {
                return torn(); // a length from a line older than the sequence's
            }
            pmem.evict(at + S_PAYLOAD, length);
            MemorySegment payload = destination.asSlice(0, length);
            pmem.read(at + S_PAYLOAD, payload);
            if (pmem.getInt(at + S_CRC) != recordCrc(g.epoch(), next + 1, length, payload)) {
                return torn();
            }
            tornInARow = 0;
            // the count is stored before this reader moves on: a store that fails leaves the record unconsumed
            pmem.putLongAtomic(g.offset() + CONSUMED, (next + 1) ^ g.epoch());
            pmem.evict(g.offset() + CONSUMED, 8);
            next++;
            return length;
        }

        /**
         * {@return the sequence in record {@code next}'s slot, read from memory: {@code next + 1} (published) or that
         * of the record the slot held before (not yet)}
         *
         * @throws DirectoryException {@code CORRUPTED} for any other: no writer of this ring stores it there now
         */
        private long sequenceInSlot() throws DirectoryException {
            DaxMapping pmem = g.pmem();
            long at = g.slot(next);
            pmem.evict(at, S_PAYLOAD);
            long sequence = pmem.getLongAtomic(at + S_SEQUENCE);
            long before = next < g.slots() ? 0 : next + 1 - g.slots();
            if (sequence != next + 1 && sequence != before) {
                throw damage("slot " + next % g.slots() + " holds sequence " + sequence + " where record " + next
                        + " expects " + before + " (not yet) or " + (next + 1));
            }
            return sequence;
        }

        private int torn() throws DirectoryException {
            tornReads++;
            tornInARow = Math.min(tornInARow + 1, TORN_LIMIT); // saturates: damage stays damage at every poll
            if (tornInARow < TORN_LIMIT) {
                return -1;
            }
            throw damage("record " + next + " failed its CRC " + TORN_LIMIT + " polls in a row");
        }

        /** {@return whether the header, read from memory, is no longer this reader's ring's (or is being formatted)} */
        private boolean formattedAgain() {
            DaxMapping pmem = g.pmem();
            pmem.evict(g.offset(), LINE);
            return Header.read(pmem, g.offset()).filter(h -> h.epoch() == g.epoch()).isEmpty();
        }

        /** {@code what} as damage, unless the writer formatted the ring again: the header tells which. */
        private DirectoryException damage(String what) {
            return damaged(g.pmem(), g.offset(), formattedAgain() ? newFormat() : what);
        }

        private String newFormat() {
            return "the writer formatted it again (its epoch is no longer " + Long.toHexString(g.epoch())
                    + "): open a new reader";
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
