package io.github.dax4j.testkit;

import java.util.List;
import java.util.Optional;

/**
 * A durable image that the recovery did not recover acceptably: where the crash was, which stores of which lines
 * it kept (shrunk toward "everything persisted"), what recovery returned and what the workload had acknowledged.
 *
 * @param crashPoint   the crash point's index (0 = the first fence)
 * @param where        the fence's caller in the workload (or "end of the workload")
 * @param lines        per line that differs from fully persisted: {@code @offset kept/pending}
 * @param recovered    what recovery returned, or the exception it threw
 * @param acknowledged the operations acknowledged before the crash point
 * @param inFlight     the operation in flight, if any
 * @param seed         the seed that replays the same enumeration
 */
public record CrashFailure(int crashPoint, String where, List<String> lines, String recovered,
                           List<Object> acknowledged, Optional<Object> inFlight, long seed) {

    /** {@return the failure as a message for a test report} */
    public String describe() {
        return "crash point " + crashPoint + " (" + where + "): recovery returned " + recovered
                + "\n  lines not fully persisted: " + (lines.isEmpty() ? "none (everything persisted)" : lines)
                + "\n  acknowledged: " + acknowledged + ", in flight: " + inFlight.map(String::valueOf).orElse("none")
                + "\n  seed: " + seed;
    }
}
