package io.github.dax4j.testkit;

/**
 * A persistence operation that costs time and buys no durability, found while a workload ran (see
 * {@link CrashTest#reportPerformance}): what kind, where in the workload's code, and how often.
 *
 * @param kind  what was wasted
 * @param site  the workload's frame that made the call ({@code Class.method:line})
 * @param count how many times, at that site
 */
public record PerformanceFinding(Kind kind, String site, long count) {

    /** The kinds of wasted work, as Witcher (SOSP'21) classifies them for persistent-memory programs. */
    public enum Kind {
        /** A flush of a line with no store since it was last flushed or made durable: nothing to write back. */
        FLUSH_OF_CLEAN_LINE,
        /** The same line flushed again before the fence, with no store in between: one flush would do. */
        FLUSHED_TWICE_BEFORE_FENCE,
        /** A flush of a line whose only pending stores are non-temporal: they bypass the cache, the fence suffices. */
        FLUSH_OF_NON_TEMPORAL,
        /** A fence with nothing flushed or non-temporal pending: it orders nothing that needs it. */
        FENCE_WITH_NOTHING_PENDING
    }
}
