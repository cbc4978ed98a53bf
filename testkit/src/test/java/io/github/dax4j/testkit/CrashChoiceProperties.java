package io.github.dax4j.testkit;

import io.github.dax4j.testkit.jqwik.CrashChoices;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jqwik adapter: generated crashes find a planted bug, and never fault a correct protocol. */
class CrashChoiceProperties {

    @Provide
    Arbitrary<CrashChoice> crashes() {
        return CrashChoices.within(4, 2);
    }

    private static CrashReport protocol(CrashChoice crash, boolean correct) {
        return CrashTest.onDevice(4096 * 4).runOne(crash, (pmem, acks) -> {
            acks.begin("w");
            pmem.putLong(64, 42);
            if (correct) {
                pmem.persist(64, 8);
            }
            pmem.putLong(0, 1);
            pmem.persist(0, 8);
            acks.acknowledge("w");
        }, pmem -> pmem.getLongAtomic(0) == 1 ? pmem.getLongAtomic(64) : -1,
           (Long v, List<Object> acked, List<Object> inFlight) -> acked.isEmpty() ? v == -1 || v == 42 : v == 42);
    }

    @Property(tries = 200)
    void aCorrectProtocolSurvivesEveryGeneratedCrash(@ForAll("crashes") CrashChoice crash) {
        CrashReport report = protocol(crash, true);
        report.assertNoFailure();
        assertEquals(1, report.imagesChecked());
    }

    @Property(tries = 200)
    void theBuggyProtocolFailsAtTheSmallestCrashAndNoCrashMakesTheSimulatorThrow(@ForAll("crashes") CrashChoice crash) {
        // the smallest crash that shows bug 1: the first crash point, the flag's line (unit 0) kept whole, the data
        // line (unit 1) losing its one atom
        assertTrue(protocol(new CrashChoice(0, List.of(0, 1)), false).failure().isPresent());
        // and no generated crash makes the simulator throw
        protocol(crash, false);
    }
}
