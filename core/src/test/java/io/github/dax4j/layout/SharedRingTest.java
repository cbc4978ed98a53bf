package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-writer ring between hosts, here between two mappings of one file in two threads: every record arrives
 * once, in order, whole, through a ring small enough that the writer waits for the reader. The two-host run is
 * {@code TwoHostRingTest} in two QEMU guests on one backing file.
 */
class SharedRingTest {

    private static final long RING = 64 * 1024;

    private TmpfsDevice device;

    @BeforeEach
    void map() {
        device = TmpfsDevice.create(1L << 20);
    }

    @AfterEach
    void unmap() {
        device.close();
    }

    /** Record {@code n}: 1 to 200 bytes, each a function of {@code n} and its position. */
    static MemorySegment record(long n, MemorySegment buffer) {
        int length = (int) (1 + (n * 7919) % 200);
        for (int i = 0; i < length; i++) {
            buffer.set(JAVA_BYTE, i, (byte) (n * 31 + i * 17 + (n >>> 8)));
        }
        return buffer.asSlice(0, length);
    }

    @Test
    void everyRecordArrivesOnceInOrderAndWholeThroughASmallRing() throws Exception {
        long records = 50_000;
        try (DaxMapping readerSide = DaxMapping.open(device.path(), MapOptions.wholeSource().emulateMapSync());
             Arena arena = Arena.ofShared()) {
            assertTrue(SharedRing.reader(readerSide, 0, RING).isEmpty(), "no ring before the writer formats one");
            SharedRing.Writer writer = SharedRing.format(device.mapping(), 0, 128 + 4 * 256, 200);
            assertEquals(240, writer.maxRecord(), "a 256-byte slot less its 16-byte header");
            SharedRing.Reader reader = SharedRing.reader(readerSide, 0, RING).orElseThrow();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                MemorySegment buffer = MemorySegment.ofArray(new byte[200]);
                try {
                    for (long n = 0; n < records; n++) {
                        writer.put(record(n, buffer));
                    }
                } catch (DirectoryException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            MemorySegment got = arena.allocate(writer.maxRecord());
            MemorySegment expected = MemorySegment.ofArray(new byte[200]);
            for (long n = 0; n < records; ) {
                int length = reader.poll(got);
                if (length < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                MemorySegment want = record(n, expected);
                assertEquals(want.byteSize(), length, "record " + n);
                assertEquals(-1, got.asSlice(0, length).mismatch(want), "record " + n);
                n++;
            }
            writing.get(60, TimeUnit.SECONDS);
            assertEquals(records, reader.consumed());
            assertEquals(records, writer.published());
            assertEquals(0, reader.tornReads(), "one coherent machine: nothing is ever read torn");
            assertEquals(-1, reader.poll(got), "nothing after the last record");
        }
    }

    @Test
    void theWriterNeverOverwritesWhatTheReaderHasNotConsumed() throws Exception {
        SharedRing.Writer writer = SharedRing.format(device.mapping(), 0, 128 + 2 * 64, 48);
        MemorySegment one = MemorySegment.ofArray(new byte[] {1});
        assertTrue(writer.offer(one));
        assertTrue(writer.offer(one));
        assertTrue(!writer.offer(one), "two slots, both unread: full");
        SharedRing.Reader reader = SharedRing.reader(device.mapping(), 0, 256).orElseThrow();
        assertEquals(1, reader.poll(MemorySegment.ofArray(new byte[48])));
        assertTrue(writer.offer(one), "one consumed: one free");
    }

    @Test
    void aDamagedOrMisplacedRingIsRefused() throws Exception {
        DaxMapping pmem = device.mapping();
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 32, RING, 100), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 0, 128 + 64, 48), "one slot");
        assertThrows(IndexOutOfBoundsException.class, () -> SharedRing.format(pmem, 1L << 20, RING, 100));
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 0, RING, 0));
        assertThrows(IllegalArgumentException.class, () -> SharedRing.reader(pmem, 32, RING), "unaligned");
        SharedRing.format(pmem, 0, RING, 100);
        DirectoryException small = assertThrows(DirectoryException.class, () -> SharedRing.reader(pmem, 0, 256),
                "a header that describes more slots than the range holds");
        assertEquals(DirectoryException.Reason.CORRUPTED, small.reason());
        assertTrue(small.getMessage().contains("slots of 128 bytes in 256 bytes"), small.getMessage());
        pmem.putInt(12, 1 << 20); // slots, with the header's CRC now wrong: no ring, not a ring of a million slots
        assertTrue(SharedRing.reader(pmem, 0, RING).isEmpty());
    }

    @Test
    void aReaderOpenedAgainResumesWhereTheLastOneStopped() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer writer = SharedRing.format(pmem, 0, RING, 100);
        for (byte n = 0; n < 3; n++) {
            writer.put(MemorySegment.ofArray(new byte[] {n}));
        }
        MemorySegment got = MemorySegment.ofArray(new byte[112]);
        SharedRing.Reader first = SharedRing.reader(pmem, 0, RING).orElseThrow();
        first.poll(got);
        first.poll(got);
        SharedRing.Reader again = SharedRing.reader(pmem, 0, RING).orElseThrow();
        assertEquals(2, again.consumed());
        assertEquals(1, again.poll(got));
        assertEquals(2, got.get(JAVA_BYTE, 0), "record 2, not record 0 again");
    }

    /** The count a reader of the ring whose header is at 0 stores for {@code consumed}: tagged with its epoch. */
    private static long countWord(DaxMapping pmem, long consumed) {
        return consumed ^ pmem.getLong(16);
    }

    @Test
    void aCountOfRecordsConsumedThatTheWriterNeverMadePossibleIsDamage() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer writer = SharedRing.format(pmem, 0, 128 + 2 * 64, 48);
        MemorySegment one = MemorySegment.ofArray(new byte[] {1});
        writer.put(one);
        writer.put(one); // full: the next offer reads consumed
        pmem.putLong(64, countWord(pmem, 99));
        DirectoryException ahead = assertThrows(DirectoryException.class, () -> writer.offer(one));
        assertTrue(ahead.getMessage().contains("consumed decodes to 99, after 0, with 2 published"), ahead.getMessage());
        pmem.putLong(64, countWord(pmem, 1));
        assertTrue(writer.offer(one));
        pmem.putLong(64, countWord(pmem, 0)); // went back
        assertThrows(DirectoryException.class, () -> writer.offer(one));
        pmem.putLong(64, countWord(pmem, -5));
        DirectoryException negative = assertThrows(DirectoryException.class, () -> SharedRing.reader(pmem, 0, 256));
        assertTrue(negative.getMessage().contains("consumed decodes to -5"), negative.getMessage());
        pmem.putLong(64, 2); // a count stored untagged (or by another format): random, out of range, refused
        assertThrows(DirectoryException.class, () -> SharedRing.reader(pmem, 0, 256));
    }

    @Test
    void aCountTheSlotsContradictIsDamageAtOpenNotAReaderThatWaitsForever() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer writer = SharedRing.format(pmem, 0, 128 + 4 * 64, 48);
        writer.put(MemorySegment.ofArray(new byte[] {1}));
        pmem.putLong(64, countWord(pmem, 1L << 40)); // in range, but slot 0 holds sequence 1, not 2^40 - 3 or + 1
        DirectoryException e = assertThrows(DirectoryException.class, () -> SharedRing.reader(pmem, 0, 384));
        assertTrue(e.getMessage().contains("slot 0 holds sequence 1 where record 1099511627776 expects"),
                e.getMessage());
        pmem.putLong(64, countWord(pmem, 1)); // slot 1 holds 0: record 1 not yet published, as it should
        assertEquals(1, SharedRing.reader(pmem, 0, 384).orElseThrow().consumed());
    }

    @Test
    void aReaderNeedsAWritableMappingAndARangeThatCanHoldARing() throws Exception {
        SharedRing.format(device.mapping(), 0, RING, 100);
        try (DaxMapping readOnly = DaxMapping.open(device.path(), MapOptions.wholeSource().emulateMapSync().readOnly())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SharedRing.reader(readOnly, 0, RING));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SharedRing.reader(device.mapping(), 0, 128 + 64),
                "room for one slot: never a ring, so not 'no ring yet' forever");
    }

    @Test
    void aTornRecordIsCountedAndRetriedNeverDeliveredAndDamageIfItStaysTorn() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer writer = SharedRing.format(pmem, 0, RING, 100);
        writer.put(MemorySegment.ofArray(new byte[] {1, 2, 3}));
        SharedRing.Reader reader = SharedRing.reader(pmem, 0, RING).orElseThrow();
        pmem.putByte(128 + 16 + 1, (byte) 9); // a payload byte of another age than the sequence and the CRC
        MemorySegment got = MemorySegment.ofArray(new byte[112]);
        assertEquals(-1, reader.poll(got));
        assertEquals(1, reader.tornReads());
        pmem.putByte(128 + 16 + 1, (byte) 2); // the line catches up
        assertEquals(3, reader.poll(got));
        assertEquals(1, reader.consumed());

        writer.put(MemorySegment.ofArray(new byte[] {4, 5, 6}));
        pmem.putByte(128 + 128 + 16 + 1, (byte) 9); // damaged for good
        for (int i = 1; i < SharedRing.TORN_LIMIT; i++) {
            assertEquals(-1, reader.poll(got));
        }
        DirectoryException e = assertThrows(DirectoryException.class, () -> reader.poll(got));
        assertTrue(e.getMessage().contains("record 1 failed its CRC " + SharedRing.TORN_LIMIT + " polls in a row"),
                e.getMessage());
        assertEquals(SharedRing.TORN_LIMIT + 1, reader.tornReads());
        assertThrows(DirectoryException.class, () -> reader.poll(got), "still damage at the next poll");
    }

    @Test
    void aReaderOfAnEarlierFormatNeverTakesTheNewRingsRecordsForItsOwn() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer first = SharedRing.format(pmem, 0, RING, 100);
        first.put(MemorySegment.ofArray(new byte[] {7}));
        SharedRing.Reader stale = SharedRing.reader(pmem, 0, RING).orElseThrow();
        MemorySegment got = MemorySegment.ofArray(new byte[112]);
        assertEquals(1, stale.poll(got));
        // the writer restarts and formats the same bytes with the same geometry: a new epoch
        SharedRing.Writer second = SharedRing.format(pmem, 0, RING, 100);
        second.put(MemorySegment.ofArray(new byte[] {8}));
        second.put(MemorySegment.ofArray(new byte[] {9})); // record 1: sequence 2, what the stale reader waits for
        for (int i = 1; i < SharedRing.TORN_LIMIT; i++) {
            assertEquals(-1, stale.poll(got), "same sequence, same slot, other epoch: never data");
        }
        assertPollReportsANewFormat(stale, got);
        SharedRing.Reader fresh = SharedRing.reader(pmem, 0, RING).orElseThrow();
        assertEquals(0, fresh.consumed(), "the format cleared what the old reader had consumed");
        assertEquals(1, fresh.poll(got));
        assertEquals(8, got.get(JAVA_BYTE, 0));
    }

    private static void assertPollReportsANewFormat(SharedRing.Reader stale, MemorySegment got) {
        DirectoryException e = assertThrows(DirectoryException.class, () -> stale.poll(got));
        assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("formatted it again"), e.getMessage());
    }

    /** {@return a reader of a ring of {@code ring} bytes and 48-byte records that has read {@code records} of them} */
    private SharedRing.Reader readerThatRead(long ring, int records) throws DirectoryException {
        SharedRing.Writer writer = SharedRing.format(device.mapping(), 0, ring, 48);
        SharedRing.Reader reader = SharedRing.reader(device.mapping(), 0, ring).orElseThrow();
        MemorySegment got = MemorySegment.ofArray(new byte[48]);
        for (int n = 0; n < records; n++) {
            writer.put(MemorySegment.ofArray(new byte[] {(byte) n}));
            assertEquals(1, reader.poll(got));
        }
        return reader;
    }

    @Test
    void aReaderOfAnEarlierFormatLearnsOfTheNewOneWhenItsSlotShowsASequenceItCannotExplain() throws Exception {
        DaxMapping pmem = device.mapping();
        long ring = 128 + 4 * 64;
        SharedRing.Reader stale = readerThatRead(ring, 10);
        MemorySegment got = MemorySegment.ofArray(new byte[48]);
        SharedRing.Writer second = SharedRing.format(pmem, 0, ring, 48);
        for (byte n = 0; n < 4; n++) {
            second.put(MemorySegment.ofArray(new byte[] {n})); // full now: nobody reads the new ring yet
        }
        // record 10's slot 2 holds the new ring's record 2 (sequence 3): neither 7 (not yet) nor 11
        assertPollReportsANewFormat(stale, got);
    }

    @Test
    void aCountAReaderOfAnEarlierFormatStoresIntoTheNewRingIsRefusedNotObeyed() throws Exception {
        DaxMapping pmem = device.mapping();
        long ring = 128 + 4 * 64;
        SharedRing.format(pmem, 0, ring, 48);
        long oldEpoch = pmem.getLong(16);
        SharedRing.Writer second = SharedRing.format(pmem, 0, ring, 48);
        MemorySegment one = MemorySegment.ofArray(new byte[] {1});
        for (int n = 0; n < 4; n++) {
            second.put(one);
        }
        // the old ring's reader delivers its record 2 and stores its count after the new format cleared line 1:
        // taken as it is, it would free slots 0 to 2 of the new ring, whose records nobody has read
        for (long stored : new long[] {3 ^ oldEpoch, 3}) { // a reader of this version, and an untagged count
            pmem.putLong(64, stored);
            DirectoryException e = assertThrows(DirectoryException.class, () -> second.offer(one));
            assertTrue(e.getMessage().contains("a reader of an earlier format"), e.getMessage());
            assertThrows(DirectoryException.class, () -> SharedRing.reader(pmem, 0, ring), "nor by a new reader");
        }
    }

    @Test
    void aReaderOfAnEarlierFormatWhoseSlotTheNewRingNeverReachesLearnsFromTheHeader() throws Exception {
        DaxMapping pmem = device.mapping();
        long ring = 128 + 4 * 64;
        SharedRing.Reader stale = readerThatRead(ring, 2);
        MemorySegment got = MemorySegment.ofArray(new byte[48]);
        // the new ring holds one record: slot 2, where the stale reader waits in its first lap, stays 0 ("not yet")
        SharedRing.format(pmem, 0, ring, 48).put(MemorySegment.ofArray(new byte[] {9}));
        for (int i = 1; i < SharedRing.POLLS_PER_HEADER_CHECK; i++) {
            assertEquals(-1, stale.poll(got));
        }
        assertPollReportsANewFormat(stale, got);
    }

    @Test
    void aFormatOfOtherGeometryLeavesNoOldSequenceWhereAStaleReaderPolls() throws Exception {
        DaxMapping pmem = device.mapping();
        long ring = 128 + 7 * 64;
        SharedRing.Reader stale = readerThatRead(ring, 13); // seven slots of 64 bytes
        MemorySegment got = MemorySegment.ofArray(new byte[48]);
        // three slots of 128 bytes end at byte 512; the stale reader polls slot 6 of the old ring, at byte 512,
        // which held sequence 7: left there, it would read "not yet" (13 + 1 - 7) for ever
        SharedRing.format(pmem, 0, ring, 100);
        assertEquals(0, pmem.getLong(512), "the whole range is zeroed, past the last slot");
        assertPollReportsANewFormat(stale, got);
    }
}
