package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What JRaft's {@link LogStorage} promises, as its {@code LogManager} relies on it. The contract runs against
 * JRaft's own RocksDB log storage, so the tests are known to test the contract, and is ready for dax4j's log
 * storage (issue 16).
 */
abstract class LogStorageContract {

    /** {@return a new storage on the test's place (kept between calls), not yet initialised} */
    abstract LogStorage create() throws Exception;

    /** Deletes the test's place. */
    abstract void deletePlace() throws Exception;

    /** Not {@code deletePlace} itself: JUnit runs an overriding method only if it is annotated again. */
    @AfterEach
    final void cleanUp() throws Exception {
        deletePlace();
    }

    private ConfigurationManager configurations;

    private LogStorage open() throws Exception {
        LogStorage storage = create();
        LogStorageOptions options = new LogStorageOptions();
        options.setGroupId("contract"); // JRaft runs a storage's background work in the group's thread pool
        configurations = new ConfigurationManager();
        options.setConfigurationManager(configurations);
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertTrue(storage.init(options));
        return storage;
    }

    static LogEntry data(long index, long term, String text) {
        LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_DATA);
        entry.setId(new LogId(index, term));
        entry.setData(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        return entry;
    }

    static LogEntry configuration(long index, long term, String... peers) {
        LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_CONFIGURATION);
        entry.setId(new LogId(index, term));
        List<PeerId> list = new ArrayList<>();
        for (String p : peers) {
            list.add(PeerId.parsePeer(p));
        }
        entry.setPeers(list);
        return entry;
    }

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(data(i, term, "entry " + i));
        }
        return list;
    }

    /**
     * {@code getTerm}, deprecated in JRaft 1.4.1 but still a method of the interface every storage implements, and
     * so still part of the contract.
     */
    @SuppressWarnings("deprecation")
    private static long termOf(LogStorage log, long index) {
        return log.getTerm(index);
    }

    private static void assertSame(LogEntry expected, LogEntry actual) {
        assertNotNull(actual, "entry " + expected.getId() + " is missing");
        assertEquals(expected.getId(), actual.getId());
        assertEquals(expected.getType(), actual.getType());
        assertEquals(expected.getData(), actual.getData());
        assertEquals(expected.getPeers(), actual.getPeers());
    }

    @Test
    void anEmptyLogStartsAtOneAndEndsAtZero() throws Exception {
        LogStorage log = open();
        assertEquals(1, log.getFirstLogIndex());
        assertEquals(0, log.getLastLogIndex());
        assertNull(log.getEntry(1));
        assertEquals(0, termOf(log, 1));
        log.shutdown();
    }

    @Test
    void appendedEntriesReadBackAndCount() throws Exception {
        LogStorage log = open();
        assertTrue(log.appendEntry(data(1, 1, "first")));
        assertEquals(3, log.appendEntries(entries(2, 4, 2)));
        assertEquals(1, log.getFirstLogIndex());
        assertEquals(4, log.getLastLogIndex());
        assertSame(data(1, 1, "first"), log.getEntry(1));
        assertSame(data(3, 2, "entry 3"), log.getEntry(3));
        assertEquals(2, termOf(log, 4));
        assertNull(log.getEntry(5));
        assertEquals(0, termOf(log, 5));
        log.shutdown();
    }

    @Test
    void truncatePrefixDropsTheEntriesBeforeTheIndex() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 10, 1));
        assertTrue(log.truncatePrefix(6));
        assertEquals(6, log.getFirstLogIndex());
        assertEquals(10, log.getLastLogIndex());
        assertNull(log.getEntry(5));
        assertSame(data(6, 1, "entry 6"), log.getEntry(6));
        log.shutdown();
    }

    @Test
    void truncateSuffixDropsTheEntriesAfterTheIndexAndAppendsGoOnFromIt() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 10, 1));
        assertTrue(log.truncateSuffix(7));
        assertEquals(7, log.getLastLogIndex());
        assertNull(log.getEntry(8));
        assertEquals(2, log.appendEntries(entries(8, 9, 2))); // a new leader's entries in a later term
        assertEquals(9, log.getLastLogIndex());
        assertEquals(2, termOf(log, 8));
        assertSame(data(9, 2, "entry 9"), log.getEntry(9));
        log.shutdown();
    }

    /**
     * After a snapshot is installed: {@code reset(n)} drops every entry and leaves the log as one placeholder at
     * {@code n} (first and last both {@code n}: a no-op entry that keeps the next index), and appends go on at
     * {@code n + 1}.
     */
    @Test
    void resetDropsEverythingAndLeavesAPlaceholderAtTheNextIndex() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 10, 1));
        assertTrue(log.reset(20));
        assertEquals(20, log.getFirstLogIndex());
        assertEquals(20, log.getLastLogIndex());
        assertEquals(EnumOutter.EntryType.ENTRY_TYPE_NO_OP, log.getEntry(20).getType());
        assertNull(log.getEntry(5));
        assertEquals(1, log.appendEntries(entries(21, 21, 3)));
        assertSame(data(21, 3, "entry 21"), log.getEntry(21));
        log.shutdown();
        LogStorage again = open();
        assertEquals(20, again.getFirstLogIndex());
        assertEquals(21, again.getLastLogIndex());
        again.shutdown();
    }

    /**
     * A follower that installs a snapshot beyond its log truncates its prefix past its last entry (JRaft's log
     * manager does so when the snapshot's last entry is not in the log), then appends from there: at an index far
     * beyond where the log started.
     */
    @Test
    void aPrefixTruncatedBeyondTheLastEntryStartsTheLogThere() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 5, 1));
        long k = 3_000_000_001L;
        assertTrue(log.truncatePrefix(k));
        assertEquals(k, log.getFirstLogIndex());
        assertNull(log.getEntry(5));
        assertEquals(2, log.appendEntries(entries(k, k + 1, 4)));
        assertEquals(k + 1, log.getLastLogIndex());
        assertSame(data(k + 1, 4, "entry " + (k + 1)), log.getEntry(k + 1));
        log.shutdown();
        LogStorage again = open();
        assertEquals(k, again.getFirstLogIndex());
        assertEquals(k + 1, again.getLastLogIndex());
        assertSame(data(k, 4, "entry " + k), again.getEntry(k));
        again.shutdown();
    }

    @Test
    void truncatingToTheEndsChangesNothing() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 5, 1));
        assertTrue(log.truncatePrefix(1));
        assertTrue(log.truncateSuffix(5));
        assertEquals(1, log.getFirstLogIndex());
        assertEquals(5, log.getLastLogIndex());
        log.shutdown();
    }

    @Test
    void everythingSurvivesAReopenAndConfigurationsAreReplayed() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 3, 1));
        log.appendEntry(configuration(4, 1, "127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"));
        log.appendEntries(entries(5, 8, 1));
        log.truncatePrefix(2);
        log.truncateSuffix(6);
        log.shutdown();

        LogStorage again = open();
        assertEquals(2, again.getFirstLogIndex());
        assertEquals(6, again.getLastLogIndex());
        assertSame(data(5, 1, "entry 5"), again.getEntry(5));
        assertNull(again.getEntry(7));
        ConfigurationEntry last = configurations.getLastConfiguration();
        assertEquals(new LogId(4, 1), last.getId());
        assertEquals(3, last.getConf().getPeers().size(), last.toString());
        again.shutdown();
    }

    @Test
    void readersOnOtherThreadsSeeWholeEntriesWhileAppendsRun() throws Exception {
        LogStorage log = open();
        log.appendEntries(entries(1, 10, 1));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    long last = log.getLastLogIndex();
                    for (long i = Math.max(1, last - 5); i <= last; i++) {
                        LogEntry e = log.getEntry(i);
                        if (e == null || !e.getData().equals(data(i, 1, "entry " + i).getData())) {
                            throw new AssertionError("entry " + i + " read as " + e);
                        }
                    }
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        reader.start();
        for (long i = 11; i <= 2000; i += 10) {
            assertEquals(10, log.appendEntries(entries(i, i + 9, 1)));
        }
        done.set(true);
        reader.join();
        assertNull(failed.get(), () -> String.valueOf(failed.get()));
        assertEquals(2000, log.getLastLogIndex());
        log.shutdown();
    }
}
