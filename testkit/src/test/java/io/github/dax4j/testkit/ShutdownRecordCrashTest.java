package io.github.dax4j.testkit;

import io.github.dax4j.device.UnsafeShutdownCount;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.ShutdownRecord;
import io.github.dax4j.layout.ShutdownRecord.LastShutdown;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shutdown record's protocol under every crash a power failure can leave: two sessions, the first closed, the
 * second not. Recovery is the next session's open; whatever the crash, it reads a verdict (never damage), and the
 * verdict is that of the last session whose open or close was acknowledged, or of the one in flight.
 */
class ShutdownRecordCrashTest {

    private static final Optional<UnsafeShutdownCount> THEN = count(3);

    private static Optional<UnsafeShutdownCount> count(long n) {
        return Optional.of(new UnsafeShutdownCount(List.of("nfit:8089-a2-0000", "nfit:8089-a2-0001"), n));
    }

    private static final CrashTest.Workload TWO_SESSIONS = (pmem, acks) -> {
        acks.begin("open 1");
        ShutdownRecord first = ShutdownRecord.open(Directory.open(pmem, 4), THEN);
        acks.acknowledge("open 1");
        acks.begin("close 1");
        first.close();
        acks.acknowledge("close 1");
        acks.begin("open 2");
        ShutdownRecord.open(Directory.open(pmem, 4), THEN);
        acks.acknowledge("open 2");
    };

    /** The verdict a crash right after each operation leaves, for a next open whose count is {@code now}. */
    private static CrashReport crashes(Optional<UnsafeShutdownCount> now, LastShutdown open) {
        Map<Object, LastShutdown> after = Map.of("open 1", open, "close 1", LastShutdown.CLEAN, "open 2", open);
        return CrashTest.onDevice(1 << 20).run(TWO_SESSIONS,
                pmem -> ShutdownRecord.open(Directory.open(pmem, 4), now).lastShutdown(),
                (verdict, acked, inFlight) -> {
                    LastShutdown done = acked.isEmpty() ? LastShutdown.FIRST_OPEN : after.get(acked.getLast());
                    return verdict == done || inFlight.stream().anyMatch(op -> after.get(op) == verdict);
                });
    }

    @Test
    void aSessionThatDidNotCloseIsInterruptedAtEveryCrash() {
        crashes(THEN, LastShutdown.INTERRUPTED).assertNoFailure();
    }

    @Test
    void aCountThatRoseWhileASessionWasOpenIsUnsafeAtEveryCrash() {
        crashes(count(4), LastShutdown.UNSAFE).assertNoFailure();
    }

    /**
     * A session crashes; the next finds the count risen (UNSAFE), repairs, marks the data recovered and closes.
     * Whatever the crash, a later open says UNSAFE until the mark is durable: the verdict never dies with the
     * process that read it.
     */
    private static final CrashTest.Workload REPAIR = (pmem, acks) -> {
        acks.begin("open 1");
        ShutdownRecord.open(Directory.open(pmem, 4), THEN); // never closed
        acks.acknowledge("open 1");
        acks.begin("open 2");
        ShutdownRecord second = ShutdownRecord.open(Directory.open(pmem, 4), count(4));
        acks.acknowledge("open 2");
        if (second.lastShutdown() != LastShutdown.UNSAFE) {
            throw new AssertionError("the workload itself: " + second);
        }
        acks.begin("recovered 2");
        second.markRecovered();
        acks.acknowledge("recovered 2");
        acks.begin("close 2");
        second.close();
        acks.acknowledge("close 2");
    };

    @Test
    void anUnsafeVerdictSurvivesEveryCrashBeforeTheRecoveryIsMarked() {
        Map<Object, LastShutdown> after = Map.of("open 1", LastShutdown.UNSAFE, "open 2", LastShutdown.UNSAFE,
                "recovered 2", LastShutdown.INTERRUPTED, "close 2", LastShutdown.CLEAN);
        CrashTest.onDevice(1 << 20).run(REPAIR,
                pmem -> ShutdownRecord.open(Directory.open(pmem, 4), count(4)).lastShutdown(),
                (verdict, acked, inFlight) -> {
                    LastShutdown done = acked.isEmpty() ? LastShutdown.FIRST_OPEN : after.get(acked.getLast());
                    return verdict == done || inFlight.stream().anyMatch(op -> after.get(op) == verdict);
                }).assertNoFailure();
    }

    @Test
    void anOracleThatIgnoresTheCrashedCloseIsCaught() {
        // a sanity check of the test itself: claiming CLEAN only once "close 1" is acknowledged, and never while it
        // is in flight, must fail at the crash inside close's persist, where the new record is durable already
        CrashReport report = CrashTest.onDevice(1 << 20).run(TWO_SESSIONS,
                pmem -> ShutdownRecord.open(Directory.open(pmem, 4), THEN).lastShutdown(),
                (verdict, acked, inFlight) -> Set.of(LastShutdown.FIRST_OPEN, LastShutdown.INTERRUPTED)
                        .contains(verdict) || acked.contains("close 1") && !acked.contains("open 2"));
        org.junit.jupiter.api.Assertions.assertTrue(report.failure().isPresent(), report.toString());
    }
}
