package io.github.dax4j.testkit;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a {@link CrashTest}: how many crash points and states there were, how many images recovery ran
 * on, and the first failure, if any.
 *
 * @param crashPoints    fences seen, plus the end of the workload
 * @param states         durable images possible in all (the sum over crash points; saturates)
 * @param imagesChecked  distinct images recovery ran on
 * @param exhaustive     whether every possible image was checked (no crash point exceeded the budget)
 * @param inferredStores whether raw {@code MemorySegment} stores were seen (only their final values, enumerated
 *                       as WORD subsets)
 * @param nanos          the time the run took
 * @param checkingNanos  the part of it spent checking images (recovery and the oracle included), without the
 *                       workload's own time
 * @param failure        the first unacceptable image, shrunk
 * @param performance    flushes and fences that bought no durability, per kind and call site, if
 *                       {@linkplain CrashTest#reportPerformance asked for} (else empty)
 */
public record CrashReport(int crashPoints, long states, long imagesChecked, boolean exhaustive,
                          boolean inferredStores, long nanos, long checkingNanos, Optional<CrashFailure> failure,
                          List<PerformanceFinding> performance) {

    /** {@return images checked per second of checking (the workload's own time left out)} */
    public double imagesPerSecond() {
        return imagesChecked / (Math.max(checkingNanos, 1) / 1e9);
    }

    /** @throws AssertionError describing the failure, if there is one */
    public CrashReport assertNoFailure() {
        failure.ifPresent(f -> {
            throw new AssertionError(f.describe());
        });
        return this;
    }

    @Override
    public String toString() {
        return crashPoints + " crash points, " + states + " states, " + imagesChecked + " images checked"
                + (exhaustive ? " (all)" : " (budgeted)") + (inferredStores ? ", raw stores inferred" : "")
                + String.format(java.util.Locale.ROOT, ", %.0f images/s", imagesPerSecond())
                + failure.map(f -> ", FAILED at crash point " + f.crashPoint()).orElse(", passed");
    }
}
