package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.device.UnsafeShutdownCount;
import io.github.dax4j.layout.ShutdownRecord.LastShutdown;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shutdown-state check: each session judged against the device's unsafe shutdown count when it opened. */
class ShutdownRecordTest {

    private static final Optional<UnsafeShutdownCount> NO_COUNT = Optional.empty();

    private TmpfsDevice device;
    private DaxMapping pmem;

    @BeforeEach
    void map() {
        device = TmpfsDevice.create(1L << 20);
        pmem = device.mapping();
    }

    @AfterEach
    void unmap() {
        device.close();
    }

    private static Optional<UnsafeShutdownCount> count(long n, String... ids) {
        return Optional.of(new UnsafeShutdownCount(List.of(ids.length == 0 ? new String[] {"nfit:8089-a2-0000"}
                : ids), n));
    }

    /** A new session on the device as it is now, through a fresh mapping: what the next process sees. */
    private ShutdownRecord session(Optional<UnsafeShutdownCount> now) throws Exception {
        pmem = device.reopen();
        return ShutdownRecord.open(Directory.open(pmem), now);
    }

    @Test
    void aSessionThatClosesLeavesACleanRecord() throws Exception {
        try (ShutdownRecord first = session(count(3))) {
            assertEquals(LastShutdown.FIRST_OPEN, first.lastShutdown(), first.reason());
        }
        ShutdownRecord second = session(count(9));
        assertEquals(LastShutdown.CLEAN, second.lastShutdown(), "a count that rose while closed touched nothing");
        second.close();
        second.close(); // harmless
    }

    @Test
    void aSessionThatDidNotCloseIsInterruptedWhileTheCountStays() throws Exception {
        session(count(3)); // never closed: a crash
        ShutdownRecord next = session(count(3));
        assertEquals(LastShutdown.INTERRUPTED, next.lastShutdown(), next.reason());
        assertTrue(next.reason().contains("still 3"), next.reason());
    }

    @Test
    void aCountThatRoseWhileTheSessionWasOpenIsUnsafe() throws Exception {
        session(count(3));
        ShutdownRecord next = session(count(4));
        assertEquals(LastShutdown.UNSAFE, next.lastShutdown());
        assertTrue(next.reason().contains("rose from 3 to 4"), next.reason());
        next.close();
        assertEquals(LastShutdown.CLEAN, session(count(4)).lastShutdown(), "judged once: the next session is new");
    }

    @Test
    void otherDevicesOrNoCountCannotBeJudged() throws Exception {
        session(count(3, "nfit:a", "nfit:b"));
        ShutdownRecord moved = session(count(3, "nfit:a", "nfit:c"));
        assertEquals(LastShutdown.UNKNOWN, moved.lastShutdown());
        assertTrue(moved.reason().contains("other devices"), moved.reason());
        ShutdownRecord blind = session(NO_COUNT);
        assertEquals(LastShutdown.UNKNOWN, blind.lastShutdown());
        assertTrue(blind.reason().contains("no unsafe shutdown count"), blind.reason());
        assertEquals(LastShutdown.UNKNOWN, session(count(3, "nfit:a", "nfit:c")).lastShutdown(),
                "no count was read when the last session opened");
        assertEquals(LastShutdown.UNKNOWN, session(count(1, "nfit:a", "nfit:c")).lastShutdown(),
                "a count that fell: reset devices");
    }

    @Test
    void aSimulatedOrFileDeviceHasNoCountToReadAndIsRecordedAnyway() throws Exception {
        ShutdownRecord record = ShutdownRecord.open(Directory.open(pmem));
        assertEquals(LastShutdown.FIRST_OPEN, record.lastShutdown());
        assertEquals(LastShutdown.UNKNOWN, session(NO_COUNT).lastShutdown(), "tmpfs: no count, not closed");
    }

    @Test
    void aTornNewerSlotLeavesTheOlderOneCurrent() throws Exception {
        try (ShutdownRecord first = session(count(3))) { // sequence 1 (slot 1), then closed: sequence 2 (slot 0)
            assertEquals(LastShutdown.FIRST_OPEN, first.lastShutdown());
        }
        long slot0 = Directory.open(pmem).find(ShutdownRecord.REGION).orElseThrow().offset();
        pmem.putLong(slot0 + 8, 12345); // the close record torn: its CRC no longer matches
        pmem.persist(slot0 + 8, 8);
        assertEquals(LastShutdown.INTERRUPTED, session(count(3)).lastShutdown(),
                "the open record of sequence 1 is current: the close did not complete");
    }

    @Test
    void forgedOrDamagedRecordsAreDamageNeverAVerdict() throws Exception {
        session(count(3)).close();
        long slot0 = Directory.open(pmem).find(ShutdownRecord.REGION).orElseThrow().offset();
        long slot1 = slot0 + 64;
        // both slots torn
        pmem.putLong(slot0 + 16, 99);
        pmem.putLong(slot1 + 16, 99);
        DirectoryException e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("neither slot"), e.getMessage());
    }

    @Test
    void aValidChecksumOverImpossibleFieldsIsDamage() throws Exception {
        session(count(3)).close();
        long slot0 = Directory.open(pmem).find(ShutdownRecord.REGION).orElseThrow().offset();
        // slot 0 rewritten by a forger with a correct checksum over a state that is neither OPEN nor CLOSED
        byte[] forged = new byte[56];
        java.nio.ByteBuffer.wrap(forged).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(4).putLong(7)
                .putLong(3).putLong(1);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(forged);
        pmem.putLong(slot0, 4);
        pmem.putLong(slot0 + 8, 7);
        pmem.putLong(slot0 + 16, 3);
        pmem.putLong(slot0 + 24, 1);
        pmem.putInt(slot0 + 56, (int) crc.getValue());
        DirectoryException e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertTrue(e.getMessage().contains("impossible fields"), e.getMessage());
    }
}
