package io.github.dax4j.engines.wal;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static io.github.dax4j.engines.wal.WriteAheadLogTest.record;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log against forged and damaged bytes: a head that breaks an invariant is refused naming it, damage to one head
 * copy loses nothing, bytes inside a payload never pass as a record, and damage after the open is reported, never
 * returned.
 */
class WriteAheadLogDamageTest {

    private static final MapOptions OPTIONS = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();
    private static final long G = 1L << 40;

    private Path device;

    @BeforeEach
    void newDevice() throws IOException {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-wal-", ".img");
        Files.delete(device);
    }

    @AfterEach
    void deleteDevice() throws IOException {
        Files.deleteIfExists(device);
    }

    private static WriteAheadLog open(DaxMapping pmem) throws DirectoryException {
        return WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
    }

    private static long headRegion(DaxMapping pmem) throws DirectoryException {
        return Directory.open(pmem).find("wal.head").orElseThrow().offset();
    }

    /** Writes a head copy with a valid CRC: what a forger (or a bug) would write. */
    private static void forgeCopy(DaxMapping pmem, int copy, long head, long generation) throws DirectoryException {
        ByteBuffer bytes = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder()).putLong(head).putLong(generation)
                .putInt(WriteAheadLog.FORMAT_VERSION);
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 20);
        bytes.putInt(20, (int) crc.getValue());
        pmem.copy(headRegion(pmem) + 64L * copy, MemorySegment.ofArray(bytes.array()));
    }

    /** Three records, the first truncated away: head at the second. */
    private List<byte[]> written() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = open(pmem);
            log.append(record(0, 40));
            long second = log.append(record(1, 100));
            log.append(record(2, 7));
            log.truncate(second);
        }
        return List.of(record(1, 100), record(2, 7));
    }

    private static void assertRecords(List<byte[]> expected, List<byte[]> actual, String why) {
        assertEquals(expected.size(), actual.size(), why);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), why + ", record " + i);
        }
    }

    @Test
    void anLsnWrittenInsideAPayloadIsNotARecords() throws Exception {
        // a payload that holds, at the place a record header's LSN would be, the LSN of that place
        byte[] payload = new byte[40];
        ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder()).putLong(8, G | 16);
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = open(pmem);
            assertEquals(G, log.append(payload));
            long next = log.append(record(1, 10));
            IllegalArgumentException truncate = assertThrows(IllegalArgumentException.class, () -> log.truncate(G | 16));
            assertTrue(truncate.getMessage().contains(String.valueOf(G | 16)), truncate.getMessage());
            assertThrows(IllegalArgumentException.class, () -> log.readFrom(G | 16));
            assertEquals(1, log.readFrom(next).size(), "a real LSN is found");
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            assertRecords(List.of(payload, record(1, 10)), open(pmem).readFrom(0), "the refused truncate dropped nothing");
        }
    }

    @Test
    void anLsnOfAnOlderGenerationWithAHugeOffsetIsRefusedAsNotARecords() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            open(pmem).append(record(0, 40));
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = open(pmem); // generation 2: the head (0) is before every generation-1 LSN
            long lsn = G | ((1L << 40) - 64);
            assertTrue(lsn > log.head() && lsn < log.tail());
            assertThrows(IllegalArgumentException.class, () -> log.readFrom(lsn));
            assertThrows(IllegalArgumentException.class, () -> log.truncate(lsn));
            assertThrows(IllegalArgumentException.class, () -> log.truncate(Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> log.truncate(-1));
            assertEquals(1, log.readFrom(Long.MIN_VALUE).size(), "before the head: from the head");
        }
    }

    @Test
    void everySingleByteOfDamageToTheHeadLosesNothing() throws Exception {
        List<byte[]> expected = written();
        long head;
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            head = open(pmem).head();
        }
        for (int at = 0; at < 128; at++) {
            try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
                long byteAt = headRegion(pmem) + at;
                pmem.putByte(byteAt, (byte) (pmem.getByte(byteAt) ^ 0x5a));
                pmem.persist(byteAt, 1);
                WriteAheadLog log = open(pmem); // rewrites both copies
                assertEquals(head, log.head(), "head after damage at byte " + at);
                assertRecords(expected, log.readFrom(0), "records after damage at byte " + at);
            }
        }
    }

    @Test
    void damageToBothCopiesIsReportedAsDamageNotAsExhaustion() throws Exception {
        written();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            long at = headRegion(pmem);
            pmem.putByte(at + 10, (byte) 0x7f); // a generation byte of copy 0
            pmem.putByte(at + 64 + 15, (byte) 0x7f); // the high generation byte of copy 1: once read as exhaustion
            pmem.persist(at, 128);
            DirectoryException e = assertThrows(DirectoryException.class, () -> open(pmem));
            assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
            assertTrue(e.getMessage().contains("wal.head") && e.getMessage().contains("H1"), e.getMessage());
        }
    }

    @Test
    void aForgedHeadWithAValidChecksumIsRefusedNamingTheInvariant() throws Exception {
        written();
        record Forgery(long head, long generation, String invariant, String value) {
        }
        List<Forgery> forgeries = List.of(new Forgery(0, 0, "H3", "generation 0"),
                new Forgery(0, (1L << 24), "H3", "generation 16777216"),
                new Forgery(0, (1L << 23), "H3", "generation 8388608"), // its LSNs would be negative
                new Forgery(0, -1, "H3", "generation -1"),
                new Forgery(5 * G, 4, "H4", "generation 5"),
                new Forgery(2 * G | 72, 2, "H5", "offset 72"),
                new Forgery(2 * G | (1 << 20), 2, "H5", "offset 1048576"));
        for (Forgery forgery : forgeries) {
            try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
                byte[] before = pmem.segment().toArray(JAVA_BYTE);
                forgeCopy(pmem, 1, forgery.head(), forgery.generation());
                DirectoryException e = assertThrows(DirectoryException.class, () -> open(pmem), forgery.toString());
                assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
                assertTrue(e.getMessage().contains(forgery.invariant()) && e.getMessage().contains(forgery.value())
                        && e.getMessage().contains("copy 1"), forgery + ": " + e.getMessage());
                pmem.copy(0, MemorySegment.ofArray(before)); // undo for the next forgery
            }
        }
    }

    @Test
    void aLogThatUsedItsLastGenerationIsExhaustedNotDamaged() throws Exception {
        written();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            forgeCopy(pmem, 0, 0, (1L << 23) - 1);
            forgeCopy(pmem, 1, 0, (1L << 23) - 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(pmem));
            assertTrue(e.getMessage().contains("used all its 8388607 generations"), e.getMessage());
        }
    }

    @Test
    void aTornFirstWriteOfTheHeadIsANewLog() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            open(pmem);
            long at = headRegion(pmem);
            pmem.fill(at, 64, (byte) 0);            // copy 0 never written
            pmem.putLong(at + 64 + 16, 0);           // copy 1 torn: its generation written, its version+CRC word not
            pmem.persist(at, 128);
            WriteAheadLog log = open(pmem);
            assertEquals(G, log.tail(), "a new log: generation 1 at offset 0");
        }
    }

    @Test
    void aDamagedHeadThatLooksNewIsDamageWhenTheLogHoldsRecords() throws Exception {
        written();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            long at = headRegion(pmem);
            pmem.fill(at, 64, (byte) 0);                                    // copy 0 zeroed
            pmem.putByte(at + 64 + 20, (byte) ~pmem.getByte(at + 64 + 20));  // copy 1's CRC damaged
            pmem.persist(at, 128);
            DirectoryException e = assertThrows(DirectoryException.class, () -> open(pmem),
                    "before, this opened as a new log, and the next append brought old records back");
            assertTrue(e.getMessage().contains("H1"), e.getMessage());
        }
    }

    @Test
    void theLastGenerationsKeepLsnsPositiveAndRecordsRecoverable() throws Exception {
        written();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            forgeCopy(pmem, 0, 0, (1L << 23) - 3);
            forgeCopy(pmem, 1, 0, (1L << 23) - 3);
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = open(pmem); // generation 2^23 - 2
            log.reset();                    // 2^23 - 1, the last
            long lsn = log.append(record(8, 30));
            assertTrue(lsn > 0, "positive: " + Long.toHexString(lsn));
            assertThrows(IllegalStateException.class, log::reset, "no generation left");
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            assertThrows(IllegalStateException.class, () -> open(pmem), "exhausted");
        }
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().readOnly().emulateMapSync())) {
            assertRecords(List.of(record(8, 30)), open(pmem).readFrom(0), "the record of the last generation");
        }
    }

    @Test
    void aHeadRegionForgedToOneCopyIsRefusedBeforeAnythingIsWritten() throws Exception {
        written();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            Directory directory = Directory.open(pmem);
            int slot = 0; // wal.head, the log's first region
            // its count forged to 1 and the entry sealed again with a valid CRC (the directory format's offsets)
            MemorySegment entry = pmem.segment().asSlice(64 + 128L * slot, 128);
            entry.set(JAVA_LONG_UNALIGNED, 16, 1);
            CRC32C crc = new CRC32C();
            crc.update(entry.asSlice(8, 112).asByteBuffer());
            entry.set(JAVA_LONG_UNALIGNED, 120, crc.getValue());
            byte[] before = pmem.segment().toArray(JAVA_BYTE);
            DirectoryException e = assertThrows(DirectoryException.class, () -> open(pmem));
            assertTrue(e.getMessage().contains("1 head copies"), e.getMessage());
            assertArrayEquals(before, pmem.segment().toArray(JAVA_BYTE), "not a byte written");
            assertEquals(2, directory.list().size(), "wal.head and wal, untouched");
        }
    }

    @Test
    void aLogThatDoesNotFitLeavesNoRegion() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            Directory directory = Directory.open(pmem);
            DirectoryException e = assertThrows(DirectoryException.class,
                    () -> WriteAheadLog.open(pmem, directory, "wal", 1L << 30));
            assertEquals(DirectoryException.Reason.FULL, e.reason());
            assertEquals(List.of(), directory.list(), "the head region created first is deleted again");
            assertThrows(NullPointerException.class, () -> WriteAheadLog.open(pmem, directory, null, 4096));
            assertEquals(List.of(), directory.list());
        }
    }

    @Test
    void aReadOnlyOpenRecoversAndReadsWithoutWritingAByte() throws Exception {
        List<byte[]> expected = written();
        byte[] before = Files.readAllBytes(device);
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().readOnly().emulateMapSync())) {
            WriteAheadLog log = open(pmem);
            assertRecords(expected, log.readFrom(0), "read-only recovery");
            assertThrows(ReadOnlyBufferException.class, () -> log.append(record(9, 9)));
            assertThrows(ReadOnlyBufferException.class, log::reset);
        }
        assertTrue(Arrays.equals(before, Files.readAllBytes(device)), "not a byte written");
    }

    @Test
    void aLiveRecordDamagedAfterTheOpenIsReportedNotReturned() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = open(pmem);
            log.append(record(0, 40));
            long second = log.append(record(1, 40));
            long base = Directory.open(pmem).find("wal").orElseThrow().offset();
            pmem.putByte(base + 64 + 20, (byte) ~pmem.getByte(base + 64 + 20)); // second record's payload
            IllegalStateException crc = assertThrows(IllegalStateException.class, () -> log.readFrom(0));
            assertTrue(crc.getMessage().contains("offset 64") && crc.getMessage().contains("CRC"), crc.getMessage());
            pmem.putInt(base, Integer.MAX_VALUE); // first record's length
            IllegalStateException length = assertThrows(IllegalStateException.class, () -> log.truncate(second));
            assertTrue(length.getMessage().contains("length " + Integer.MAX_VALUE), length.getMessage());
            assertEquals(0, log.head(), "the refused truncate moved nothing");
            assertEquals(G, pmem.segment().get(JAVA_LONG_UNALIGNED, base + 8), "the first record's LSN is intact");
        }
    }
}
