package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.testkit.CrashReport;
import io.github.dax4j.testkit.CrashTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What dax4j's log storage does beyond JRaft's contract: every crash of every operation. */
class DaxLogStorageTest {

    private static LogStorageOptions options() {
        LogStorageOptions options = new LogStorageOptions();
        options.setGroupId("crash");
        options.setConfigurationManager(new ConfigurationManager());
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        return options;
    }

    /** {@return the log as text: "first..last: index/term/data ..."} */
    private static String describe(DaxLogStorage log) {
        StringBuilder b = new StringBuilder(log.getFirstLogIndex() + ".." + log.getLastLogIndex() + ":");
        for (long i = log.getFirstLogIndex(); i <= log.getLastLogIndex(); i++) {
            LogEntry e = log.getEntry(i);
            b.append(' ').append(e == null ? "null" : e.getId().getIndex() + "/" + e.getId().getTerm() + "/"
                    + (e.getData() == null ? "" : StandardCharsets.UTF_8.decode(e.getData().duplicate())));
        }
        return b.toString();
    }

    private static DaxLogStorage open(DaxMapping pmem) throws Exception {
        DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem, 4), "raft.log", 64 * 1024);
        assertTrue(log.init(options()), () -> log.failure().toString());
        return log;
    }

    /**
     * Appends (one and a batch), a suffix truncation followed by a new term's entries, a prefix truncation and a
     * reset: after any crash the log is the one after the last acknowledged operation or after one in flight (or a
     * prefix of a batch in flight; a reset is a switch of logs, so never the empty log RocksDB's storage may leave).
     */
    @Test
    void everyCrashOfEveryOperationLeavesAnAcknowledgedLog() throws Exception {
        Map<String, List<LogEntry>> batches = Map.of(
                "append 2-4", List.of(LogStorageContract.data(2, 1, "b"), LogStorageContract.data(3, 1, "c"),
                        LogStorageContract.data(4, 1, "d")),
                "append 3-4 of term 2", List.of(LogStorageContract.data(3, 2, "e"),
                        LogStorageContract.data(4, 2, "f")));
        Map<String, Consumer<DaxLogStorage>> operations = new LinkedHashMap<>();
        operations.put("append 1", log -> log.appendEntry(LogStorageContract.data(1, 1, "a")));
        operations.put("append 2-4", log -> log.appendEntries(batches.get("append 2-4")));
        operations.put("truncate after 2", log -> log.truncateSuffix(2));
        operations.put("append 3-4 of term 2", log -> log.appendEntries(batches.get("append 3-4 of term 2")));
        operations.put("truncate before 3", log -> log.truncatePrefix(3));
        operations.put("reset to 10", log -> log.reset(10));
        operations.put("append 11", log -> log.appendEntry(LogStorageContract.data(11, 3, "g")));
        // the logs each operation may leave, from a first run on a real mapping, before any crash is judged: the
        // log after it, and for a batch also each prefix of it (a batch not yet acknowledged may survive in part;
        // the log has no hole, which is all Raft asks of entries it has not acknowledged)
        Map<String, String> after = new LinkedHashMap<>();
        Map<String, List<String>> partial = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(operations.keySet());
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-log-", ".img");
        Files.delete(device);
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.ofLength(1 << 20).createIfAbsent()
                .emulateMapSync())) {
            DaxLogStorage log = open(pmem);
            after.put("", describe(log));
            for (String name : names) {
                List<LogEntry> batch = batches.get(name);
                List<String> prefixes = new ArrayList<>();
                if (batch != null) {
                    for (LogEntry entry : batch.subList(0, batch.size() - 1)) {
                        log.appendEntry(entry);
                        prefixes.add(describe(log));
                    }
                    log.appendEntry(batch.getLast());
                } else {
                    operations.get(name).accept(log);
                }
                after.put(name, describe(log));
                partial.put(name, prefixes);
            }
        } finally {
            Files.deleteIfExists(device);
        }
        CrashReport report = CrashTest.onDevice(1 << 20).run((pmem, acks) -> {
            acks.checkCrashes(false);
            DaxLogStorage log = open(pmem);
            acks.checkCrashes(true);
            for (String name : names) {
                acks.begin(name);
                operations.get(name).accept(log);
                acks.acknowledge(name);
            }
        }, pmem -> describe(open(pmem)), (recovered, acked, inFlight) -> {
            String last = after.get(acked.isEmpty() ? "" : (String) acked.getLast());
            return recovered.equals(last) || inFlight.stream().anyMatch(op -> recovered.equals(after.get(op))
                    || partial.get(op).contains(recovered));
        });
        System.out.println("Raft log storage: " + report + "; logs: " + after);
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
        assertEquals("10..11: 10/0/ 11/3/g", after.get("append 11"));
    }

    private Path device;

    private DaxMapping mapping() throws Exception {
        if (device == null) {
            device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-log-", ".img");
            Files.delete(device);
        }
        return DaxMapping.open(device, MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync());
    }

    @org.junit.jupiter.api.AfterEach
    void deleteDevice() throws Exception {
        if (device != null) {
            Files.deleteIfExists(device);
        }
    }

    @Test
    void anAppendThatWouldLeaveAHoleOrIsNotConsecutiveIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = open(pmem);
            log.appendEntries(List.of(LogStorageContract.data(1, 1, "a"), LogStorageContract.data(2, 1, "b")));
            assertEquals(0, log.appendEntries(List.of(LogStorageContract.data(4, 1, "hole"))));
            assertEquals(0, log.appendEntries(List.of(LogStorageContract.data(3, 1, "c"),
                    LogStorageContract.data(5, 1, "skip"))));
            assertEquals(2, log.getLastLogIndex());
            assertEquals("1..2: 1/1/a 2/1/b", describe(open(pmem)), "nothing of the refused appends written");
        }
    }

    @Test
    void aSuffixTruncatedBelowTheFirstEntryReplaysAsItRan() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = open(pmem);
            for (long i = 1; i <= 10; i++) {
                log.appendEntry(LogStorageContract.data(i, 1, "e" + i));
            }
            log.truncatePrefix(6);
            log.truncateSuffix(3);
            assertEquals("6..5:", describe(log));
            assertEquals("6..5:", describe(open(pmem)));
        }
    }

    @Test
    void aRecordDamagedSinceItWasWrittenReadsAsNullAsWithRocksDb() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = open(pmem);
            log.appendEntry(LogStorageContract.data(1, 1, "a distinctive payload"));
            byte[] needle = "distinctive".getBytes(StandardCharsets.UTF_8);
            long at = -1;
            for (long offset = 0; at < 0 && offset + needle.length <= pmem.byteSize(); offset++) {
                boolean match = true;
                for (int b = 0; match && b < needle.length; b++) {
                    match = pmem.getByte(offset + b) == needle[b];
                }
                at = match ? offset : -1;
            }
            assertTrue(at >= 0, "found the payload");
            pmem.putByte(at, (byte) 'D');
            assertEquals(null, log.getEntry(1));
        }
    }

    @Test
    void aFullLogSwitchesToItsOtherHalfKeepingTheLiveEntriesAndRefusesWhenTheyFillIt() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = open(pmem); // halves of 32 KiB
            long i = 1;
            while (log.appendEntry(LogStorageContract.data(i, 1, "entry " + i))) {
                i++;
            }
            long full = i - 1;
            assertTrue(full > 100, full + " entries fit");
            assertEquals(full, log.getLastLogIndex(), "the refused append wrote nothing");
            assertTrue(log.failure().orElseThrow().getMessage().contains("is full"), log.failure().toString());
            assertTrue(log.truncatePrefix(full - 9), "a truncation still fits (a switch makes room for it)");
            for (i = full + 1; i <= 3 * full; i++) { // two more halves' worth: switches keep the last ten or so
                assertTrue(log.appendEntry(LogStorageContract.data(i, 2, "entry " + i)), "entry " + i);
                if (i % 10 == 0) {
                    assertTrue(log.truncatePrefix(i - 9));
                }
            }
            assertTrue(log.toString().matches(".*epoch [2-9]\\]|.*epoch [1-9][0-9]+\\]"), log.toString());
            DaxLogStorage reopened = open(pmem);
            assertEquals(describe(log), describe(reopened));
            assertEquals("entry " + (3 * full), StandardCharsets.UTF_8.decode(reopened.getEntry(3 * full).getData())
                    .toString());
            assertTrue(reopened.reset(5 * full));
            long n = 5 * full;
            assertEquals(n + ".." + n + ": " + n + "/0/", describe(open(pmem)), "a reset: the placeholder alone");
        }
    }

    /**
     * Appends, truncations and a reset on a log of two 16-line halves, so that appends switch halves twice: after
     * a crash anywhere, a switch included, the log is the one after the last acknowledged operation or the one in
     * flight, never a mix of the halves or an empty one.
     */
    @Test
    void aSwitchCrashedAnywhereLeavesTheLogBeforeOrAfterIt() throws Exception {
        Map<String, Consumer<DaxLogStorage>> operations = new LinkedHashMap<>();
        for (long i = 1; i <= 14; i++) {
            long index = i;
            operations.put("append " + i, log -> log.appendEntry(LogStorageContract.data(index, 1, "e")));
        }
        operations.put("truncate before 12", log -> log.truncatePrefix(12));
        for (long i = 15; i <= 30; i++) {
            long index = i;
            operations.put("append " + i, log -> log.appendEntry(LogStorageContract.data(index, 1, "e")));
            if (i == 22) {
                operations.put("truncate before 20", log -> log.truncatePrefix(20));
            }
        }
        operations.put("reset to 40", log -> log.reset(40));
        operations.put("append 41", log -> log.appendEntry(LogStorageContract.data(41, 2, "f")));
        Map<String, String> after = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(operations.keySet());
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-log-", ".img");
        Files.delete(device);
        String epochs;
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.ofLength(1 << 20).createIfAbsent()
                .emulateMapSync())) {
            DaxLogStorage log = small(pmem);
            after.put("", describe(log));
            StringBuilder seen = new StringBuilder();
            for (String name : names) {
                operations.get(name).accept(log);
                after.put(name, describe(log));
                seen.append(log.toString().replaceAll(".*epoch ", "").replace("]", ""));
            }
            epochs = seen.toString();
        } finally {
            Files.deleteIfExists(device);
        }
        assertTrue(epochs.contains("2") && epochs.contains("3"), "the appends switched twice, the reset once: "
                + epochs);
        assertTrue(after.get("append 30").startsWith("20..30: 20/1/e 21/1/e"), after.get("append 30"));
        CrashReport report = CrashTest.onDevice(1 << 20).run((pmem, acks) -> {
            acks.checkCrashes(false);
            DaxLogStorage log = small(pmem);
            acks.checkCrashes(true);
            for (String name : names) {
                acks.begin(name);
                operations.get(name).accept(log);
                acks.acknowledge(name);
            }
        }, pmem -> describe(small(pmem)), (recovered, acked, inFlight) -> {
            String last = after.get(acked.isEmpty() ? "" : (String) acked.getLast());
            return recovered.equals(last) || inFlight.stream().anyMatch(op -> recovered.equals(after.get(op)));
        });
        System.out.println("Raft log storage, switching halves: " + report);
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
        assertEquals("40..41: 40/0/ 41/2/f", after.get("append 41"));
    }

    private static DaxLogStorage small(DaxMapping pmem) throws Exception {
        DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem, 4), "raft.log", 2 * 16 * 64);
        assertTrue(log.init(options()), () -> log.failure().toString());
        return log;
    }

    /**
     * Readers racing resets, each of which is followed by appends over the records just dropped: a reader gets
     * the entry it asked for or null, never the entry that replaced it at the same place in the log.
     */
    @Test
    void readersRacingResetsGetTheirEntryOrNullNeverAnother() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = open(pmem);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong hits = new java.util.concurrent.atomic.AtomicLong();
            List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom();
                    while (!stop.get()) {
                        long first = log.getFirstLogIndex();
                        long i = first + random.nextLong(64);
                        LogEntry e = log.getEntry(i);
                        reads.incrementAndGet();
                        if (e != null) {
                            hits.incrementAndGet();
                            String text = e.getData() == null ? "" : StandardCharsets.UTF_8.decode(e.getData())
                                    .toString();
                            boolean placeholder = (i - 1) % 1000 == 0; // a reset's no-op, at the index reset to
                            if (e.getId().getIndex() != i || !text.equals(placeholder ? "" : "entry " + i)) {
                                wrong.add("asked " + i + ", got " + e.getId().getIndex() + " '" + text + "'");
                            }
                        }
                    }
                }));
            }
            long next = 1;
            for (int round = 0; round < 2000; round++) {
                // each round's entries land at the same offsets as the last round's, under other indexes
                assertTrue(log.reset(next), "reset to " + next);
                for (long i = next + 1; i < next + 64; i++) {
                    assertTrue(log.appendEntry(LogStorageContract.data(i, 1, "entry " + i)));
                }
                next += 1000;
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
            assertTrue(hits.get() > 0, hits + " of " + reads + " reads found their entry");
        }
    }

    /**
     * Readers on other threads while the writer appends into a small log (two 16 KiB halves) and truncates its
     * prefix as JRaft does after snapshots, so that it switches halves hundreds of times: an entry in the log
     * (before and after the call) always reads as itself, never as {@code null}, which JRaft would take for a
     * corrupted entry.
     */
    @Test
    void readersNeverGetNullForAnEntryInTheLogWhileItSwitchesHalves() throws Exception {
        try (DaxMapping pmem = mapping()) {
            DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem, 4), "raft.log", 32 * 1024);
            assertTrue(log.init(options()), () -> log.failure().toString());
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong hits = new java.util.concurrent.atomic.AtomicLong();
            List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom();
                    while (!stop.get()) {
                        long first = log.getFirstLogIndex();
                        long last = log.getLastLogIndex();
                        if (last < first) {
                            continue;
                        }
                        long i = first + random.nextLong(last - first + 1);
                        LogEntry e = log.getEntry(i);
                        if (e == null) {
                            if (log.getFirstLogIndex() <= i) { // in the log all along: the bounds only grow
                                wrong.add("entry " + i + " read as null, log " + log);
                            }
                            continue;
                        }
                        hits.incrementAndGet();
                        String text = StandardCharsets.UTF_8.decode(e.getData()).toString();
                        if (e.getId().getIndex() != i || !text.equals("entry " + i)) {
                            wrong.add("asked " + i + ", got " + e.getId().getIndex() + " '" + text + "'");
                        }
                    }
                }));
            }
            for (long i = 1; i <= 40_000; i++) {
                assertTrue(log.appendEntry(LogStorageContract.data(i, 1, "entry " + i)), () -> log.failure()
                        .toString());
                if (i % 10 == 0) {
                    assertTrue(log.truncatePrefix(i - 30), () -> log.failure().toString());
                }
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
            assertTrue(hits.get() > 0, hits + " reads found their entry");
            String epoch = log.toString().replaceAll(".*epoch ", "").replace("]", "");
            assertTrue(Long.parseLong(epoch) > 100, "the log switched halves " + epoch + " times");
        }
    }
}
