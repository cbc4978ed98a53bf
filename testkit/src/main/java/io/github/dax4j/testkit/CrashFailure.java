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
 * @param inFlight     the operations in flight
 * @param seed         the seed that replays the same enumeration
 * @param recoveryError what recovery threw on that image, if it threw: a failure of the recovery code (a bug in it,
 *                      or a refusal such as {@code CORRUPTED}) rather than a state the oracle judged inconsistent
 */
public record CrashFailure(int crashPoint, String where, List<String> lines, String recovered,
                           List<Object> acknowledged, List<Object> inFlight, long seed,
                           Optional<Throwable> recoveryError) {

    /** {@return whether recovery threw, rather than returning a state the oracle refused} */
    public boolean recoveryThrew() {
        return recoveryError.isPresent();
    }

    /** {@return the failure as a message for a test report} */
    public String describe() {
        return "crash point " + crashPoint + " (" + where + "): " + recoveryError.map(e -> {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            return "the recovery code threw (an exception, not an inconsistent state): " + trace.toString().strip();
        }).orElse("recovery returned " + recovered + ", which the oracle refused")
                + "\n  lines not fully persisted: " + (lines.isEmpty() ? "none (everything persisted)" : lines)
                + "\n  acknowledged: " + acknowledged + ", in flight: " + (inFlight.isEmpty() ? "none" : inFlight)
                + "\n  seed: " + seed;
    }
}
