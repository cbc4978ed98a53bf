package io.github.dax4j.engines.wal;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.testkit.CrashReport;
import io.github.dax4j.testkit.CrashTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write-ahead log: what it returns, what survives a reopen, and what survives every simulated crash. */
class WriteAheadLogTest {

    private static final MapOptions OPTIONS = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();

    /** The test's device: a path in tmpfs, created by the first open, deleted after the test. */
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

    static byte[] record(int i, int length) {
        byte[] bytes = new byte[length];
        for (int b = 0; b < length; b++) {
            bytes[b] = (byte) (i * 31 + b);
        }
        return bytes;
    }

    @Test
    void aCapacityOutOfRangeIsRefusedBeforeAnyRegionIsCreated() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            Directory directory = Directory.open(pmem);
            for (long capacity : new long[] {0, -1, 63, Long.MAX_VALUE, (1L << 40) + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> WriteAheadLog.open(pmem, directory, "wal", capacity));
                assertTrue(e.getMessage().contains("capacity " + capacity + " bytes"), e.getMessage());
                assertEquals(List.of(), directory.list(), "no orphan region after capacity " + capacity);
            }
        }
    }

    @Test
    void appendedRecordsAreReadBackAfterReopenAndTruncationDropsAPrefix() throws Exception {
        List<Long> lsns = new ArrayList<>();
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            lsns.add(log.append("first".getBytes(StandardCharsets.UTF_8)));
            lsns.addAll(log.append(List.of(record(1, 300), record(2, 5000))));
            long first = 1L << 40;
            assertEquals(List.of(first, first + 64, first + 64 + 320), lsns,
                    "LSNs: the first opening's generation (1) and the offsets of line-aligned records");
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            List<byte[]> all = log.readFrom(0);
            assertEquals(3, all.size());
            assertArrayEquals(record(2, 5000), all.get(2));
            log.truncate(lsns.get(1));
            assertEquals(2, log.readFrom(0).size());
            assertEquals(lsns.get(1), log.head());
            assertThrows(IllegalStateException.class, () -> log.append(new byte[70_000]));
            assertThrows(IllegalArgumentException.class, () -> log.append(new byte[0]));
            long before = log.tail();
            assertThrows(IllegalStateException.class, () -> log.append(List.of(record(7, 100), new byte[70_000])));
            assertThrows(IllegalArgumentException.class, () -> log.append(List.of(record(7, 100), new byte[0])));
            assertEquals(before, log.tail(), "a refused group writes none of its records");
            assertEquals(lsns.get(1), log.head(), "refused appends change nothing");
            assertEquals(2, log.readFrom(0).size(), "refused appends change nothing");
            assertThrows(IllegalArgumentException.class, () -> log.truncate(log.tail() + 8));
            assertThrows(IllegalArgumentException.class, () -> log.truncate(lsns.get(2) + 8), "not a record's LSN");
            assertThrows(IllegalArgumentException.class, () -> log.readFrom(lsns.get(2) - 8), "not a record's LSN");
            long reopened = log.tail();
            assertEquals(2L << 40, reopened & -(1L << 40), "the second opening appends in generation 2");
            log.reset();
            assertEquals(List.of(), log.readFrom(0), "a reset drops every record");
            long lsn = log.append("again".getBytes(StandardCharsets.UTF_8));
            assertEquals(3L << 40, lsn, "a reset starts generation 3 at offset 0");
        }
    }

    @Test
    void aNativeSegmentIsAppendedLikeAnArrayAndLargeRecordsGrowTheStagingBuffer() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS); Arena arena = Arena.ofConfined()) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 256 * 1024);
            MemorySegment big = arena.allocate(100_000);
            big.copyFrom(MemorySegment.ofArray(record(3, 100_000)));
            long first = log.append(big);
            long second = log.append(MemorySegment.ofArray(record(4, 13)));
            long third = log.append(record(5, 3));
            long g = 1L << 40; // the first opening's generation
            assertEquals(List.of(g, g + 100_032, g + 100_032 + 64), List.of(first, second, third), "line-aligned");
            List<byte[]> read = log.readFrom(0);
            assertArrayEquals(record(3, 100_000), read.get(0));
            assertArrayEquals(record(4, 13), read.get(1));
            assertArrayEquals(record(5, 3), read.get(2));
        }
    }

    /** Appends records one by one (or in groups), acknowledging each once append returned. */
    static CrashTest.Workload appends(List<List<Integer>> groups) {
        return appends(groups, 16 * 1024);
    }

    static CrashTest.Workload appends(List<List<Integer>> groups, long capacity) {
        return (pmem, acks) -> {
            acks.checkCrashes(false); // formatting and creating the regions are the directory's own tests
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem, 4), "wal", capacity);
            acks.checkCrashes(true);
            int i = 0;
            for (List<Integer> group : groups) {
                List<byte[]> records = new ArrayList<>();
                for (int length : group) {
                    records.add(record(i++, length));
                }
                acks.begin(i);
                log.append(records);
                acks.acknowledge(i);
            }
        };
    }

    static List<byte[]> recover(DaxMapping pmem) throws IOException {
        return WriteAheadLog.open(pmem, Directory.open(pmem, 4), "wal", 16 * 1024).readFrom(0);
    }

    /**
     * Groups of 16 records of 1 KiB, each group one fence: 17 lines of non-temporal stores a record, any subset
     * of each line's words durable at the group's crash point. Enumerated, that is 2^(8 x 17 x 16) images; read
     * lazily, recovery reads a record's header words and checks its CRC (whole or torn) and stops at the first torn
     * one, so each crash point costs a few runs per record.
     */
    @Test
    void groupsOfSixteenKibibyteRecordsAreCheckedExhaustively() {
        List<List<Integer>> groups = List.of(java.util.Collections.nCopies(16, 1024),
                java.util.Collections.nCopies(16, 1024));
        long capacity = 64 * 1024;
        CrashReport report = CrashTest.onDevice(256 * 1024).run(appends(groups, capacity),
                pmem -> WriteAheadLog.open(pmem, Directory.open(pmem, 4), "wal", capacity).readFrom(0),
                (recovered, acked, inFlight) -> acknowledgedPrefix(recovered, groups, acked));
        System.out.println("WAL, 2 groups of 16 x 1 KiB: " + report + ", " + report.nanos() / 1_000_000 + " ms, "
                + report.checkingNanos() / 1_000_000 + " ms checking");
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
        assertEquals(report.checkedCrashPoints(), report.lazyCrashPoints(), report.toString());
    }

    /**
     * The oracle: what recovery returns is a prefix of what was appended, record for record, and holds every
     * record of every acknowledged append (an acknowledgement is the count of records appended so far).
     */
    static boolean acknowledgedPrefix(List<byte[]> recovered, List<List<Integer>> groups, List<Object> acked) {
        List<byte[]> appended = new ArrayList<>();
        int i = 0;
        for (List<Integer> group : groups) {
            for (int length : group) {
                appended.add(record(i++, length));
            }
        }
        int durable = acked.isEmpty() ? 0 : (Integer) acked.getLast();
        if (recovered.size() < durable || recovered.size() > appended.size()) {
            return false;
        }
        for (int r = 0; r < recovered.size(); r++) {
            if (!java.util.Arrays.equals(recovered.get(r), appended.get(r))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every crash of appends, a truncation, a reset and an append in the new generation leaves the log as one of
     * the states an operation acknowledged (or the one in flight) left it in.
     */
    @Test
    void everyCrashAroundTruncateAndResetLeavesAnAcknowledgedState() {
        Map<String, List<byte[]>> states = Map.of("a0", List.of(record(0, 30)),
                "a1", List.of(record(0, 30), record(1, 70)), "truncate", List.of(record(1, 70)),
                "reset", List.of(), "a2", List.of(record(2, 30)));
        CrashReport report = CrashTest.onDevice(64 * 1024).budget(200_000).run((pmem, acks) -> {
            acks.checkCrashes(false);
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem, 4), "wal", 16 * 1024);
            acks.checkCrashes(true);
            acks.begin("a0");
            log.append(record(0, 30));
            acks.acknowledge("a0");
            acks.begin("a1");
            long second = log.append(record(1, 70));
            acks.acknowledge("a1");
            acks.begin("truncate");
            log.truncate(second);
            acks.acknowledge("truncate");
            acks.begin("reset");
            log.reset();
            acks.acknowledge("reset");
            acks.begin("a2");
            log.append(record(2, 30));
            acks.acknowledge("a2");
        }, WriteAheadLogTest::recover, (recovered, acked, inFlight) -> {
            List<List<byte[]>> allowed = new ArrayList<>();
            allowed.add(acked.isEmpty() ? List.of() : states.get((String) acked.getLast()));
            inFlight.forEach(operation -> allowed.add(states.get((String) operation)));
            return allowed.stream().anyMatch(state -> state.size() == recovered.size() && java.util.stream.IntStream
                    .range(0, state.size()).allMatch(i -> java.util.Arrays.equals(state.get(i), recovered.get(i))));
        });
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
    }

    /**
     * A group [A, B] whose B became durable and whose A was torn: recovery ends the log before A. An append of the
     * same length as A then ends exactly where B starts; B, never acknowledged, must not come back after it.
     */
    @Test
    void aRecordLeftBehindATornOneNeverReturnsAfterLaterAppends() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            log.append(record(0, 40));
            List<Long> group = log.append(List.of(record(1, 40), record(2, 40)));
            MemorySegment memory = pmem.segment();
            long torn = -1; // A's first payload byte: the record whose LSN field is A's
            for (long at = 0; torn < 0 && at + WriteAheadLog.HEADER <= memory.byteSize(); at += 8) {
                torn = memory.get(JAVA_LONG_UNALIGNED, at + 8) == group.getFirst() ? at + WriteAheadLog.HEADER : -1;
            }
            assertEquals(record(1, 40)[0], memory.get(JAVA_BYTE, torn), "found A");
            memory.set(JAVA_BYTE, torn, (byte) ~memory.get(JAVA_BYTE, torn));
            pmem.persist(torn, 1);
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            assertEquals(1, log.readFrom(0).size(), "recovery ends the log at the torn A");
            log.append(record(3, 40)); // C: as long as A, so it ends where B starts
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            List<byte[]> records = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024).readFrom(0);
            assertEquals(2, records.size(), "the first record and C, never B");
            assertArrayEquals(record(0, 40), records.get(0));
            assertArrayEquals(record(3, 40), records.get(1));
        }
    }

    @Test
    void afterAResetAndAReopenOnlyTheNewGenerationsRecordsAreThere() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            log.append(List.of(record(0, 40), record(1, 40), record(2, 40)));
            log.reset();
            log.append(record(9, 40)); // overwrites the first old record; the second and third stay in memory
        }
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            List<byte[]> records = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024).readFrom(0);
            assertEquals(1, records.size(), "old records never pass as new ones");
            assertArrayEquals(record(9, 40), records.getFirst());
        }
    }

    @Test
    void everyCrashOfASmallWorkloadLeavesAnAcknowledgedPrefix() {
        List<List<Integer>> groups = List.of(List.of(8), List.of(100, 1), List.of(300), List.of(20));
        CrashReport report = CrashTest.onDevice(64 * 1024).budget(200_000).run(appends(groups), WriteAheadLogTest::recover,
                (recovered, acked, inFlight) -> acknowledgedPrefix(recovered, groups, acked));
        report.assertNoFailure();
        assertTrue(report.exhaustive(), "small enough to check every image: " + report);
        assertEquals(report.checkedCrashPoints(), report.lazyCrashPoints(), "the log reads only through the"
                + " accessors: " + report);
        assertTrue(report.imagesChecked() > 10, report.toString());
    }

    @Test
    void appendsTruncateAndResetWasteNoFlushOrFence() {
        java.util.List<io.github.dax4j.testkit.PerformanceFinding> found = CrashTest.onDevice(64 * 1024)
                .reportPerformance(true).budget(1).run((pmem, acks) -> {
                    WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem, 4), "wal", 16 * 1024);
                    log.append(record(0, 30));
                    long second = log.append(record(1, 700));
                    log.append(List.of(record(2, 8), record(3, 100), record(4, 1)));
                    log.truncate(second);
                    log.reset();
                    log.append(record(5, 64));
                }, pmem -> 0, (recovered, acked, inFlight) -> true).performance();
        assertEquals(List.of(), found, "flushes or fences that buy nothing");
    }

    /** Recovery writes the head (a new generation): crashed at each of its fences and run again, it still recovers. */
    @Test
    void aCrashDuringRecoveryStillLeavesAnAcknowledgedPrefix() {
        // one line per record: a crashed recovery is enumerated eagerly, and a line of non-temporal stores is any
        // subset of its words, so a two-line record would make 2^15 images of one crash point
        List<List<Integer>> groups = List.of(List.of(8), List.of(40, 1), List.of(20));
        CrashReport report = CrashTest.onDevice(64 * 1024).crashDuringRecovery(1).run(appends(groups),
                WriteAheadLogTest::recover, (recovered, acked, inFlight) -> acknowledgedPrefix(recovered, groups,
                        acked));
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
    }

    @Test
    void aRecordIsReadByItsLsnAndTheRecordsAreVisitedInOrderWithTheirLsns() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 64 * 1024);
            List<Long> lsns = new ArrayList<>();
            lsns.add(log.append(record(0, 40)));
            lsns.addAll(log.append(List.of(record(1, 100), record(2, 1))));
            lsns.add(log.append(record(3, 700)));
            int[] lengths = {40, 100, 1, 700};
            List<Long> visited = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            log.forEachFrom(0, (payload, lsn) -> {
                visited.add(lsn);
                payloads.add(payload);
            });
            assertEquals(lsns, visited);
            for (int i = 0; i < lsns.size(); i++) {
                assertArrayEquals(record(i, lengths[i]), payloads.get(i));
            }
            visited.clear();
            log.forEachFrom(lsns.get(2), (payload, lsn) -> visited.add(lsn));
            assertEquals(lsns.subList(2, 4), visited);
            for (int i = 0; i < lsns.size(); i++) {
                assertArrayEquals(record(i, lengths[i]), log.read(lsns.get(i)));
            }
            for (long bad : new long[] {log.tail(), lsns.get(1) + 64, lsns.get(0) + 8, -1}) {
                assertThrows(IllegalArgumentException.class, () -> log.read(bad), "read " + bad);
            }
            log.truncate(lsns.get(1));
            assertThrows(IllegalArgumentException.class, () -> log.read(lsns.get(0)), "before the head");
            assertArrayEquals(record(1, 100), log.read(lsns.get(1)));
            // damage after the open: the CRC is checked on every read
            long payload = -1;
            for (long at = 0; payload < 0 && at + 16 <= pmem.byteSize(); at += 64) {
                payload = pmem.getLong(at + 8) == lsns.get(3) ? at + WriteAheadLog.HEADER : -1;
            }
            pmem.putByte(payload, (byte) ~pmem.getByte(payload));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.read(lsns.get(3)));
            assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        }
    }

    @Test
    void readsOnAnotherThreadSeeWholeRecordsWhileOneThreadAppends() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 512 * 1024);
            int n = 2000;
            java.util.concurrent.atomic.AtomicLongArray published = new java.util.concurrent.atomic.AtomicLongArray(n);
            java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic
                    .AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
                    while (count.get() < n) {
                        int known = count.get();
                        if (known > 0) {
                            int i = random.nextInt(known);
                            if (!java.util.Arrays.equals(record(i, 60 + i % 200), log.read(published.get(i)))) {
                                throw new AssertionError("record " + i + " read wrong");
                            }
                        }
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            reader.start();
            for (int i = 0; i < n; i++) {
                published.set(i, log.append(record(i, 60 + i % 200)));
                count.incrementAndGet(); // publishes the LSN after its append: the reader reads it after this
            }
            reader.join();
            assertEquals(null, failed.get(), () -> String.valueOf(failed.get()));
        }
    }
}
