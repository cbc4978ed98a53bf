package io.github.dax4j.testkit;

/**
 * How a {@link CrashTest} visits the durable images of a crash point.
 *
 * <p>Both cover the images of the same {@link CrashModel}; they differ in how many times recovery runs. Lazily,
 * every image is covered but two kinds, left out by assumption: a torn range that matches its CRC32C by chance
 * (2^-32 per tear), and a content whose CRC the program stored without the range ever holding it. Where lazy
 * exploration cannot be sure it covers the rest, it gives the crash point up and enumerates it.
 * {@code LazyEagerEquivalenceProperties} cross-checks the two on random programs, and
 * {@code ReadDrivenExplorationTest} on the cases where they once disagreed (same verdict at the same crash
 * point).
 */
public enum Exploration {

    /**
     * Read-driven, the default (after Jaaru, ASPLOS'21): recovery runs on the durable image and a word with pending
     * stores gets its value only when recovery first reads it, one branch per value the model allows there;
     * recovery runs again for each branch. Recovery runs once per distinct sequence of values it can read, or more
     * where several branches give a word one value (an ordinary and a non-temporal store on it): a crash point
     * whose pending lines recovery never reads costs one run, however many images they make. A
     * {@code crc32cMatches} is one decision, match or not, instead of one per torn word (leaving out the two
     * kinds above). Needs recovery to read through {@code DaxMapping}'s {@code get*}, {@code read}
     * and {@code crc32cMatches}, and to be deterministic. A crash point is enumerated {@link #EAGER}ly instead
     * (the report says why) where recovery or the oracle takes {@code segment()} (and then every later crash
     * point too), recovery replays differently, a checked word can get its matching bytes in two ways, a checked
     * word was written by a raw {@code segment()} store, recovery reads an undecided word of a store list
     * (a line's, or with eADR every ordinary store since the fence) that a failed CRC check covered, or more runs
     * than the budget are needed; so is every crash point of a test that
     * {@linkplain CrashTest#crashDuringRecovery crashes recovery}.
     */
    LAZY,

    /**
     * Every image of a crash point, each distinct content once, recovery run on each, while their number is within
     * the budget; beyond it a structured set plus seeded samples. The reference the lazy exploration is checked
     * against.
     */
    EAGER
}
