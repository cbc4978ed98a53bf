package io.github.dax4j.testkit;

/**
 * How a {@link CrashTest} visits the durable images of a crash point.
 *
 * <p>Both check the same images under the same {@link CrashModel}; they differ in how many times recovery runs.
 * The {@code CrashSimulatorTest} cross-checks them on random programs (same verdict on each).
 */
public enum Exploration {

    /**
     * Read-driven, the default (after Jaaru, ASPLOS'21): recovery runs on the durable image and a word with pending
     * stores gets its value only when recovery first reads it, one branch per value the model allows there;
     * recovery runs again for each branch. The runs are the distinct sequences of values recovery can observe: a
     * crash point whose pending lines recovery never reads costs one run, however many images they make. A
     * {@code crc32cMatches} is one decision, match or not, instead of one per torn word (sound unless a tear
     * matches by chance, 2^-32). Needs recovery to read through {@code DaxMapping}'s {@code get*}, {@code read}
     * and {@code crc32cMatches}, and to be deterministic; a crash point where recovery takes {@code segment()},
     * replays differently, or needs more runs than the budget is enumerated {@link #EAGER}ly instead (the report
     * says so), as is every crash point of a test that {@linkplain CrashTest#crashDuringRecovery crashes
     * recovery}.
     */
    LAZY,

    /**
     * Every image of a crash point, each distinct content once, recovery run on each, while their number is within
     * the budget; beyond it a structured set plus seeded samples. The reference the lazy exploration is checked
     * against.
     */
    EAGER
}
