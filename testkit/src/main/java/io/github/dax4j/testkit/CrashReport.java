package io.github.dax4j.testkit;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a {@link CrashTest}: how many crash points and states there were, how many images recovery ran
 * on, and the first failure, if any.
 *
 * @param crashPoints    fences seen, plus the end of the workload
 * @param checkedCrashPoints the crash points checked: inside the window {@link Acks#checkCrashes} left on, up to
 *                       the first failure
 * @param lazyCrashPoints the crash points checked by {@linkplain Exploration#LAZY lazy exploration}; the others
 *                       checked were enumerated (see {@code lazyAbandoned})
 * @param states         durable images possible in all (the sum over crash points; saturates)
 * @param imagesChecked  distinct images recovery ran on (lazily: recovery runs, each a distinct sequence of values
 *                       it read)
 * @param exhaustive     whether every possible image was checked (no crash point exceeded the budget)
 * @param inferredStores whether raw {@code MemorySegment} stores were seen (only their final values, enumerated
 *                       as WORD subsets)
 * @param nanos          the time the run took
 * @param checkingNanos  the part of it spent checking images (recovery and the oracle included), without the
 *                       workload's own time
 * @param failure        the first unacceptable image, shrunk
 * @param performance    flushes and fences that bought no durability, per kind and call site, if
 *                       {@linkplain CrashTest#reportPerformance asked for} (else empty)
 * @param lazyAbandoned  why lazy exploration last gave a crash point up to enumeration, if it did
 */
public record CrashReport(int crashPoints, int checkedCrashPoints, int lazyCrashPoints, long states, long imagesChecked, boolean exhaustive,
                          boolean inferredStores, long nanos, long checkingNanos, Optional<CrashFailure> failure,
                          List<PerformanceFinding> performance, Optional<String> lazyAbandoned) {

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
        return crashPoints + " crash points (" + checkedCrashPoints + " checked, " + lazyCrashPoints
                + " of them explored lazily), " + states + " states, "
                + imagesChecked + (lazyCrashPoints > 0 ? " images or lazy recovery runs checked" : " images checked")
                + (exhaustive ? " (exhaustive)" : " (budgeted)") + (inferredStores ? ", raw stores inferred" : "")
                + String.format(java.util.Locale.ROOT, ", %.0f images/s", imagesPerSecond())
                + failure.map(f -> ", FAILED at crash point " + f.crashPoint()).orElse(", passed")
                + lazyAbandoned.map(why -> "; enumerated where lazy exploration gave up: " + why).orElse("");
    }
}
