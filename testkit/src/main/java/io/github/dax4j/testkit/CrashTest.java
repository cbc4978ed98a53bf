package io.github.dax4j.testkit;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.Granularity;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a workload on a simulated device and checks recovery against every durable image a power failure could
 * leave, at every fence and at the end.
 *
 * <pre>{@code
 * CrashTest.onDevice(1 << 20).run(
 *         (pmem, acks) -> {                          // the workload, through DaxMapping's accessors
 *             acks.begin("r1");
 *             pmem.putLong(64, 42);
 *             pmem.persist(64, 8);
 *             pmem.putLongAtomicAndPersist(0, 1);    // publish
 *             acks.acknowledge("r1");
 *         },
 *         pmem -> pmem.getLongAtomic(0) == 1 ? pmem.getLongAtomic(64) : -1,     // recovery
 *         (value, acked, inFlight) -> acked.isEmpty() ? value == -1 || value == 42 : value == 42)
 *     .assertNoFailure();
 * }</pre>
 *
 * <h2>What a crash can leave</h2>
 * <ol>
 *   <li>Stores made through {@link DaxMapping}'s accessors ({@code putLong}, {@code putInt}, {@code putByte},
 *       {@code write}, {@code copy}, {@code fill}, {@code move}, ...) are split into aligned 8-byte atoms, each with
 *       its word's value right after the store, and kept pending per 64-byte line in program order. Raw stores to
 *       {@code segment()} are found at flush and fence time by comparing with a shadow copy: only their final values
 *       are known (the report says {@code raw stores inferred}), and their lines are enumerated as subsets.</li>
 *   <li>{@code flush(range)} marks a cut in the pending atoms of every line it covers; the next {@code drain()}
 *       makes the atoms before each cut durable. {@code persist} is a flush and a drain.</li>
 *   <li>Non-temporal stores wait in a list of their own per line, which the next fence makes durable whole, with
 *       {@link Granularity#BYTE} too: eADR puts the CPU caches in the power-fail protected domain (Intel's "eADR:
 *       New Opportunities for Persistent Memory Applications"), and write-combining buffers are no cache: their
 *       stores are weakly ordered and need a fence to leave the processor (the optimization manual's "Fencing").
 *       A non-temporal store to a line cuts its
 *       ordinary atoms, as if flushed: the CPU evicts a cached line before a non-temporal store to it (Intel's
 *       optimization manual). Where atoms of both lists meet on one word, the later in program order wins, at the
 *       fence and in every image.</li>
 *   <li>Crash points: just before every fence, and at the end of the workload, while {@link Acks#checkCrashes}
 *       is on.</li>
 *   <li>At a crash point each line is its durable content plus the atoms the {@link CrashModel} allows (by default
 *       any program-order prefix of its ordinary atoms) and <em>any subset</em> of its non-temporal ones:
 *       write-combining stores are weakly ordered, with no ordering between them (the optimization manual's
 *       "The Non-temporal Store Instructions"; the SDM's {@code MOVNTI}), so no prefix can be assumed. Lines are
 *       independent. With {@link Granularity#BYTE} the ordinary part is any program-order prefix of every ordinary
 *       store since the last fence, across lines. A word's only pending atom that stores the value the word
 *       durably holds is left out: kept or not, the image is the same.</li>
 *   <li>{@link Exploration#LAZY} (the default) runs recovery on the durable image and decides a pending word only
 *       when recovery first reads it (through {@code get*}, {@code read}, {@code crc32cMatches} or a
 *       {@code move}'s source), one branch
 *       per value the model allows, recovery re-run for each: every image is covered, recovery runs about once
 *       per distinct sequence of values it can read. A {@code crc32cMatches} is one decision: each content the
 *       range ever held after one of the program's store calls whose CRC is the expected one, or one torn content (a
 *       torn range that matches by chance, 2^-32, and a content whose CRC the program stored without the range
 *       ever holding it, are not explored). A crash point where this cannot be done soundly (see
 *       {@link Exploration#LAZY}: a raw {@code segment()}, a recovery that is not deterministic, a read of what a
 *       failed CRC check covered, more than the {@link #budget} of runs), and every crash point of a test that
 *       {@linkplain #crashDuringRecovery crashes recovery}, is enumerated as by {@link Exploration#EAGER}.</li>
 *   <li>{@link Exploration#EAGER} checks every image, each distinct content once, while their number is within
 *       the budget; beyond it a structured set (nothing, everything, each line alone, all but each line, the
 *       intermediate versions of each line) plus samples drawn from the {@link #seed}.</li>
 *   <li>The oracle judges what recovery returns against the operations acknowledged and in flight. The first
 *       failure is shrunk toward the fully persisted image and reported with its crash point, the fence's caller and
 *       the atoms each line kept (or, when lazy exploration found it on a torn CRC, the values recovery read).</li>
 * </ol>
 *
 * <p>Immutable; every method that takes an argument returns a new instance.
 */
public final class CrashTest {

    /** What the workload does, through the simulated device's API; it marks its operations on {@code acks}. */
    @FunctionalInterface
    public interface Workload {
        void run(DaxMapping pmem, Acks acks) throws Exception;
    }

    /** Recovery: what an engine does when it opens the device after a crash. Must not close the mapping. */
    @FunctionalInterface
    public interface Recovery<R> {
        R recover(DaxMapping pmem) throws Exception;
    }

    /**
     * Whether a recovered state is acceptable after a crash with these operations acknowledged and in flight (begun,
     * not acknowledged: each may or may not be in the state; several for a group commit).
     */
    @FunctionalInterface
    public interface Oracle<R> {
        boolean accepts(R recovered, List<Object> acknowledged, List<Object> inFlight);
    }

    /** The default number of images checked per crash point before sampling takes over. */
    public static final int DEFAULT_BUDGET = 4096;

    private final long size;
    private final Alignment alignment;
    private final Granularity granularity;
    private final CrashModel model;
    private final Exploration exploration;
    private final int budget;
    private final long seed;
    private final boolean reportPerformance;
    private final int recoveryDepth;

    private CrashTest(long size, Alignment alignment, Granularity granularity, CrashModel model,
                      Exploration exploration, int budget, long seed, boolean reportPerformance, int recoveryDepth) {
        this.exploration = exploration;
        this.reportPerformance = reportPerformance;
        this.recoveryDepth = recoveryDepth;
        this.size = size;
        this.alignment = alignment;
        this.granularity = granularity;
        this.model = model;
        this.budget = budget;
        this.seed = seed;
    }

    /** {@return a test on a zeroed simulated device of {@code size} bytes (a multiple of 4 KiB), ADR, PREFIX model} */
    public static CrashTest onDevice(long size) {
        return new CrashTest(size, Alignment.PAGE_4K, Granularity.CACHE_LINE, CrashModel.PREFIX, Exploration.LAZY,
                DEFAULT_BUDGET, 1,
                false, 0);
    }

    /** {@return this test with {@code model}} */
    public CrashTest model(CrashModel model) {
        return new CrashTest(size, alignment, granularity, Objects.requireNonNull(model), exploration, budget, seed,
                reportPerformance, recoveryDepth);
    }

    /** {@return this test on an eADR ({@link Granularity#BYTE}) or ADR ({@link Granularity#CACHE_LINE}) device} */
    public CrashTest granularity(Granularity granularity) {
        return new CrashTest(size, alignment, Objects.requireNonNull(granularity), model, exploration, budget, seed,
                reportPerformance, recoveryDepth);
    }

    /** {@return this test visiting each crash point's images by {@code exploration} (default {@link Exploration#LAZY})} */
    public CrashTest exploration(Exploration exploration) {
        return new CrashTest(size, alignment, granularity, model, Objects.requireNonNull(exploration), budget, seed,
                reportPerformance, recoveryDepth);
    }

    /** {@return this test checking at most {@code budget} images per crash point (structured + seeded samples beyond)} */
    public CrashTest budget(int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be positive: " + budget);
        }
        return new CrashTest(size, alignment, granularity, model, exploration, budget, seed, reportPerformance,
                recoveryDepth);
    }

    /**
     * {@return this test also looking for wasted persistence work: flushes of clean lines, lines flushed twice
     * before one fence, flushes of non-temporal stores, fences with nothing pending} Reported per kind and call site
     * in {@link CrashReport#performance()}; off by default, since it walks the stack at every flush and fence.
     */
    public CrashTest reportPerformance(boolean report) {
        return new CrashTest(size, alignment, granularity, model, exploration, budget, seed, report, recoveryDepth);
    }

    /**
     * {@return this test also crashing recovery itself} Recovery runs on each image as a workload of its own: at each
     * of its fences it is crashed, and recovery runs again on those images, down to {@code depth} levels; the oracle
     * judges every final state with the outer crash point's acknowledgements. A recovery that voids its undo record
     * before it has rolled back fails here. 0, the default, runs recovery once per image, unobserved.
     *
     * @throws IllegalArgumentException if {@code depth} is negative or above 3 (each level multiplies the work)
     */
    public CrashTest crashDuringRecovery(int depth) {
        if (depth < 0 || depth > 3) {
            throw new IllegalArgumentException("recovery crash depth must be 0 to 3: " + depth);
        }
        return new CrashTest(size, alignment, granularity, model, exploration, budget, seed, reportPerformance,
                depth);
    }

    /** {@return this test with the seed of its random samples} */
    public CrashTest seed(long seed) {
        return new CrashTest(size, alignment, granularity, model, exploration, budget, seed, reportPerformance,
                recoveryDepth);
    }

    /**
     * Runs {@code workload} and checks only the one crash {@code choice} describes: for {@code @Property} tests
     * that generate {@link CrashChoice}s (see {@code io.github.dax4j.testkit.jqwik.CrashChoices}).
     */
    public <R> CrashReport runOne(CrashChoice choice, Workload workload, Recovery<R> recovery, Oracle<R> oracle) {
        try (CrashSimulator<R> simulator = new CrashSimulator<>(size, alignment, granularity, model,
                exploration, budget, seed, reportPerformance, recovery, oracle).crashingRecovery(recoveryDepth)) {
            return simulator.runOne(workload, choice);
        }
    }

    /** Runs {@code workload}, checking {@code recovery} with {@code oracle} at every crash point. */
    public <R> CrashReport run(Workload workload, Recovery<R> recovery, Oracle<R> oracle) {
        try (CrashSimulator<R> simulator = new CrashSimulator<>(size, alignment, granularity, model,
                exploration, budget, seed, reportPerformance, recovery, oracle).crashingRecovery(recoveryDepth)) {
            return simulator.run(workload);
        }
    }
}
