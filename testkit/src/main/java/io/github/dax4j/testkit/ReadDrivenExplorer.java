package io.github.dax4j.testkit;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Lazy, read-driven exploration of one crash point (after Jaaru, ASPLOS'21): recovery runs on the durable image,
 * and a word with pending atoms gets its value only when recovery first reads it, one branch per value the crash
 * model allows there; the branches are walked depth first, recovery re-run from the start for each. The images
 * explored are the distinct sequences of values recovery can observe, however many images share each of them.
 *
 * <p>Invariants, per run:
 * <ul>
 *   <li>Each unit (a line's list of pending atoms) has a domain, the choices still possible: an interval of prefix
 *       lengths, or for a subset unit the atoms known kept and known dropped. A decision only narrows domains, so
 *       every word decided so far holds the value some image of the remaining domains gives it.</li>
 *   <li>A word is decided once, at its first read, and then holds that value (or recovery's own store) until the
 *       run ends; a word recovery stores to whole before reading it needs no decision.</li>
 *   <li>{@code crc32cMatches} is a decision between "the range holds a content it had at the end of one of the
 *       program's store calls, at any time since the start (a crash may bring back an old record), and whose
 *       CRC32C is the expected one" (one branch per such content; each word's units narrowed to the one class
 *       that gives its bytes in the range their value, whichever stores made it, and the exploration given up
 *       where two classes would, or where a raw store wrote the range) and "it holds something else" (one representative, its words and
 *       units then sealed: a later read of them abandons the exploration, since other contents that mismatch
 *       were not tried). Sound unless a torn range matches its CRC by chance (2^-32 per tear) or a program
 *       stores the CRC of a content the range never held.</li>
 *   <li>Recovery must be deterministic: the same values read give the same reads next. A replay that meets a
 *       different decision abandons the exploration, as does any raw {@code segment()} access; the simulator then
 *       enumerates the crash point eagerly.</li>
 * </ul>
 */
final class ReadDrivenExplorer {

    /** Thrown into recovery when lazy exploration cannot go on soundly; never caught by a well-behaved recovery. */
    static final class Abandoned extends Error {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        Abandoned(String why) {
            super(why, null, false, false);
        }
    }

    private final List<CrashSimulator.Unit> units;
    private final MemorySegment durable;
    private final MemorySegment scratch;
    private final List<Long> written;
    /**
     * Word index (offset / 8: offsets, multiples of 8, would crowd a hash table's buckets) -> the pending atoms on
     * it, one {@link Group} per unit in unit order.
     */
    private final Map<Long, List<Group>> byWord = new HashMap<>();

    /** The pending atoms one unit has on one word: their indices in the unit's list, in program order. */
    private record Group(int unit, int[] atoms) {
    }

    private final int[] lo;
    private final int[] hi;
    private final BitSet[] keep;
    private final BitSet[] drop;
    private final Set<Long> decided = new HashSet<>();
    private final Set<Long> sealedWords = new HashSet<>();
    private final BitSet sealedUnits = new BitSet();
    /** Units whose domain this run narrowed: the only ones {@link #begin} has to reset. */
    private final BitSet narrowed = new BitSet();
    /** The decisions of this run and the runs to come: {option chosen, options, where: a word, or ~offset of a CRC}. */
    private final List<long[]> trail = new ArrayList<>();
    private final List<String> observed = new ArrayList<>();
    private int position;
    private String abandoned;

    /** Every value each stored word has held (see {@code CrashSimulator.history}), by word index. */
    private final Map<Long, List<long[]>> history;

    ReadDrivenExplorer(List<CrashSimulator.Unit> units, MemorySegment durable, MemorySegment scratch,
                       List<Long> written, Map<Long, List<long[]>> history) {
        this.history = history;
        this.units = units;
        this.durable = durable;
        this.scratch = scratch;
        this.written = written;
        int n = units.size();
        lo = new int[n];
        hi = new int[n];
        keep = new BitSet[n];
        drop = new BitSet[n];
        Map<Long, List<int[]>> pairsByWord = new HashMap<>(); // {unit, atom}, in unit order then program order
        for (int u = 0; u < n; u++) {
            List<long[]> atoms = units.get(u).atoms();
            for (int a = 0; a < atoms.size(); a++) {
                pairsByWord.computeIfAbsent(atoms.get(a)[0] >>> 3, w -> new ArrayList<>(2)).add(new int[] {u, a});
            }
        }
        pairsByWord.forEach((word, pairs) -> {
            List<Group> groups = new ArrayList<>(1);
            for (int i = 0; i < pairs.size(); ) {
                int end = i;
                while (end < pairs.size() && pairs.get(end)[0] == pairs.get(i)[0]) {
                    end++;
                }
                int[] atoms = new int[end - i];
                for (int k = i; k < end; k++) {
                    atoms[k - i] = pairs.get(k)[1];
                }
                groups.add(new Group(pairs.get(i)[0], atoms));
                i = end;
            }
            byWord.put(word, groups);
        });
    }

    /** Starts a run: every domain whole, nothing decided, the trail replayed from its first decision. */
    void begin() {
        for (int u = 0; u < units.size(); u++) {
            if (keep[u] == null || narrowed.get(u)) {
                CrashSimulator.Unit unit = units.get(u);
                lo[u] = 0;
                hi[u] = unit.allOrNothing() ? 1 : unit.atoms().size();
                keep[u] = new BitSet();
                drop[u] = new BitSet();
            }
        }
        narrowed.clear();
        decided.clear();
        checks = 0;
        sealedWords.clear();
        sealedUnits.clear();
        observed.clear();
        position = 0;
    }

    /** {@return whether another run is needed} Moves the last decision with an option left to its next one. */
    boolean next() {
        if (position < trail.size()) {
            trail.subList(position, trail.size()).clear(); // a run that ended early (a failure) decided less
        }
        while (!trail.isEmpty() && trail.getLast()[0] == trail.getLast()[1] - 1) {
            trail.removeLast();
        }
        if (trail.isEmpty()) {
            return false;
        }
        trail.getLast()[0]++;
        // a check made after the decision that changed may see other domains: computed again
        int changed = trail.size() - 1;
        int keep = 0;
        while (keep < checked.size() && checked.get(keep).position() <= changed) {
            keep++;
        }
        checked.subList(keep, checked.size()).clear();
        return true;
    }

    /** {@return why the exploration was given up, or {@code null}} */
    String abandoned() {
        return abandoned;
    }

    Abandoned abandon(String why) {
        if (abandoned == null) {
            abandoned = why;
        }
        return new Abandoned(why);
    }

    /** {@return the option to take at the next decision, at {@code where}, among {@code options}} */
    private int decide(int options, long where) {
        if (position < trail.size()) {
            long[] d = trail.get(position++);
            if (d[1] != options || d[2] != where) {
                throw abandon("recovery is not deterministic: its run went another way on the same values read"
                        + " (decision " + (position - 1) + " at @" + (d[2] < 0 ? ~d[2] : d[2]) + ", now at @"
                        + (where < 0 ? ~where : where) + ")");
            }
            return (int) d[0];
        }
        trail.add(new long[] {0, options, where});
        position++;
        return 0;
    }

    // ---- reads and stores of recovery ----

    void loading(long offset, long length) {
        for (long word = offset & -8; word < offset + length; word += 8) {
            read(word);
        }
    }

    private void read(long word) {
        if (sealedWords.contains(word >>> 3)) {
            throw abandon("recovery read word @" + word + " of a range whose CRC it found not matching");
        }
        if (decided.contains(word >>> 3)) {
            return;
        }
        List<Group> groups = byWord.get(word >>> 3);
        if (groups == null) {
            return; // the durable value is the only one
        }
        int[] chosen = new int[groups.size()];
        for (int g = 0; g < chosen.length; g++) {
            Group group = groups.get(g);
            if (sealedUnits.get(group.unit())) {
                throw abandon("recovery read word @" + word + ", whose pending stores are in a list (a line's, or"
                        + " with eADR every ordinary store since the fence) that a failed CRC check covered: other"
                        + " tears were not tried");
            }
            List<Integer> classes = feasibleClasses(group);
            chosen[g] = classes.get(classes.size() == 1 ? 0 : decide(classes.size(), word));
            narrow(group, chosen[g]);
        }
        long value = valueOf(word, groups, chosen);
        scratch.set(JAVA_LONG, word, value);
        written.add(word / 64);
        decided.add(word >>> 3);
        observed.add("@" + word + " = 0x" + Long.toHexString(value));
    }

    /** Recovery stored {@code [offset, offset + length)}: whole words are its own; a partial one is read first. */
    void stored(long offset, long length) {
        long end = offset + length;
        for (long word = offset & -8; word < end; word += 8) {
            if (word >= offset && word + 8 <= end) {
                decided.add(word >>> 3);
                sealedWords.remove(word >>> 3);
            } else if (!decided.contains(word >>> 3) && byWord.containsKey(word >>> 3)) {
                long from = Math.max(word, offset);
                long to = Math.min(word + 8, end);
                byte[] mine = scratch.asSlice(from, to - from).toArray(JAVA_BYTE);
                read(word); // the crash's value of the word, then recovery's bytes over it
                MemorySegment.copy(MemorySegment.ofArray(mine), 0, scratch, from, mine.length);
            } else if (sealedWords.contains(word >>> 3)) {
                throw abandon("recovery stored part of word @" + word + " of a range whose CRC did not match");
            }
        }
    }

    /**
     * {@code crc32cMatches(offset, length, expected)} is about to run: decides the range's undecided words as a
     * version that matches, or as one representative that does not.
     */
    void checking(long offset, long length, int expected) {
        List<Long> open = new ArrayList<>();
        for (long word = offset & -8; word < offset + length; word += 8) {
            if (sealedWords.contains(word >>> 3)) {
                throw abandon("recovery checked again a range whose CRC did not match");
            }
            List<Group> groups = byWord.get(word >>> 3);
            if (groups != null && !decided.contains(word >>> 3)) {
                open.add(word);
                for (Group group : groups) {
                    if (sealedUnits.get(group.unit())) {
                        throw abandon("recovery checked a range in a line of one whose CRC did not match");
                    }
                }
            }
        }
        if (open.isEmpty()) {
            return; // every byte decided: the CRC is what it is
        }
        int call = checks++;
        Checked known = call < checked.size() ? checked.get(call) : null;
        if (known == null || known.position() != position || known.offset() != offset || known.length() != length
                || known.expected() != expected) {
            checked.subList(Math.min(call, checked.size()), checked.size()).clear();
            java.util.TreeSet<Long> events = new java.util.TreeSet<>(); // the store calls that wrote the range
            for (long word : open) {
                for (long[] past : history.get(word >>> 3)) {
                    if (past[4] != 0) {
                        // a raw store is seen only at the next flush or fence: when it came among the others, and
                        // so which contents the range held, is not known
                        throw abandon("a CRC-checked word @" + word + " was written by a raw segment() store");
                    }
                    events.add(past[3]);
                }
            }
            known = options(open, events, offset, length, expected);
            checked.add(known);
        }
        List<int[][]> matching = known.matching();
        int[][] mismatch = known.mismatch();
        int options = matching.size() + (mismatch == null ? 0 : 1);
        if (options == 0) {
            throw abandon("no content of the range checked at @" + offset + " is possible"); // cannot happen
        }
        int chosen = options == 1 ? 0 : decide(options, ~offset);
        if (chosen < matching.size()) {
            apply(open, matching.get(chosen), true);
            observed.add("CRC of [" + offset + ", " + (offset + length) + ") matches");
        } else {
            apply(open, mismatch, true);
            for (long word : open) {
                sealedWords.add(word >>> 3);
                for (Group group : byWord.get(word >>> 3)) {
                    sealedUnits.set(group.unit());
                }
            }
            observed.add("CRC of [" + offset + ", " + (offset + length) + ") does not match");
        }
    }

    /**
     * The options of one {@code crc32cMatches} of a run, kept for the runs that replay the decisions before it: with
     * the same decisions before it (its {@code position} in the trail), a deterministic recovery makes the same
     * check on the same domains, so its options need not be computed again.
     */
    private record Checked(int position, long offset, long length, int expected, List<int[][]> matching,
                           int[][] mismatch) {
    }

    /** The options of this run's checks so far, in order, valid while the decisions before each are replayed. */
    private final List<Checked> checked = new ArrayList<>();
    /** The checks this run has made. */
    private int checks;

    /** Computes a check's options: each version of the range that matches, and one content that does not. */
    private Checked options(List<Long> open, java.util.SortedSet<Long> events, long offset, long length,
                            int expected) {
        // candidates: the range as it was before any pending store, and after each store call that wrote into it
        List<int[][]> matching = new ArrayList<>();
        List<String> matchingContent = new ArrayList<>();
        int[][] mismatch = null;
        List<Long> candidates = new ArrayList<>();
        candidates.add(-1L);
        candidates.addAll(events);
        long[] mask = new long[open.size()]; // the bytes of each open word inside the range
        for (int w = 0; w < open.size(); w++) {
            long word = open.get(w);
            for (int b = 0; b < 8; b++) {
                if (word + b >= offset && word + b < offset + length) {
                    mask[w] |= 0xFFL << (8 * b); // little-endian: byte b of the word is bits 8b to 8b + 7
                }
            }
        }
        for (long event : candidates) {
            // the range as it was after store call `event` (-1: before any), from every value it has held
            long[] content = historicContent(open, event);
            for (int w = 0; w < open.size(); w++) {
                scratch.set(JAVA_LONG, open.get(w), content[w]);
                written.add(open.get(w) / 64);
            }
            if (crc(offset, length) == expected) {
                // a match is a content, whatever stores made it: the classes that give each word its bytes in the
                // range are found from them, so no other way to the same bytes is left out
                long[] inRange = new long[content.length];
                for (int w = 0; w < content.length; w++) {
                    inRange[w] = content[w] & mask[w];
                }
                String key = java.util.Arrays.toString(inRange);
                if (!matchingContent.contains(key)) {
                    int[][] classes = classesGiving(open, inRange, mask);
                    if (classes != null) {
                        matchingContent.add(key);
                        matching.add(classes);
                    }
                }
            }
        }
        for (long event : candidates) {
            int[][] classes = versionClasses(open, event); // null if the decisions so far rule this version out
            if (classes != null) {
                apply(open, classes, false);
                if (crc(offset, length) != expected) {
                    mismatch = classes;
                    break;
                }
            }
        }
        if (mismatch == null) {
            mismatch = representativeTear(open, offset, length, expected);
        }
        return new Checked(position, offset, length, expected, matching, mismatch);
    }

    /** A content of the open words other than the versions, one that does not match, or {@code null}. */
    private int[][] representativeTear(List<Long> open, long offset, long length, int expected) {
        for (boolean last : new boolean[] {false, true}) {
            int[][] classes = extremeClasses(open, last);
            if (classes != null) {
                apply(open, classes, false);
                if (crc(offset, length) != expected) {
                    return classes;
                }
            }
        }
        return null;
    }

    private int crc(long offset, long length) {
        CRC32C crc = new CRC32C();
        for (long at = offset; at < offset + length; at += 1 << 30) { // a ByteBuffer holds less than 2 GiB
            crc.update(scratch.asSlice(at, Math.min(1 << 30, offset + length - at)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private String contentKey(List<Long> open) {
        StringBuilder b = new StringBuilder();
        for (long word : open) {
            b.append(Long.toHexString(scratch.get(JAVA_LONG, word))).append(',');
        }
        return b.toString();
    }

    /**
     * {@return per open word, per unit on it, the class that gives the word its value after store call
     * {@code event} (-1: before every pending one), or {@code null} if the domains do not allow it}
     */
    private int[][] versionClasses(List<Long> open, long event) {
        return assign(open, (group, feasible) -> {
            int chosen = -1;
            for (int a : group.atoms()) {
                if (units.get(group.unit()).atoms().get(a)[3] <= event) {
                    chosen = a;
                }
            }
            return feasible.contains(chosen) ? chosen : INFEASIBLE;
        });
    }

    /** {@return per open word the first (or last) class the domains allow, narrowed word by word} */
    private int[][] extremeClasses(List<Long> open, boolean last) {
        return assign(open, (group, feasible) -> last ? feasible.getLast() : feasible.getFirst());
    }

    private static final int INFEASIBLE = Integer.MIN_VALUE;

    /** Picks a group's class among those its domain allows, or {@link #INFEASIBLE}. */
    private interface Chooser {
        int choose(Group group, List<Integer> feasible);
    }

    /**
     * {@return per open word, per group on it, the class {@code chooser} picks, narrowed word by word, or
     * {@code null} if it finds one infeasible} The domains are left as they were.
     */
    private int[][] assign(List<Long> open, Chooser chooser) {
        Snapshot before = snapshot(open);
        try {
            int[][] classes = new int[open.size()][];
            for (int w = 0; w < open.size(); w++) {
                List<Group> groups = byWord.get(open.get(w) >>> 3);
                classes[w] = new int[groups.size()];
                for (int g = 0; g < groups.size(); g++) {
                    int chosen = chooser.choose(groups.get(g), feasibleClasses(groups.get(g)));
                    if (chosen == INFEASIBLE) {
                        return null;
                    }
                    narrow(groups.get(g), chosen);
                    classes[w][g] = chosen;
                }
            }
            return classes;
        } finally {
            restore(before);
        }
    }

    /** {@return per open word the value it held after store call {@code event} (-1: before its first store)} */
    private long[] historicContent(List<Long> open, long event) {
        long[] content = new long[open.size()];
        for (int w = 0; w < open.size(); w++) {
            for (long[] past : history.get(open.get(w) >>> 3)) { // in program order, the value before first
                if (past[3] <= event) {
                    content[w] = past[1];
                }
            }
        }
        return content;
    }

    /**
     * {@return per open word, per unit on it, the one class (of the units on the word together) that the domains
     * allow and that gives the word its value in {@code content}, narrowed word by word; {@code null} if some word
     * cannot have its value} Where two ways lead to one word's value (a word stored 5 and then back to its durable
     * 0: none kept, or both), the exploration is given up: the ways would have to be branched on, and a dead end
     * later undone.
     */
    private int[][] classesGiving(List<Long> open, long[] content, long[] mask) {
        Snapshot before = snapshot(open);
        try {
            int[][] classes = new int[open.size()][];
            for (int w = 0; w < open.size(); w++) {
                List<Group> groups = byWord.get(open.get(w) >>> 3);
                List<List<Integer>> feasible = new ArrayList<>(groups.size());
                long combos = 1;
                for (Group group : groups) {
                    feasible.add(feasibleClasses(group));
                    combos *= feasible.getLast().size();
                }
                if (combos > 4096) {
                    throw abandon("a CRC-checked word @" + open.get(w) + " has " + combos + " ways to be written");
                }
                int[] combo = new int[groups.size()];
                int[] found = null;
                for (long c = 0; c < combos; c++) {
                    long rest = c;
                    for (int g = 0; g < groups.size(); g++) {
                        combo[g] = feasible.get(g).get((int) (rest % feasible.get(g).size()));
                        rest /= feasible.get(g).size();
                    }
                    if ((valueOf(open.get(w), groups, combo) & mask[w]) == content[w]) {
                        if (found != null) {
                            throw abandon("a CRC-checked word @" + open.get(w) + " can get its value in two ways");
                        }
                        found = combo.clone();
                    }
                }
                if (found == null) {
                    return null;
                }
                for (int g = 0; g < groups.size(); g++) {
                    narrow(groups.get(g), found[g]);
                }
                classes[w] = found;
            }
            return classes;
        } finally {
            restore(before);
        }
    }

    /** Writes the open words' values for {@code classes}; with {@code decide}, narrows and marks them decided. */
    private void apply(List<Long> open, int[][] classes, boolean decide) {
        for (int w = 0; w < open.size(); w++) {
            long word = open.get(w);
            List<Group> groups = byWord.get(word >>> 3);
            if (decide) {
                for (int g = 0; g < groups.size(); g++) {
                    narrow(groups.get(g), classes[w][g]);
                }
                decided.add(word >>> 3);
            }
            scratch.set(JAVA_LONG, word, valueOf(word, groups, classes[w]));
            written.add(word / 64);
        }
    }

    /**
     * {@return the value of {@code word} when each of its groups keeps the class in {@code chosen} (-1: none): the
     * latest in program order of the atoms kept, else the durable value}
     */
    private long valueOf(long word, List<Group> groups, int[] chosen) {
        long[] latest = null;
        for (int g = 0; g < chosen.length; g++) {
            if (chosen[g] >= 0) {
                long[] atom = units.get(groups.get(g).unit()).atoms().get(chosen[g]);
                latest = latest == null || atom[2] > latest[2] ? atom : latest;
            }
        }
        return latest == null ? durable.get(JAVA_LONG, word) : latest[1];
    }

    // ---- domains ----

    /** Rank of atom {@code a} in a prefix unit: kept iff the prefix length is above it (all 0 for all-or-nothing). */
    private int rank(int u, int a) {
        return units.get(u).allOrNothing() ? 0 : a;
    }

    /**
     * {@return the classes of a group (a unit's atoms on one word, in program order) that its unit's domain allows:
     * -1 for "none of them kept", else the index of the latest one kept}
     */
    private List<Integer> feasibleClasses(Group group) {
        int[] atoms = group.atoms();
        List<Integer> classes = new ArrayList<>(atoms.length + 1);
        for (int j = -1; j < atoms.length; j++) {
            if (feasible(group, j)) {
                classes.add(j < 0 ? -1 : atoms[j]);
            }
        }
        return classes;
    }

    /** {@return whether the group's unit can keep its {@code j}-th atom (-1: none) and none of its later ones} */
    private boolean feasible(Group group, int j) {
        int u = group.unit();
        int[] atoms = group.atoms();
        if (units.get(u).subsets()) {
            if (j >= 0 && drop[u].get(atoms[j])) {
                return false;
            }
            for (int k = j + 1; k < atoms.length; k++) {
                if (keep[u].get(atoms[k])) {
                    return false;
                }
            }
            return true;
        }
        int from = j < 0 ? lo[u] : Math.max(lo[u], rank(u, atoms[j]) + 1);
        int to = j + 1 < atoms.length ? Math.min(hi[u], rank(u, atoms[j + 1])) : hi[u];
        return from <= to;
    }

    /** Narrows the group's unit's domain to class {@code atom} (an atom index, or -1) on the group's word. */
    private void narrow(Group group, int atom) {
        int u = group.unit();
        int[] atoms = group.atoms();
        narrowed.set(u);
        int j = -1;
        for (int k = 0; k < atoms.length; k++) {
            if (atoms[k] == atom) {
                j = k;
            }
        }
        if (units.get(u).subsets()) {
            if (j >= 0) {
                keep[u].set(atoms[j]);
            }
            for (int k = j + 1; k < atoms.length; k++) {
                drop[u].set(atoms[k]);
            }
            return;
        }
        if (j >= 0) {
            lo[u] = Math.max(lo[u], rank(u, atoms[j]) + 1);
        }
        if (j + 1 < atoms.length) {
            hi[u] = Math.min(hi[u], rank(u, atoms[j + 1]));
        }
    }

    /** The domains of the units on some words, saved before trying classes on them. */
    private record Snapshot(int[] units, int[] lo, int[] hi, BitSet[] keep, BitSet[] drop, BitSet narrowed) {
    }

    private Snapshot snapshot(List<Long> words) {
        BitSet involved = new BitSet();
        for (long word : words) {
            for (Group group : byWord.get(word >>> 3)) {
                involved.set(group.unit());
            }
        }
        int[] us = involved.stream().toArray();
        int[] l = new int[us.length];
        int[] h = new int[us.length];
        BitSet[] k = new BitSet[us.length];
        BitSet[] d = new BitSet[us.length];
        for (int i = 0; i < us.length; i++) {
            l[i] = lo[us[i]];
            h[i] = hi[us[i]];
            k[i] = (BitSet) keep[us[i]].clone();
            d[i] = (BitSet) drop[us[i]].clone();
        }
        return new Snapshot(us, l, h, k, d, (BitSet) narrowed.clone());
    }

    private void restore(Snapshot s) {
        for (int i = 0; i < s.units().length; i++) {
            int u = s.units()[i];
            lo[u] = s.lo()[i];
            hi[u] = s.hi()[i];
            keep[u] = s.keep()[i];
            drop[u] = s.drop()[i];
        }
        narrowed.clear();
        narrowed.or(s.narrowed());
    }

    /**
     * {@return an eager choice vector inside every domain: the image this run observed, as far as it read} Each
     * unit keeps as much as its domain allows (the longest prefix; every atom not known dropped).
     */
    long[] choice() {
        long[] v = new long[units.size()];
        for (int u = 0; u < v.length; u++) {
            if (units.get(u).subsets()) {
                long bits = 0;
                for (int a = 0; a < units.get(u).atoms().size(); a++) {
                    bits |= drop[u].get(a) ? 0 : 1L << a;
                }
                v[u] = bits;
            } else {
                v[u] = hi[u];
            }
        }
        return v;
    }

    /** {@return what this run's recovery observed of the pending words, in the order it read them} */
    List<String> observed() {
        return List.copyOf(observed);
    }
}
