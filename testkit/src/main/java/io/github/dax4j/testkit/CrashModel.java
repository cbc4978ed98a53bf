package io.github.dax4j.testkit;

/**
 * Which durable images a crash may leave, given the stores still pending in each cache line.
 *
 * <p>Why the simplifications lose bugs, with the planted bugs of {@code CrashSimulatorTest}:
 * <ul>
 *   <li>{@link #LINE_ATOMIC} (a line is durable entirely or not at all) cannot produce "the flag of a line durable,
 *       the payload stored before it in the same line not": it misses a protocol that puts both in one line but
 *       writes the flag first.</li>
 *   <li>Final values only (what a checker that looks at memory at fence time sees) misses
 *       {@code valid = 0; payload = new; valid = 1} with one persist at the end: the intermediate {@code valid = 0}
 *       never shows, yet a crash can leave {@code valid = 1} over a half-new payload in other lines.</li>
 *   <li>Reordering only what was flushed (pmreorder) misses a commit flag that was never flushed but that the CPU
 *       evicted early: {@link #PREFIX} lets any pending line be durable at any crash point.</li>
 * </ul>
 */
public enum CrashModel {

    /**
     * The x86 model with ADR, the default: stores are split into aligned 8-byte atoms; after a crash each line holds
     * its last durable content plus any program-order prefix of its pending atoms (a line is written back as a
     * whole snapshot, so stores to one line persist in order); lines are independent. Non-temporal stores wait in a
     * list of their own per line until the next fence.
     */
    PREFIX,

    /**
     * Any subset of each line's pending atoms, in program order: conservative, for aarch64 (no same-line order) or
     * when in doubt. A correct protocol that relies on same-line store order fails here. Lines written with raw
     * {@code MemorySegment} stores (seen only as final values) are always enumerated this way.
     */
    WORD,

    /** All or nothing per line: known to lose bugs (see above); only for comparison with tools that model this. */
    LINE_ATOMIC
}
