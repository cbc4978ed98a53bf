package io.github.dax4j.testkit;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.Granularity;
import io.github.dax4j.SimulatedSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The crash-state simulator behind {@link CrashTest}: observes a simulated device, keeps per cache line the atoms
 * stored since they were last durable, and at each crash point (before every fence, and at the end) runs recovery
 * on the possible durable images.
 *
 * <p>The model ({@link CrashModel#PREFIX}): a store is split into aligned 8-byte atoms, each with the word's value
 * right after the store. Per 64-byte line, atoms wait in program order; a flush marks a cut; the next fence makes
 * the atoms before each cut, and every non-temporal atom, durable, in program order where they meet on a word. A
 * non-temporal store cuts its line's ordinary atoms (the CPU evicts the line first). A crash leaves each line's
 * durable content plus any prefix of its pending atoms (and of its non-temporal atoms); lines are independent. With
 * eADR ({@link Granularity#BYTE}) the image is the durable content plus any prefix of the ordinary stores since the
 * last fence, and the non-temporal ones per line as with ADR: write-combining buffers are not persistent.
 * Raw stores to {@code segment()} are found at flush and fence time by comparing with a shadow copy; only their
 * final values are known, so their lines are enumerated as subsets ({@link CrashModel#WORD}).
 *
 * <p>Images are overlays of the few pending lines on the durable content: recovery runs on a second memory that
 * holds the durable image at the crash point; each image writes its lines there, and the lines recovery or the
 * image changed are copied back afterwards.
 */
final class CrashSimulator<R> implements SimulatedSource.Observer, AutoCloseable {

    private static final int LINE = 64;

    private final long size;
    private final Alignment alignment;
    /** How deep recovery itself is crashed at each of its fences, and recovered again (0: not at all). */
    private int recoveryDepth;
    /** The failure of the crashed recovery behind the image {@link #accepted} refused last, or {@code null}. */
    private CrashFailure recoveryCrash;
    private final Granularity granularity;
    private final CrashModel model;
    private final int budget;
    private final long seed;
    private final CrashTest.Recovery<R> recovery;
    private final CrashTest.Oracle<R> oracle;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment working;
    private final MemorySegment shadow;
    private final MemorySegment durable;
    private final MemorySegment scratch;
    private final DaxMapping device;
    private final DaxMapping recoveryDevice;
    /** The lines the current image and its recovery wrote: what {@link #restore} copies back. */
    private final List<Long> written = new ArrayList<>();
    /**
     * Whether {@link #restore} copies back only {@link #written}: recovery's stores through the device's accessors
     * are seen, raw {@code segment()} stores are not. Checked after every crash point by a full comparison; if
     * recovery wrote raw, the crash point is checked again with full comparisons, and so is every later one.
     */
    private boolean fastRestore = true;
    private final SimulatedSource.Observer recoveryStores = new SimulatedSource.Observer() {
        @Override
        public void stored(long offset, long length, boolean nonTemporal) {
            for (long l = offset / LINE; l * LINE < offset + length; l++) {
                written.add(l);
            }
            if (explorer != null) {
                explorer.stored(offset, length);
            }
        }

        @Override
        public void flushed(long offset, long length) {
        }

        @Override
        public void drained() {
        }

        @Override
        public void loading(long offset, long length) {
            if (explorer != null) {
                explorer.loading(offset, length);
            }
        }

        @Override
        public void checking(long offset, long length, int expected) {
            if (explorer != null) {
                explorer.checking(offset, length, expected);
            }
        }

        @Override
        public void exposed() {
            rawRecovery = true; // it may read what no explorer sees: every later crash point is enumerated eagerly
            if (explorer != null) {
                throw explorer.abandon("recovery or the oracle took segment(): its reads cannot be seen (no later"
                        + " crash point is explored lazily either)");
            }
        }
    };
    /** The lazy exploration of the crash point being checked, while recovery runs under it; else {@code null}. */
    private ReadDrivenExplorer explorer;
    /** Whether recovery ever took the recovery device's {@code segment()}: then no crash point is explored lazily. */
    private boolean rawRecovery;
    private final Exploration exploration;
    /** Crash points inside the checked window. */
    private int checkedCrashPoints;
    /** Crash points checked by lazy exploration (the rest were enumerated eagerly). */
    private int lazyCrashPoints;
    /** Why lazy exploration was last given up, if it was. */
    private String abandonedBecause;
    private final Acks acks = new Acks();

    /**
     * Pending atoms per line index; each atom is {word offset in the device, value, program-order sequence, store
     * call}: the number of the {@link #stored} call (or raw-store inference) that made it.
     */
    private final TreeMap<Long, Line> dirty = new TreeMap<>();
    /** eADR: every ordinary atom since the last fence, in program order (non-temporal ones wait in {@link #dirty}). */
    private final List<long[]> sinceFence = new ArrayList<>();
    /** The program-order number of the next atom: where atoms of two lists meet on one word, the later one wins. */
    private long sequence;
    /** The number of the next store call. */
    private long event;
    /** Whether wasted flushes and fences are looked for (off by default: it walks the stack at each of them). */
    private final boolean reportPerformance;
    /** Lines with an ordinary store since they were last flushed, whatever value it stored. */
    private final Set<Long> touched = new HashSet<>();
    /** Lines flushed since the last fence. */
    private final Set<Long> flushedThisEpoch = new HashSet<>();
    private final Map<String, long[]> findings = new java.util.LinkedHashMap<>();

    /** When set, only this one image is checked (see {@link CrashChoice}). */
    private CrashChoice only;
    private boolean checkedOne;
    private int crashPoints;
    private long states;
    private long images;
    private boolean exhaustive = true;
    private boolean inferred;
    private CrashFailure failure;

    private static final class Line {
        final List<long[]> atoms = new ArrayList<>();
        final List<long[]> nonTemporal = new ArrayList<>();
        int cut;
        boolean inferred;
    }

    /** One independent choice at a crash point: how many (or which) atoms of a list of one line are durable. */
    record Unit(long line, List<long[]> atoms, boolean subsets, boolean allOrNothing) {
        long choices() {
            if (allOrNothing) {
                return 2;
            }
            return subsets ? 1L << atoms.size() : atoms.size() + 1; // subset units have at most 62 atoms
        }

        long all() {
            return choices() - 1;
        }

        /** {@return whether {@code choice} keeps atom {@code i}} */
        boolean keeps(long choice, int i) {
            return allOrNothing ? choice == 1 : subsets ? (choice >>> i & 1) != 0 : i < choice;
        }

    }

    CrashSimulator(long size, Alignment alignment, Granularity granularity, CrashModel model, Exploration exploration,
                   int budget, long seed, boolean reportPerformance, CrashTest.Recovery<R> recovery,
                   CrashTest.Oracle<R> oracle) {
        this.exploration = exploration;
        this.reportPerformance = reportPerformance;
        this.alignment = alignment;
        this.size = size;
        this.granularity = granularity;
        this.model = model;
        this.budget = budget;
        this.seed = seed;
        this.recovery = recovery;
        this.oracle = oracle;
        this.working = arena.allocate(size, alignment.bytes());
        this.shadow = arena.allocate(size, LINE);
        this.durable = arena.allocate(size, LINE);
        this.scratch = arena.allocate(size, alignment.bytes());
        this.device = DaxMapping.simulate("workload", working, alignment, granularity, this);
        this.recoveryDevice = DaxMapping.simulate("recovery", scratch, alignment, granularity, recoveryStores);
    }


    CrashReport run(CrashTest.Workload workload) {
        long start = System.nanoTime();
        try {
            workload.run(device, acks);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the workload failed", e);
        }
        inferRawStores();
        crashPoint("end of the workload", true);
        return new CrashReport(crashPoints, checkedCrashPoints, lazyCrashPoints, states, images, exhaustive, inferred,
                System.nanoTime() - start, checkingNanos, Optional.ofNullable(failure), performanceFindings(),
                Optional.ofNullable(abandonedBecause));
    }

    /**
     * {@inheritDoc}
     *
     * <p>An ordinary store of the value a word already holds is no atom: every crash state that includes it equals
     * one that does not (an earlier atom of the same line gave the word that value, or the word was durable with
     * it), so it only multiplies states, e.g. a directory format writing zeros over a blank device. A non-temporal
     * one is kept: the fence makes it durable whatever the line's ordinary atoms do.
     */
    @Override
    public void stored(long offset, long length, boolean nonTemporal) {
        if (!nonTemporal && reportPerformance) {
            for (long l = offset / LINE; l * LINE < offset + length; l++) {
                touched.add(l);
            }
        }
        long call = event++;
        for (long word = offset & -8; word < offset + length; word += 8) {
            long value = working.get(JAVA_LONG, word);
            if (!nonTemporal && value == shadow.get(JAVA_LONG, word)) {
                continue;
            }
            long previous = shadow.get(JAVA_LONG, word);
            shadow.set(JAVA_LONG, word, value);
            record(word, previous, value, nonTemporal, false, call);
        }
    }

    /**
     * Every value each stored word has held, by word index: its value before its first store ({value, -1, -1}),
     * then every atom, {word, value, sequence, store call, 1 if raw}. A CRC check can match a content the range held
     * long before its durable one (an old record brought back by a crash), so lazy exploration takes its candidate
     * contents from here.
     */
    private final Map<Long, List<long[]>> history = new HashMap<>();
    /** eADR: whether a raw store is among {@link #sinceFence} (its list is then enumerated as subsets). */
    private boolean rawSinceFence;

    private void record(long word, long previous, long value, boolean nonTemporal, boolean rawStore, long call) {
        long[] atom = {word, value, sequence++, call};
        history.computeIfAbsent(word >>> 3, w -> {
            List<long[]> values = new ArrayList<>(2);
            values.add(new long[] {word, previous, -1, -1, 0});
            return values;
        }).add(new long[] {word, value, atom[2], call, rawStore ? 1 : 0});
        inferred |= rawStore;
        if (rawStore && reportPerformance) {
            touched.add(word / LINE);
        }
        if (granularity == Granularity.BYTE && !nonTemporal) {
            sinceFence.add(atom); // eADR: the caches are persistent, ordinary stores durable in program order
            rawSinceFence |= rawStore;
            return;
        }
        // non-temporal stores wait in write-combining buffers, which eADR does not make persistent either
        Line line = dirty.computeIfAbsent(word / LINE, l -> new Line());
        if (nonTemporal) {
            // a non-temporal store to a line the cache holds evicts it first (Intel's optimization manual: the
            // line is written back and the store goes around the cache): the line's ordinary atoms so far are
            // as good as flushed, durable by the next fence
            line.cut = line.atoms.size();
            line.nonTemporal.add(atom);
        } else {
            line.atoms.add(atom);
        }
        line.inferred |= rawStore;
    }

    /** Raw stores: every word that differs from the shadow copy, as one atom with its current value. */
    private void inferRawStores() {
        long call = event++;
        long from = 0;
        while (from < size) {
            long mismatch = MemorySegment.mismatch(working, from, size, shadow, from, size);
            if (mismatch < 0) {
                return;
            }
            long word = (from + mismatch) & -8;
            long value = working.get(JAVA_LONG, word);
            long previous = shadow.get(JAVA_LONG, word);
            shadow.set(JAVA_LONG, word, value);
            record(word, previous, value, false, true, call);
            from = word + 8;
        }
    }

    @Override
    public void flushed(long offset, long length) {
        inferRawStores();
        if (granularity == Granularity.CACHE_LINE) {
            for (long l = offset / LINE; l * LINE < offset + Math.max(length, 1) && length > 0; l++) {
                Line line = dirty.get(l);
                if (reportPerformance) {
                    judgeFlush(l, line);
                }
                if (line != null) {
                    line.cut = line.atoms.size();
                }
            }
        }
    }

    /** Classifies the flush of line {@code l}: useful when the line was stored to since its last flush. */
    private void judgeFlush(long l, Line line) {
        if (touched.remove(l)) {
            flushedThisEpoch.add(l);
        } else if (flushedThisEpoch.contains(l)) {
            found(PerformanceFinding.Kind.FLUSHED_TWICE_BEFORE_FENCE);
        } else if (line != null && !line.nonTemporal.isEmpty()) {
            found(PerformanceFinding.Kind.FLUSH_OF_NON_TEMPORAL);
        } else {
            found(PerformanceFinding.Kind.FLUSH_OF_CLEAN_LINE);
        }
    }

    private void found(PerformanceFinding.Kind kind) {
        findings.computeIfAbsent(kind + " " + caller(), k -> new long[1])[0]++;
    }

    private List<PerformanceFinding> performanceFindings() {
        List<PerformanceFinding> list = new ArrayList<>();
        findings.forEach((key, count) -> {
            int space = key.indexOf(' ');
            list.add(new PerformanceFinding(PerformanceFinding.Kind.valueOf(key.substring(0, space)),
                    key.substring(space + 1), count[0]));
        });
        return List.copyOf(list);
    }

    @Override
    public void drained() {
        inferRawStores();
        // nothing pending: no line flushed since the last fence (a flushed line may hold stores of the value it had,
        // which are no atoms, yet its write-back is real) and no flushed or non-temporal atom
        if (reportPerformance && granularity == Granularity.CACHE_LINE && sinceFence.isEmpty()
                && flushedThisEpoch.isEmpty()
                && dirty.values().stream().allMatch(l -> l.cut == 0 && l.nonTemporal.isEmpty())) {
            found(PerformanceFinding.Kind.FENCE_WITH_NOTHING_PENDING);
        }
        flushedThisEpoch.clear();
        crashPoint("fence at " + caller(), false);
        // the fence: what was flushed, and every non-temporal store, is durable now, each word with the value of
        // the atom latest in program order (a store after a non-temporal one to the same word wins, and the other
        // way round)
        List<long[]> durableNow = new ArrayList<>(sinceFence);
        sinceFence.clear();
        rawSinceFence = false;
        var lines = dirty.entrySet().iterator();
        while (lines.hasNext()) {
            Line line = lines.next().getValue();
            durableNow.addAll(line.atoms.subList(0, line.cut));
            line.atoms.subList(0, line.cut).clear();
            line.cut = 0;
            durableNow.addAll(line.nonTemporal);
            line.nonTemporal.clear();
            if (line.atoms.isEmpty()) {
                lines.remove();
            }
        }
        durableNow.sort(BY_SEQUENCE);
        durableNow.forEach(a -> durable.set(JAVA_LONG, a[0], a[1]));
    }

    private static final java.util.Comparator<long[]> BY_SEQUENCE = java.util.Comparator.comparingLong(a -> a[2]);

    /** The first frame outside the machinery between the workload and this observer: where the call came from. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> {
                    String c = f.getClassName();
                    return !(c.startsWith("io.github.dax4j.internal.")
                            || c.equals("io.github.dax4j.DaxMapping") || c.equals(CrashSimulator.class.getName())
                            || c.equals(CrashTest.class.getName()));
                })
                .findFirst().map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber())
                .orElse("(unknown)"));
    }

    private List<Unit> units() {
        // a word's only pending atom that stores its durable value changes nothing whether kept or not (a
        // non-temporal copy's padding over zeros, a field rewritten unchanged): left out, it multiplies no states
        Map<Long, Integer> onWord = new HashMap<>();
        sinceFence.forEach(a -> onWord.merge(a[0], 1, Integer::sum));
        for (Line line : dirty.values()) {
            line.atoms.forEach(a -> onWord.merge(a[0], 1, Integer::sum));
            line.nonTemporal.forEach(a -> onWord.merge(a[0], 1, Integer::sum));
        }
        java.util.function.Function<List<long[]>, List<long[]>> effective = atoms -> atoms.stream()
                .filter(a -> onWord.get(a[0]) > 1 || durable.get(JAVA_LONG, a[0]) != a[1]).toList();
        List<Unit> units = new ArrayList<>();
        List<long[]> ordinary = effective.apply(sinceFence);
        if (granularity == Granularity.BYTE && !ordinary.isEmpty()) {
            boolean subsets = model == CrashModel.WORD || rawSinceFence;
            add(units, new Unit(-1, ordinary, subsets, model == CrashModel.LINE_ATOMIC && !subsets));
        }
        for (Map.Entry<Long, Line> e : dirty.entrySet()) {
            Line line = e.getValue();
            boolean subsets = model == CrashModel.WORD || line.inferred;
            boolean allOrNothing = model == CrashModel.LINE_ATOMIC && !line.inferred;
            List<long[]> atoms = effective.apply(line.atoms);
            if (!atoms.isEmpty()) {
                add(units, new Unit(e.getKey(), atoms, subsets, allOrNothing));
            }
            List<long[]> nonTemporal = effective.apply(line.nonTemporal);
            if (!nonTemporal.isEmpty()) {
                // write-combining stores are weakly ordered (Intel's optimization manual, "The Non-temporal Store
                // Instructions": no ordering is preserved between WC stores; the SDM's MOVNTI: a weakly-ordered
                // model): any subset of a line's non-temporal stores may have left the buffers at a crash
                add(units, new Unit(e.getKey(), nonTemporal, !allOrNothing, allOrNothing));
            }
        }
        return units;
    }

    /** Adds {@code unit}, a subset unit as pieces of at most 62 atoms: its choice is a bit mask in a long. */
    private static void add(List<Unit> units, Unit unit) {
        if (!unit.subsets() || unit.atoms().size() <= 62) {
            units.add(unit);
            return;
        }
        for (int from = 0; from < unit.atoms().size(); from += 62) {
            units.add(new Unit(unit.line(), unit.atoms().subList(from, Math.min(from + 62, unit.atoms().size())),
                    true, false));
        }
    }

    /** The time spent in {@link #crashPoint}: checking, not the workload. */
    private long checkingNanos;

    private void crashPoint(String where, boolean last) {
        long start = System.nanoTime();
        try {
            checkCrashPoint(where, last);
        } finally {
            checkingNanos += System.nanoTime() - start;
        }
    }

    private void checkCrashPoint(String where, boolean last) {
        int index = crashPoints++;
        if (failure != null || !acks.checking()) {
            return; // after the first failure (the report) or outside the checked window, the run only has to finish
        }
        checkedCrashPoints++;
        List<Unit> units = units();
        if (only != null) {
            if (!checkedOne && (index == only.crashPoint() || last)) { // past the last crash point: the last
                checkedOne = true;
                checkOne(index, where, units, only);
            }
            return;
        }
        long count = 1;
        for (Unit u : units) {
            count = u.choices() == Long.MAX_VALUE || count > Long.MAX_VALUE / u.choices() ? Long.MAX_VALUE
                    : count * u.choices();
        }
        states = states > Long.MAX_VALUE - count ? Long.MAX_VALUE : states + count;
        long imagesBefore = images;
        if (exploration == Exploration.LAZY && recoveryDepth == 0 && !rawRecovery && explore(index, where, units)) {
            lazyCrashPoints++;
        } else {
            enumerate(index, where, units, count);
        }
        if (fastRestore && scratch.mismatch(durable) >= 0) {
            // recovery wrote raw segment stores, which only a full comparison finds: check this point again so
            fastRestore = false;
            MemorySegment.copy(durable, 0, scratch, 0, size);
            images = imagesBefore;
            failure = null;
            enumerate(index, where, units, count);
        }
    }

    private void enumerate(int index, String where, List<Unit> units, long count) {
        MemorySegment.copy(durable, 0, scratch, 0, size);
        written.clear();
        List<Object> acknowledged = acks.acknowledged();
        List<Object> inFlight = acks.inFlight();
        Set<Long> seen = new HashSet<>();
        hashes = ImageHashes.applies(units) ? new ImageHashes(units) : null;
        for (long[] choice : choices(units, count, index)) {
            if (!seen.add(contentHash(units, choice))) {
                continue;
            }
            images++;
            if (!accepted(units, choice, acknowledged, inFlight)) {
                fail(index, where, units, choice, acknowledged, inFlight);
                return;
            }
        }
    }

    /** Records the failure of image {@code choice}, shrunk toward the fully persisted image. */
    private void fail(int index, String where, List<Unit> units, long[] choice, List<Object> acknowledged,
                      List<Object> inFlight) {
        long[] shrunk = shrink(units, choice, acknowledged, inFlight);
        accepted(units, shrunk, acknowledged, inFlight); // what recovery does on the shrunk image
        Throwable threw = recoveryError;
        CrashFailure crashed = recoveryCrash;
        failure = new CrashFailure(index, where, describe(units, shrunk), crashed != null
                ? "a state refused after recovery crashed and recovered again: " + crashed.describe()
                .replace("\n", "\n    ") : recoveredText(units, shrunk, acknowledged, inFlight),
                acknowledged, inFlight, seed, Optional.ofNullable(threw));
    }

    /**
     * Checks this crash point by lazy, read-driven exploration ({@link ReadDrivenExplorer}): recovery re-run once
     * per distinct sequence of values it can read.
     *
     * @return whether the exploration ran to its end or to a failure; {@code false} if it was given up (a raw
     *         access, non-determinism, more runs than the budget), and then the crash point is to be enumerated
     */
    private boolean explore(int index, String where, List<Unit> units) {
        MemorySegment.copy(durable, 0, scratch, 0, size);
        written.clear();
        List<Object> acknowledged = acks.acknowledged();
        List<Object> inFlight = acks.inFlight();
        ReadDrivenExplorer x = new ReadDrivenExplorer(units, durable, scratch, written, history);
        long runs = 0;
        explorer = x;
        try {
            do {
                if (++runs > budget) {
                    abandonedBecause = "more than the budget of " + budget + " recovery runs at crash point " + index;
                    return false;
                }
                x.begin();
                String[] recovered = new String[1];
                boolean ok = acceptedLazily(acknowledged, inFlight, recovered);
                if (x.abandoned() != null) {
                    abandonedBecause = x.abandoned() + " (crash point " + index + ")";
                    return false;
                }
                if (!ok) {
                    Throwable threw = recoveryError;
                    explorer = null;
                    long[] image = x.choice();
                    if (!accepted(units, image, acknowledged, inFlight)) {
                        fail(index, where, units, image, acknowledged, inFlight); // an image shows it: shrink it
                    } else {
                        failure = new CrashFailure(index, where, List.of("(found by lazy exploration on a torn"
                                + " CRC-checked range, no single image to show) recovery read, in order: "
                                + String.join(", ", x.observed())), recovered[0], acknowledged, inFlight, seed,
                                Optional.ofNullable(threw));
                    }
                    images += runs;
                    return true;
                }
            } while (x.next());
        } finally {
            explorer = null;
        }
        images += runs;
        return true;
    }

    /** Runs recovery once under the explorer: on the durable image, pending words decided as it reads them. */
    private boolean acceptedLazily(List<Object> acknowledged, List<Object> inFlight, String[] recoveredText) {
        recoveryError = null;
        try {
            R recovered;
            try {
                recovered = recovery.recover(recoveryDevice);
            } catch (ReadDrivenExplorer.Abandoned e) {
                return true; // the explorer says why; the crash point is enumerated instead
            } catch (Exception | AssertionError e) {
                recoveryError = e;
                recoveredText[0] = "an exception: " + e;
                return false;
            }
            boolean accepted;
            try {
                accepted = oracle.accepts(recovered, acknowledged, inFlight); // its reads are decided too
            } catch (ReadDrivenExplorer.Abandoned e) {
                return true;
            } catch (Exception | AssertionError e) {
                accepted = false;
            }
            if (!accepted) {
                try {
                    recoveredText[0] = String.valueOf(recovered);
                } catch (ReadDrivenExplorer.Abandoned e) {
                    return true;
                } catch (RuntimeException | Error e) {
                    recoveredText[0] = "a value whose toString threw " + e;
                }
            }
            return accepted;
        } finally {
            restore();
        }
    }

    /** Checks the one image {@code choice} describes at this crash point. */
    private void checkOne(int index, String where, List<Unit> units, CrashChoice choice) {
        long[] v = new long[units.size()];
        for (int i = 0; i < v.length; i++) {
            Unit u = units.get(i);
            long missing = choice.missing().isEmpty() ? 0 : choice.missing().get(i % choice.missing().size());
            v[i] = u.subsets() ? u.all() & ~((1L << Math.min(missing, 62)) - 1) : Math.max(0, u.all() - missing);
        }
        MemorySegment.copy(durable, 0, scratch, 0, size);
        List<Object> acknowledged = acks.acknowledged();
        List<Object> inFlight = acks.inFlight();
        images++;
        if (!accepted(units, v, acknowledged, inFlight)) {
            Throwable threw = recoveryError;
            failure = new CrashFailure(index, where, describe(units, v), recoveredText(units, v, acknowledged,
                    inFlight), acknowledged, inFlight, seed, Optional.ofNullable(threw));
        }
    }

    /** Checks only {@code choice} instead of enumerating: for property-based tests that generate crashes. */
    CrashReport runOne(CrashTest.Workload workload, CrashChoice choice) {
        this.only = choice;
        return run(workload);
    }

    /** Every choice vector when there are few enough; else a structured set plus seeded random samples. */
    private List<long[]> choices(List<Unit> units, long count, int crashPoint) {
        int n = units.size();
        List<long[]> out = new ArrayList<>();
        if (count <= budget) {
            long[] v = new long[n];
            while (true) {
                out.add(v.clone());
                int i = 0;
                while (i < n && ++v[i] == units.get(i).choices()) {
                    v[i++] = 0;
                }
                if (i == n) {
                    return out;
                }
            }
        }
        exhaustive = false;
        long[] none = new long[n];
        long[] all = new long[n];
        for (int i = 0; i < n; i++) {
            all[i] = units.get(i).all();
        }
        out.add(none);
        out.add(all);
        for (int i = 0; i < n && out.size() < budget; i++) {
            long[] alone = none.clone();
            alone[i] = all[i];
            out.add(alone);
            long[] allBut = all.clone();
            allBut[i] = 0;
            out.add(allBut);
            Unit u = units.get(i);
            if (!u.subsets() && !u.allOrNothing()) {
                for (long k = 1; k < u.all() && out.size() < budget; k++) { // intermediate versions of the line
                    long[] partial = all.clone();
                    partial[i] = k;
                    out.add(partial);
                }
            }
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + crashPoint);
        long[] choices = new long[n];
        for (int i = 0; i < n; i++) {
            choices[i] = units.get(i).choices();
        }
        while (out.size() < budget) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = choices[i] == 2 ? random.nextInt() & 1 : random.nextLong(choices[i]);
            }
            out.add(v);
        }
        return out;
    }

    /**
     * {@return a 64-bit hash of the image {@code choice} leaves: the final value of every word a pending atom
     * touches (the durable value where no kept atom wrote it)} Choices that leave the same bytes (a word rewritten
     * with the value it had, a later atom undoing an earlier one) hash alike, so each image is checked once.
     */
    private long contentHash(List<Unit> units, long[] choice) {
        if (hashes != null) {
            return hashes.of(choice);
        }
        Map<Long, Long> words = new HashMap<>(); // keyed by word index: offsets, multiples of 8, would collide
        for (Unit u : units) {
            for (long[] atom : u.atoms()) {
                words.putIfAbsent(atom[0] >>> 3, durable.get(JAVA_LONG, atom[0]));
            }
        }
        for (long[] atom : kept(units, choice)) {
            words.put(atom[0] >>> 3, atom[1]);
        }
        long h = 0;
        for (Map.Entry<Long, Long> word : words.entrySet()) {
            h += wordHash(word.getKey() << 3, word.getValue()); // order-independent
        }
        return h;
    }

    private static long wordHash(long word, long value) {
        return mix(word * 0x9E3779B97F4A7C15L ^ mix(value));
    }

    /** The content hashes of the crash point being enumerated, when it has only one atom per word; else null. */
    private ImageHashes hashes;

    /**
     * Content hashes where every pending word has one atom: then an image's hash is a sum over its kept atoms of
     * what each changes (its word's hash with the atom's value, less with the durable value), precomputed, and a
     * prefix unit's share is one lookup. The same hash as {@link #contentHash}'s general path, up to a constant.
     */
    private final class ImageHashes {
        private final List<Unit> units;
        private final long[][] prefix;
        private final long[][] delta;

        ImageHashes(List<Unit> units) {
            this.units = units;
            prefix = new long[units.size()][];
            delta = new long[units.size()][];
            for (int u = 0; u < units.size(); u++) {
                List<long[]> atoms = units.get(u).atoms();
                delta[u] = new long[atoms.size()];
                prefix[u] = new long[atoms.size() + 1];
                for (int a = 0; a < atoms.size(); a++) {
                    long word = atoms.get(a)[0];
                    delta[u][a] = wordHash(word, atoms.get(a)[1]) - wordHash(word, durable.get(JAVA_LONG, word));
                    prefix[u][a + 1] = prefix[u][a] + delta[u][a];
                }
            }
        }

        /** {@return whether no word has two pending atoms, in one unit or in two} */
        static boolean applies(List<Unit> units) {
            Set<Long> words = new HashSet<>();
            for (Unit u : units) {
                for (long[] atom : u.atoms()) {
                    if (!words.add(atom[0])) {
                        return false;
                    }
                }
            }
            return true;
        }

        long of(long[] choice) {
            long h = 0;
            for (int u = 0; u < choice.length; u++) {
                Unit unit = units.get(u);
                if (unit.allOrNothing()) {
                    h += choice[u] == 1 ? prefix[u][delta[u].length] : 0;
                } else if (unit.subsets()) {
                    for (long bits = choice[u]; bits != 0; bits &= bits - 1) {
                        h += delta[u][Long.numberOfTrailingZeros(bits)];
                    }
                } else {
                    h += prefix[u][(int) choice[u]];
                }
            }
            return h;
        }
    }

    /** SplitMix64's finaliser: every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** What recovery threw on the image {@link #accepted} checked last, or {@code null}. */
    private Throwable recoveryError;

    /** Crashes recovery at each of its fences, down to {@code depth} recoveries of recoveries. */
    CrashSimulator<R> crashingRecovery(int depth) {
        this.recoveryDepth = depth;
        return this;
    }

    /**
     * {@return the first failure of recovery run as a workload on {@code image}, crashed at each of its fences and
     * recovered again, with the outer crash point's acknowledgements, or {@code null}}
     */
    private CrashFailure crashRecovery(List<Unit> units, long[] choice, List<Object> acknowledged,
                                       List<Object> inFlight) {
        try (CrashSimulator<R> nested = new CrashSimulator<>(size, alignment, granularity, model, exploration, budget,
                seed, false,
                recovery, (recovered, a, f) -> oracle.accepts(recovered, acknowledged, inFlight))) {
            nested.recoveryDepth = recoveryDepth - 1;
            for (MemorySegment m : List.of(nested.working, nested.shadow, nested.durable)) {
                MemorySegment.copy(durable, 0, m, 0, size);
                for (long[] atom : kept(units, choice)) {
                    m.set(JAVA_LONG, atom[0], atom[1]);
                }
            }
            return nested.run((pmem, acks) -> recovery.recover(pmem)).failure().orElse(null);
        }
    }

    private boolean accepted(List<Unit> units, long[] choice, List<Object> acknowledged, List<Object> inFlight) {
        recoveryError = null;
        recoveryCrash = null;
        if (recoveryDepth > 0) {
            try {
                recoveryCrash = crashRecovery(units, choice, acknowledged, inFlight);
            } catch (RuntimeException | Error e) {
                recoveryError = e; // the recovery threw while it ran as a workload
                return false;
            }
            if (recoveryCrash != null) {
                return false;
            }
        }
        try {
            R recovered;
            try {
                recovered = recoverOn(units, choice);
            } catch (Exception | AssertionError e) {
                recoveryError = e; // the recovery code failed: told apart from a state the oracle refuses
                return false;
            }
            try {
                return oracle.accepts(recovered, acknowledged, inFlight);
            } catch (Exception | AssertionError e) {
                return false;
            }
        } finally {
            restore();
        }
    }

    private R recoverOn(List<Unit> units, long[] choice) throws Exception {
        if (hashes != null && hashes.units == units) { // one atom per word: no order to keep among them
            for (int i = 0; i < units.size(); i++) {
                Unit u = units.get(i);
                for (int a = 0; a < u.atoms().size(); a++) {
                    if (u.keeps(choice[i], a)) {
                        long[] atom = u.atoms().get(a);
                        scratch.set(JAVA_LONG, atom[0], atom[1]);
                        written.add(atom[0] / LINE);
                    }
                }
            }
        } else {
            for (long[] atom : kept(units, choice)) {
                scratch.set(JAVA_LONG, atom[0], atom[1]);
                written.add(atom[0] / LINE);
            }
        }
        return recovery.recover(recoveryDevice);
    }

    /** {@return the atoms {@code choice} keeps, in program order: where two lists meet on a word, the later wins} */
    private static List<long[]> kept(List<Unit> units, long[] choice) {
        List<long[]> kept = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            for (int a = 0; a < u.atoms().size(); a++) {
                if (u.keeps(choice[i], a)) {
                    kept.add(u.atoms().get(a));
                }
            }
        }
        kept.sort(BY_SEQUENCE);
        return kept;
    }

    /** Copies back every line that differs from the durable image: those the image and recovery wrote. */
    private void restore() {
        if (fastRestore) {
            for (long line : written) {
                MemorySegment.copy(durable, line * LINE, scratch, line * LINE, LINE);
            }
            written.clear();
            return;
        }
        written.clear();
        long from = 0;
        while (from < size) {
            long mismatch = MemorySegment.mismatch(scratch, from, size, durable, from, size);
            if (mismatch < 0) {
                return;
            }
            long line = (from + mismatch) & -LINE;
            MemorySegment.copy(durable, line, scratch, line, LINE);
            from = line + LINE;
        }
    }

    /** Greedily moves each unit to "everything persisted" while the image still fails: the fewest lines differ. */
    private long[] shrink(List<Unit> units, long[] failing, List<Object> acknowledged, List<Object> inFlight) {
        long[] v = failing.clone();
        for (int i = 0; i < v.length; i++) {
            long was = v[i];
            v[i] = units.get(i).all();
            if (was != v[i] && accepted(units, v, acknowledged, inFlight)) {
                v[i] = was;
            }
        }
        return v;
    }

    private String recoveredText(List<Unit> units, long[] choice, List<Object> acknowledged, List<Object> f) {
        try {
            return String.valueOf(recoverOn(units, choice));
        } catch (Exception | AssertionError e) {
            return "an exception: " + e;
        } finally {
            restore();
        }
    }

    private static List<String> describe(List<Unit> units, long[] choice) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            if (choice[i] != u.all()) {
                String where = u.line() < 0 ? "all stores" : "line @" + u.line() * LINE;
                lines.add(where + ": " + (u.subsets() ? "atoms " + Long.toBinaryString(choice[i]) + " of "
                        + u.atoms().size() : choice[i] + " of " + u.atoms().size() + " pending atoms kept"));
            }
        }
        return lines;
    }

    @Override
    public void close() {
        device.close();
        recoveryDevice.close();
        arena.close();
    }
}
