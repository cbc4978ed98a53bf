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
    }

    @Test
    void anUnsafeVerdictSticksUntilTheDataIsMarkedRecovered() throws Exception {
        session(count(3));
        ShutdownRecord found = session(count(4));
        assertTrue(found.isRecoveryPending());
        found.close(); // closed without repairing
        ShutdownRecord again = session(count(4));
        assertEquals(LastShutdown.UNSAFE, again.lastShutdown(), "a close without markRecovered keeps the verdict");
        assertTrue(again.reason().contains("rose from 3"), again.reason());
        // the process that would repair crashes before it marks the data recovered
        ShutdownRecord repairing = session(count(4));
        assertEquals(LastShutdown.UNSAFE, repairing.lastShutdown(), "a crash during the repair keeps the verdict");
        repairing.markRecovered();
        assertTrue(!repairing.isRecoveryPending());
        assertEquals(LastShutdown.INTERRUPTED, session(count(4)).lastShutdown(),
                "once recovered, the session is an ordinary open one: it did not close, the count stayed");
        try (ShutdownRecord recovered = session(count(4))) {
            assertEquals(LastShutdown.INTERRUPTED, recovered.lastShutdown());
        }
        assertEquals(LastShutdown.CLEAN, session(count(4)).lastShutdown());
    }

    @Test
    void onlyAPendingRecoveryCanBeMarkedRecovered() throws Exception {
        ShutdownRecord first = session(count(3));
        IllegalStateException none = assertThrows(IllegalStateException.class, first::markRecovered);
        assertTrue(none.getMessage().contains("FIRST_OPEN"), none.getMessage());
        ShutdownRecord unsafe = session(count(4));
        unsafe.close();
        assertThrows(IllegalStateException.class, unsafe::markRecovered, "closed");
    }

    @Test
    void aRecordThatCannotBeKeptLeavesNoRegionBehind() throws Exception {
        Directory.open(pmem); // formatted
        pmem = device.reopen(io.github.dax4j.MapOptions.wholeSource().readOnly());
        Directory readOnly = Directory.open(pmem);
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> ShutdownRecord.open(readOnly, count(3)));
        assertTrue(Directory.open(pmem).find(ShutdownRecord.REGION).isEmpty());
    }

    @Test
    void slotsWhoseSequencesDoNotFollowEachOtherAreDamage() throws Exception {
        session(count(3)).close(); // sequence 1 in slot 1, 2 in slot 0
        long slot0 = Directory.open(pmem).find(ShutdownRecord.REGION).orElseThrow().offset();
        forge(slot0, 6, ShutdownRecord.CLOSED, 3, pmem.getLong(slot0 + 24), 0);
        DirectoryException e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertTrue(e.getMessage().contains("sequences 6 and 1"), e.getMessage());
        forge(slot0, ShutdownRecord.MAX_SEQUENCE + 1, ShutdownRecord.CLOSED, 3, pmem.getLong(slot0 + 24), 0);
        e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertTrue(e.getMessage().contains("impossible fields"), e.getMessage());
        forge(slot0, 2, ShutdownRecord.CLOSED, 3, pmem.getLong(slot0 + 24), 7);
        e = assertThrows(DirectoryException.class, () -> session(count(3)), "unsafe-from set on a closed record");
        assertTrue(e.getMessage().contains("impossible fields"), e.getMessage());
        // two valid, consecutive slots at the top: the next session's writes would pass the limit
        long devices = pmem.getLong(slot0 + 24);
        forge(slot0, ShutdownRecord.MAX_SEQUENCE, ShutdownRecord.CLOSED, 3, devices, 0);
        forge(slot0 + 64, ShutdownRecord.MAX_SEQUENCE - 1, ShutdownRecord.OPEN, 3, devices, 0);
        e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertTrue(e.getMessage().contains("leaves no room"), e.getMessage());
    }

    /** Writes a slot with a correct checksum over the given fields: what a forger (or a bug) would leave. */
    private void forge(long at, long sequence, long state, long count, long devices, long unsafeFrom) {
        byte[] fields = new byte[56];
        java.nio.ByteBuffer.wrap(fields).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(sequence).putLong(state)
                .putLong(count).putLong(devices).putLong(unsafeFrom);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(fields);
        pmem.putLong(at, sequence);
        pmem.putLong(at + 8, state);
        pmem.putLong(at + 16, count);
        pmem.putLong(at + 24, devices);
        pmem.putLong(at + 32, unsafeFrom);
        pmem.putInt(at + 56, (int) crc.getValue());
        pmem.persist(at, 64);
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
        // slot 0 rewritten by a forger with a correct checksum over a state that is neither OPEN, CLOSED nor UNSAFE
        forge(slot0, 2, 7, 3, pmem.getLong(slot0 + 24), 0);
        DirectoryException e = assertThrows(DirectoryException.class, () -> session(count(3)));
        assertTrue(e.getMessage().contains("impossible fields"), e.getMessage());
    }
}
