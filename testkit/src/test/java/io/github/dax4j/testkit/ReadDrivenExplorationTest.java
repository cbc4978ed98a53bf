package io.github.dax4j.testkit;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.PersistFlag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lazy, read-driven exploration: exhaustive where enumerating images cannot be, finding the same bugs, and giving
 * itself up (for eager enumeration) wherever it cannot see what recovery reads.
 */
class ReadDrivenExplorationTest {

    private static final long FLAG = 0;
    private static final long RECORD = 4096;
    private static final long NOTHING = -1;

    /** A record of {@code bytes} bytes whose word {@code i} is {@code i + 1}. */
    private static MemorySegment record(long bytes) {
        MemorySegment record = Arena.ofAuto().allocate(bytes, 64);
        for (long i = 0; i < bytes / 8; i++) {
            record.setAtIndex(JAVA_LONG, i, i + 1);
        }
        return record;
    }

    /** Recovery of the record + flag protocols: the record's length if the flag is set and it is whole. */
    private static CrashTest.Recovery<Long> recordIfFlagged(long bytes) {
        return pmem -> {
            if (pmem.getLongAtomic(FLAG) != 1) {
                return NOTHING;
            }
            MemorySegment copy = MemorySegment.ofArray(new long[(int) (bytes / 8)]);
            pmem.read(RECORD, copy);
            return copy.mismatch(record(bytes)) < 0 ? bytes : 0L; // 0: a flag over a torn record
        };
    }

    private static CrashTest.Oracle<Long> wholeIfAcknowledged(long bytes) {
        return (recovered, acked, inFlight) -> acked.isEmpty() ? recovered == NOTHING || recovered == bytes
                : recovered == bytes;
    }

    /** The correct twin: a non-temporal record, drained, then the flag persisted. */
    private static CrashReport recordThenFlag(CrashTest test, long bytes) {
        return test.run((pmem, acks) -> {
            acks.begin("write");
            pmem.copy(RECORD, record(bytes), PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.drain();
            pmem.putLongAtomicAndPersist(FLAG, 1);
            acks.acknowledge("write");
        }, recordIfFlagged(bytes), wholeIfAcknowledged(bytes));
    }

    @Test
    void aPageSizedNonTemporalRecordDrainedBeforeItsFlagIsCheckedExhaustively() {
        CrashReport eager = recordThenFlag(CrashTest.onDevice(1 << 20).exploration(Exploration.EAGER), 4096);
        eager.assertNoFailure();
        assertFalse(eager.exhaustive(), "256^64 images of the record's crash point: enumeration samples " + eager);

        CrashReport lazy = recordThenFlag(CrashTest.onDevice(1 << 20), 4096);
        System.out.println("4 KiB non-temporal record + flag, lazy: " + lazy + ", " + lazy.nanos() / 1000 + " us");
        lazy.assertNoFailure();
        assertTrue(lazy.exhaustive(), lazy.toString());
        assertEquals(lazy.checkedCrashPoints(), lazy.lazyCrashPoints(), lazy.toString());
        // before the drain the flag is durably 0: one run, whatever the record holds; before the flag's fence the
        // record is durable and the flag 0 or 1: two runs; at the end one
        assertEquals(4, lazy.imagesChecked(), lazy.toString());
    }

    @Test
    void a64KiBRecordToo() {
        CrashReport lazy = recordThenFlag(CrashTest.onDevice(1 << 20), 64 * 1024);
        System.out.println("64 KiB non-temporal record + flag, lazy: " + lazy + ", " + lazy.nanos() / 1000 + " us");
        lazy.assertNoFailure();
        assertTrue(lazy.exhaustive(), lazy.toString());
        assertEquals(4, lazy.imagesChecked(), lazy.toString());
    }

    @Test
    void aFlagPersistedInTheRecordsFenceEpochIsFoundByBoth() {
        CrashTest.Workload bug = (pmem, acks) -> {
            acks.begin("write");
            pmem.copy(RECORD, record(4096), PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.putLongAtomicAndPersist(FLAG, 1); // its fence drains the record too, but a crash comes first
            acks.acknowledge("write");
        };
        for (Exploration exploration : Exploration.values()) {
            CrashReport report = CrashTest.onDevice(1 << 20).exploration(exploration).run(bug,
                    recordIfFlagged(4096), wholeIfAcknowledged(4096));
            CrashFailure failure = report.failure().orElseThrow(() -> new AssertionError(exploration + ": " + report));
            assertEquals(0, failure.crashPoint(), failure.describe());
            assertTrue(failure.recovered().contains("0"), failure.describe());
        }
    }

    /**
     * A record ends with a "complete" word, written by the same non-temporal copy: a prefix model of the line's
     * write-combining stores (the last word durable only after the others) passes it, yet no ordering holds between
     * write-combining stores, and the model now says so.
     */
    @Test
    void aCompletionWordLastInANonTemporalLineDoesNotProveTheLineWhole() {
        MemorySegment line = record(64); // words 1..8; word 7 (value 8) is the "complete" mark
        CrashTest.Workload workload = (pmem, acks) -> {
            acks.begin("write");
            pmem.copy(RECORD, line, PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.drain();
            acks.acknowledge("write");
        };
        CrashTest.Recovery<Long> recovery = pmem -> {
            if (pmem.getLong(RECORD + 56) != 8) {
                return NOTHING;
            }
            MemorySegment copy = MemorySegment.ofArray(new long[8]);
            pmem.read(RECORD, copy);
            return copy.mismatch(line) < 0 ? 64L : 0L;
        };
        for (Exploration exploration : Exploration.values()) {
            CrashReport report = CrashTest.onDevice(1 << 20).exploration(exploration).run(workload, recovery,
                    wholeIfAcknowledged(64));
            assertTrue(report.failure().isPresent(), exploration + ": " + report);
        }
    }

    // ---- checksummed records: crc32cMatches ----

    /** {@code [length | crc32c][payload]} at RECORD, one non-temporal copy; the CRC covers {@code covered} bytes. */
    private static MemorySegment checksummed(int length, int covered) {
        MemorySegment r = Arena.ofAuto().allocate(8 + length, 64);
        for (int i = 0; i < length / 8; i++) {
            r.setAtIndex(JAVA_LONG, i + 1, 0x1000L + i);
        }
        CRC32C crc = new CRC32C();
        crc.update(r.asSlice(8, covered).asByteBuffer());
        r.set(JAVA_INT, 0, length);
        r.set(JAVA_INT, 4, (int) crc.getValue());
        return r;
    }

    private static CrashReport checksummedRecord(CrashTest test, int length, int covered) {
        MemorySegment r = checksummed(length, covered);
        return test.run((pmem, acks) -> {
            acks.begin("write");
            pmem.copy(RECORD, r, PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.drain();
            acks.acknowledge("write");
        }, pmem -> {
            int stored = pmem.getInt(RECORD);
            if (stored != length || !pmem.crc32cMatches(RECORD + 8, covered, pmem.getInt(RECORD + 4))) {
                return NOTHING;
            }
            MemorySegment payload = MemorySegment.ofArray(new byte[length]);
            pmem.read(RECORD + 8, payload);
            return payload.mismatch(r.asSlice(8)) < 0 ? (long) length : 0L;
        }, wholeIfAcknowledged(length));
    }

    @Test
    void aTornChecksummedRecordIsOneBranchNotOnePerTear() {
        CrashReport lazy = checksummedRecord(CrashTest.onDevice(1 << 20), 1024, 1024);
        System.out.println("1 KiB checksummed record, lazy: " + lazy);
        lazy.assertNoFailure();
        assertTrue(lazy.exhaustive(), lazy.toString());
        // at the drain: the header word none or kept, then the CRC whole or torn; at the end one run
        assertTrue(lazy.imagesChecked() <= 4, lazy.toString());

        CrashReport eager = checksummedRecord(CrashTest.onDevice(1 << 20).exploration(Exploration.EAGER), 1024, 1024);
        eager.assertNoFailure();
        assertFalse(eager.exhaustive(), eager.toString());
    }

    @Test
    void aChecksumCoveringOnlyTheFirstLineIsFound() {
        CrashReport lazy = checksummedRecord(CrashTest.onDevice(1 << 20), 1024, 56);
        CrashFailure failure = lazy.failure().orElseThrow(() -> new AssertionError(lazy.toString()));
        assertEquals(0, failure.crashPoint(), failure.describe());
    }

    // ---- where it gives itself up ----

    @Test
    void aRecoveryThatReadsItsSegmentIsEnumeratedInstead() {
        CrashReport report = CrashTest.onDevice(64 * 1024).run((pmem, acks) -> {
            acks.begin("write");
            pmem.putLong(64, 42);
            pmem.persist(64, 8);
            pmem.putLongAtomicAndPersist(FLAG, 1);
            acks.acknowledge("write");
        }, pmem -> pmem.segment().get(JAVA_LONG, FLAG) == 1 ? pmem.segment().get(JAVA_LONG, 64) : NOTHING,
                (value, acked, inFlight) -> acked.isEmpty() ? value == NOTHING || value == 42 : value == 42);
        report.assertNoFailure();
        assertEquals(0, report.lazyCrashPoints(), report.toString());
        assertTrue(report.lazyAbandoned().orElseThrow().contains("segment()"), report.toString());
        assertTrue(report.exhaustive(), report.toString());
    }

    @Test
    void aRecoveryThatReadsDifferentlyOnTheSameValuesIsEnumeratedInstead() {
        AtomicInteger runs = new AtomicInteger();
        CrashReport report = CrashTest.onDevice(64 * 1024).run((pmem, acks) -> {
            pmem.putLong(64, 1);
            pmem.putLong(128, 2);
            pmem.persist(64, 128);
        }, pmem -> runs.incrementAndGet() % 2 == 0 ? pmem.getLong(64) : pmem.getLong(128),
                (value, acked, inFlight) -> true);
        report.assertNoFailure();
        assertTrue(report.lazyAbandoned().orElseThrow().contains("not deterministic"), report.toString());
    }

    @Test
    void aRecoveryThatReadsATornRangeAfterItsChecksumFailedIsEnumeratedInstead() {
        MemorySegment r = checksummed(128, 128);
        CrashReport report = CrashTest.onDevice(64 * 1024).run((pmem, acks) -> {
            pmem.copy(RECORD, r, PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.drain();
        }, pmem -> {
            boolean whole = pmem.crc32cMatches(RECORD + 8, 128, pmem.getInt(RECORD + 4));
            return whole ? 1L : pmem.getLong(RECORD + 64); // reads a torn byte: other tears were not tried
        }, (value, acked, inFlight) -> true);
        report.assertNoFailure();
        assertTrue(report.lazyAbandoned().orElseThrow().contains("CRC"), report.toString());
    }

    @Test
    void aRecoveryThatStoresBeforeItReadsNeedsNoDecision() {
        CrashReport report = CrashTest.onDevice(64 * 1024).run((pmem, acks) -> {
            pmem.putLong(64, 1);
            pmem.putLong(72, 2);
            pmem.persist(64, 16);
        }, pmem -> {
            pmem.putLong(64, 7); // its own value: nothing for the crash to decide
            pmem.putInt(72, 9);  // half a word: the other half is the crash's
            return List.of(pmem.getLong(64), pmem.getLong(72));
        }, (values, acked, inFlight) -> values.get(0) == 7 && (values.get(1) == 9 || values.get(1) == (2L << 32 | 9)));
        report.assertNoFailure();
        assertEquals(report.checkedCrashPoints(), report.lazyCrashPoints(), report.toString());
        // at the fence: word 72 kept or not (word 64 stored whole first); at the end: nothing pending
        assertEquals(3, report.imagesChecked(), report.toString());
    }

    // ---- the cases an outside review found, where lazy once disagreed with eager ----

    /** Runs both explorations and asserts they fail at the same crash point (or both pass); returns the lazy one. */
    private static <R> CrashReport bothAgree(CrashTest test, CrashTest.Workload workload,
                                             CrashTest.Recovery<R> recovery, CrashTest.Oracle<R> oracle) {
        CrashReport eager = test.exploration(Exploration.EAGER).run(workload, recovery, oracle);
        assertTrue(eager.exhaustive(), eager.toString());
        CrashReport lazy = test.run(workload, recovery, oracle);
        assertEquals(eager.failure().map(CrashFailure::crashPoint), lazy.failure().map(CrashFailure::crashPoint),
                "eager: " + eager + "\nlazy: " + lazy);
        return lazy;
    }

    private static int crcOf(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }

    /** A checked word stored 5 and back to its durable 0 around a flag in its line: two ways to the same bytes. */
    @Test
    void aCheckedWordThatReturnsToItsValueLeavesNoImageOut() {
        int zero = crcOf(MemorySegment.ofArray(new byte[8]));
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(0, 5);
            pmem.putLong(8, 0xF1A6);
            pmem.putLong(0, 0);
            pmem.persist(0, 64);
            acks.checkCrashes(false);
        }, pmem -> pmem.crc32cMatches(0, 8, zero) ? pmem.getLong(8) : NOTHING,
                (value, acked, inFlight) -> value != 0xF1A6);
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    /** An ordinary and a non-temporal store on the checked word: the match says nothing of the ordinary prefix. */
    @Test
    void aMatchMadeByANonTemporalStoreLeavesTheOrdinaryOnesOpen() {
        MemorySegment line = MemorySegment.ofArray(new long[] {0x2222, 0xF1A6, 0, 0, 0, 0, 0, 0});
        int y = crcOf(MemorySegment.ofArray(new byte[] {0x22, 0x22, 0, 0, 0, 0, 0, 0}));
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(8, 0xF1A6);
            pmem.putLong(0, 0x1111);
            pmem.copy(0, line, PersistFlag.NON_TEMPORAL);
            pmem.putLong(0, 0);
            pmem.persist(0, 64);
        }, pmem -> pmem.crc32cMatches(0, 8, y) ? pmem.getLong(8) : NOTHING,
                (value, acked, inFlight) -> value != 0);
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    /** eADR: one prefix of ordinary stores across lines, and a non-temporal copy over a checksummed line. */
    @Test
    void underEadrAMatchLeavesTheOtherLinesOrdinaryStoresOpen() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024).granularity(io.github.dax4j.Granularity.BYTE)
                .budget(70_000), (pmem, acks) -> {
            pmem.putLong(64, 1);
            pmem.write(0, checksummedLine(1));
            pmem.copy(0, checksummedLine(4), PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            pmem.drain();
        }, pmem -> pmem.crc32cMatches(8, 56, pmem.getInt(0)) ? pmem.getLong(64) : NOTHING,
                (value, acked, inFlight) -> value != 0);
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    /** A line whose word 0 holds the CRC32C of words 1-7. */
    private static MemorySegment checksummedLine(long seed) {
        MemorySegment line = MemorySegment.ofArray(new byte[64]);
        for (int w = 1; w < 8; w++) {
            line.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, w * 8L, seed * 7 + w);
        }
        line.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, crcOf(line.asSlice(8, 56)));
        return line;
    }

    /** A move reads its source: a torn source is seen as torn in the copy. */
    @Test
    void aMoveInRecoveryReadsItsSource() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(0, 1);
            pmem.putLong(8, 1);
            pmem.persist(0, 64);
        }, pmem -> {
            pmem.move(0, 4096, 16);
            return pmem.getLong(4096) + "," + pmem.getLong(4104);
        }, (copy, acked, inFlight) -> !copy.equals("1,0"));
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    /** An oracle that reads the device raw: lazy exploration gives the crash point up instead of failing. */
    @Test
    void anOracleThatTakesTheSegmentIsEnumeratedInstead() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(0, 1);
            pmem.persist(0, 8);
        }, pmem -> pmem, (pmem, acked, inFlight) -> pmem.segment().get(JAVA_LONG, 0) >= 0);
        lazy.assertNoFailure();
        assertTrue(lazy.lazyAbandoned().isPresent(), lazy.toString());
    }

    /** eADR, LINE_ATOMIC and raw stores: raw stores are any subset in both explorations. */
    @Test
    void underEadrRawStoresAreSubsetsWhateverTheModel() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024).granularity(io.github.dax4j.Granularity.BYTE)
                .model(CrashModel.LINE_ATOMIC), (pmem, acks) -> {
            pmem.segment().set(JAVA_LONG, 0, 1);
            pmem.segment().set(JAVA_LONG, 8, 1);
            pmem.drain();
        }, pmem -> pmem.getLong(0) + "," + pmem.getLong(8), (read, acked, inFlight) -> !read.equals("1,0"));
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    // ---- and those a second review found ----

    private static int crcOfLongs(long... words) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[words.length * 8]);
        MemorySegment.copy(MemorySegment.ofArray(words), 0, bytes, 0, bytes.byteSize());
        return crcOf(bytes);
    }

    /** An old record brought back: a crash keeps the new first word beside the old second one and the old CRC. */
    @Test
    void aContentTheRangeHeldBeforeItsDurableOneIsACandidateToo() {
        for (io.github.dax4j.Granularity granularity : List.of(io.github.dax4j.Granularity.CACHE_LINE,
                io.github.dax4j.Granularity.BYTE)) {
            CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024).granularity(granularity), (pmem, acks) -> {
                acks.checkCrashes(false);
                pmem.write(56, MemorySegment.ofArray(new long[] {7, 1}));
                pmem.putInt(128, crcOfLongs(7, 1));
                pmem.persist(0, 192);
                pmem.putLong(56, 5); // the first record voided in place
                pmem.persist(0, 192);
                acks.checkCrashes(true);
                pmem.write(56, MemorySegment.ofArray(new long[] {7, 2}));
                pmem.putInt(128, crcOfLongs(7, 2));
                pmem.persist(0, 192);
            }, pmem -> pmem.crc32cMatches(56, 16, pmem.getInt(128)) ? pmem.getLong(64) : NOTHING,
                    (second, acked, inFlight) -> second != 1);
            assertTrue(lazy.failure().isPresent(), granularity + ": " + lazy);
        }
    }

    /** A range that ends inside a word: only its bytes in the range are compared. */
    @Test
    void aWordHalfInsideTheCheckedRangeIsComparedByItsBytesInTheRange() {
        MemorySegment v1 = MemorySegment.ofArray(new byte[12]);
        v1.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 1);
        v1.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 8, 5);
        int crc = crcOf(v1);
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(56, 1);
            pmem.putInt(64, 5);
            pmem.putLong(56, 2); // rewritten in place
            pmem.putInt(68, 3);  // the next field, in the same word but outside the range
            pmem.persist(0, 128);
            acks.checkCrashes(false);
        }, pmem -> pmem.crc32cMatches(56, 12, crc) ? (long) pmem.getInt(68) : NOTHING,
                (next, acked, inFlight) -> next != 3);
        assertTrue(lazy.failure().isPresent(), lazy.toString());
    }

    /** Raw stores are seen at the next flush only: a range they wrote is enumerated, not explored by versions. */
    @Test
    void aRangeWrittenByRawStoresIsEnumeratedInstead() {
        int crc = crcOfLongs(1, 0);
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.segment().set(JAVA_LONG, 8, 1);
            pmem.putInt(0, crc);
            pmem.putLong(16, 2);
            pmem.persist(0, 64);
            acks.checkCrashes(false);
        }, pmem -> pmem.crc32cMatches(8, 16, pmem.getInt(0)) ? 1L : NOTHING, (valid, acked, inFlight) -> valid != 1);
        assertTrue(lazy.failure().isPresent(), lazy.toString());
        assertTrue(lazy.lazyAbandoned().orElseThrow().contains("raw"), lazy.toString());
    }

    /** eADR: a raw store made durable long ago does not turn later epochs into "any subset". */
    @Test
    void underEadrAnOldRawStoreLeavesLaterEpochsInProgramOrder() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024).granularity(io.github.dax4j.Granularity.BYTE),
                (pmem, acks) -> {
                    pmem.segment().set(JAVA_LONG, 1024, 7);
                    pmem.drain();
                    pmem.putLong(64, 42);
                    pmem.putLong(0, 1);
                    pmem.drain();
                }, pmem -> pmem.getLong(0) == 1 ? pmem.getLong(64) : NOTHING,
                (value, acked, inFlight) -> value == NOTHING || value == 42);
        lazy.assertNoFailure();
    }

    /** A recovered value whose toString throws is no failure when the oracle accepts it. */
    @Test
    void aRecoveredValueIsPrintedOnlyForAFailure() {
        CrashReport lazy = bothAgree(CrashTest.onDevice(64 * 1024), (pmem, acks) -> {
            pmem.putLong(8, 1);
            pmem.persist(0, 64);
        }, pmem -> new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("not printable");
            }
        }, (value, acked, inFlight) -> true);
        lazy.assertNoFailure();
    }
}
