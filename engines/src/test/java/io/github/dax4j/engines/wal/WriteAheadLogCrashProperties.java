package io.github.dax4j.engines.wal;

import io.github.dax4j.testkit.CrashTest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

/** Random append workloads, every crash point, every image within the budget: only acknowledged prefixes survive. */
class WriteAheadLogCrashProperties {

    @Property(tries = 25)
    void randomWorkloadsLeaveAnAcknowledgedPrefix(
            @ForAll @Size(min = 1, max = 6) List<@Size(min = 1, max = 3) List<@IntRange(min = 1, max = 700) Integer>> groups) {
        CrashTest.onDevice(64 * 1024).budget(256).run(WriteAheadLogTest.appends(groups), WriteAheadLogTest::recover,
                        (recovered, acked, inFlight) -> WriteAheadLogTest.acknowledgedPrefix(recovered, groups, acked))
                .assertNoFailure();
    }
}
