package io.github.dax4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static io.github.dax4j.bench.BenchReport.format;

/**
 * The sections of REPORT.md and its charts, each from the JMH results of one group of rows.
 *
 * <p>One ratio convention throughout: <b>dax4j's time / the other's time</b>, so below 1 dax4j is faster and above
 * 1 it is slower, whatever the table shows beside it (bandwidth, records/s). A ratio's error is propagated from both
 * 99.9% errors ({@code r * sqrt((ea/a)^2 + (eb/b)^2)}). "(within noise)" beside a ratio marks two 99.9% intervals
 * that overlap: the run cannot tell the two apart. A bar is "met" when the ratio's whole interval meets it,
 * "missed" when none of it does, and otherwise "undecided", saying whether the mean alone meets it.
 */
final class ReportTables {

    /** The bars dax4j is held to, as time ratios to libpmem2 (copy's "bandwidth >= 0.97x" is time <= 1/0.97). */
    static final double PERSIST_BAR = 1.02, COPY_BAR = 1 / 0.97, SHARED_BAR = 1.05, CALL_OVERHEAD_BAR_NS = 1.0,
            WAL_DISK_BAR = 0.01;

    /** Persist implementations that make a range durable where they would run for real. */
    static final Set<String> DURABLE_PERSIST = Set.of("DAX4J_CLWB", "DAX4J_CLFLUSHOPT", "DAX4J_CLFLUSH", "LIBPMEM2",
            "C_CLWB", "C_CLFLUSHOPT", "C_CLFLUSH", "DAX4J_MSYNC_DISK");

    private ReportTables() {
    }

    /** A score with its 99.9% error (0 where JMH gives none) and the forks behind it. */
    record Value(double score, double error, int forks) {
        static Value of(JmhJson.Result r) {
            return new Value(r.score(), Double.isNaN(r.error()) ? 0 : r.error(), r.forks());
        }

        /** {@return this minus {@code other}, the errors added in quadrature (independent runs)} */
        Value minus(Value other) {
            return new Value(score - other.score, Math.hypot(error, other.error), Math.min(forks, other.forks));
        }

        Ratio over(Value anchor) {
            double r = score / anchor.score;
            double e = Math.abs(r) * Math.hypot(error / score, anchor.error / anchor.score);
            return new Ratio(r, e, Math.abs(score - anchor.score) <= error + anchor.error);
        }

        String cell() {
            return format(score) + " ± " + format(error);
        }
    }

    /**
     * {@return the ratio of two persists alone, {@code (a - d) / (b - d)}, where both subtract the same dirty-only
     * row {@code d}: its error enters once, {@code sqrt(ea^2 + r^2 eb^2 + (r - 1)^2 ed^2) / (b - d)}, and the two
     * sides overlap when {@code a} and {@code b}, the rows measured, do; empty when either side's interval reaches
     * zero (the subtraction resolved nothing)}
     */
    static Optional<Ratio> persistAloneRatio(Value a, Value b, Value d) {
        Value ours = a.minus(d), theirs = b.minus(d);
        if (ours.score() - ours.error() <= 0 || theirs.score() - theirs.error() <= 0) {
            return Optional.empty();
        }
        double r = ours.score() / theirs.score();
        double e = Math.sqrt(a.error() * a.error() + r * r * b.error() * b.error()
                + (r - 1) * (r - 1) * d.error() * d.error()) / theirs.score();
        return Optional.of(new Ratio(r, e, Math.abs(a.score() - b.score()) <= a.error() + b.error()));
    }

    /** A time ratio with its propagated error, and whether the two intervals behind it overlap. */
    record Ratio(double value, double error, boolean overlap) {
        /** {@return the ratio, its error to as many decimals, and "(within noise)" where the intervals overlap} */
        String cell() {
            String v = ratio(value);
            int decimals = v.contains(".") ? v.length() - v.indexOf('.') - 1 : 0;
            return v + " ± " + String.format(Locale.ROOT, "%." + decimals + "f", error)
                    + (overlap ? " (within noise)" : "");
        }

        /** {@return the verdict on {@code bar}: see {@link #verdict(double, double, double)}} */
        String verdict(double bar) {
            return ReportTables.verdict(value, error, bar);
        }
    }

    /**
     * {@return "met" when the whole interval {@code value ± error} is at or below {@code bar}, "**missed**" when it is
     * all above, else whether the mean alone meets it: the run cannot settle the bar either way}
     */
    static String verdict(double value, double error, double bar) {
        if (value + error <= bar) {
            return "met";
        }
        if (value - error > bar) {
            return "**missed**";
        }
        return value <= bar ? "undecided (the mean meets it)" : "undecided (the mean misses it)";
    }

    /** {@return a ratio with three significant digits, however small} */
    static String ratio(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, v >= 1 ? "%.3f" : "%.3g", v);
    }

    static String environment(String profile, String started, String ended) {
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            kernel = "unknown";
        }
        String flags = BenchReport.firstLine(Path.of("/proc/cpuinfo"), "flags");
        Set<String> present = Set.of(flags.split(" "));
        StringBuilder listed = new StringBuilder();
        for (String f : List.of("clwb", "clflushopt", "clflush", "avx2", "avx512f", "avx512bw", "movdir64b")) {
            listed.append(listed.isEmpty() ? "" : ", ").append(present.contains(f) ? f : "no " + f);
        }
        return "| | |\n|---|---|\n"
                + "| run | " + started + " to " + ended + " |\n"
                + "| CPU | " + BenchReport.firstLine(Path.of("/proc/cpuinfo"), "model name") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores |\n"
                + "| CPU flags | " + listed + " |\n"
                + "| kernel | " + kernel + " |\n"
                + "| JDK | " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ") |\n"
                + "| disk rows | " + disk() + " |\n"
                + "| profile | " + profile + " |\n\n";
    }

    /** {@return where the disk rows write (java.io.tmpdir) and its file system, said plainly when it is tmpfs} */
    static String disk() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            String type = Files.getFileStore(dir).type();
            return "`" + dir + "` on " + type + (type.equals("tmpfs") ? ": NOT a disk, the disk rows persist nothing"
                    : "");
        } catch (IOException e) {
            return "`" + dir + "`, file system unknown (" + e.getMessage() + ")";
        }
    }

    /** What every section shares: where the memory is, what the numbers are, the ratio convention. */
    static String conventions() {
        return "Every time is JMH's mean per operation with its 99.9% error, merged over all measurement iterations of"
                + " all forks (the `forks` column). **Ratios are dax4j's time / the other's time everywhere: below 1"
                + " dax4j is faster.** A ratio's ± is propagated from both errors; \"(within noise)\" beside a ratio"
                + " marks two 99.9% intervals that overlap (the run cannot tell the two apart: call them on par). A"
                + " bar is \"met\" when the ratio's whole interval meets it and \"missed\" when none of it does;"
                + " otherwise the interval crosses the bar: \"undecided\", and whether the mean alone meets it. As"
                + " JMH does, the iterations of all forks are pooled into one sample, so a difference between forks"
                + " widens the error only as far as it spreads the iterations. Emulated devices live in tmpfs"
                + " (`/dev/shm`) unless a row says disk;"
                + " CPU flush rows run on tmpfs the instructions they run on device-DAX, where they make stores"
                + " durable, but tmpfs itself is not persistent, and real persistent memory writes back slower than"
                + " DRAM: an independent run on device-DAX will measure longer times and may find other ratios."
                + " libpmem2 runs with `PMEM2_FORCE_GRANULARITY=CACHE_LINE`. This is a 2-core virtual machine shared"
                + " with others: read the errors, not single digits.\n\n";
    }

    private static Optional<JmhJson.Result> find(List<JmhJson.Result> results, Predicate<JmhJson.Result> which) {
        return results.stream().filter(which).findFirst();
    }

    private static Predicate<JmhJson.Result> is(String param, String value) {
        return r -> r.param(param).equals(value);
    }

    /**
     * The persist alone of {@code impl} and of libpmem2 at one size: each dirty + persist row minus the dirty-only
     * row, and their ratio ({@link #persistAloneRatio}), empty when the subtraction resolved nothing.
     */
    record Alone(Value ours, Value theirs, Optional<Ratio> ratio) {
    }

    /** {@return {@code impl}'s persist alone beside libpmem2's at {@code bytes}; empty when a row is missing} */
    static Optional<Alone> alone(List<JmhJson.Result> persist, List<JmhJson.Result> dirty, String impl,
                                 String bytes) {
        Optional<JmhJson.Result> a = find(persist, is("impl", impl).and(is("bytes", bytes)));
        Optional<JmhJson.Result> b = find(persist, is("impl", "LIBPMEM2").and(is("bytes", bytes)));
        Optional<JmhJson.Result> d = find(dirty, is("bytes", bytes));
        if (a.isEmpty() || b.isEmpty() || d.isEmpty()) {
            return Optional.empty();
        }
        Value va = Value.of(a.get()), vb = Value.of(b.get()), vd = Value.of(d.get());
        return Optional.of(new Alone(va.minus(vd), vb.minus(vd), persistAloneRatio(va, vb, vd)));
    }

    /** {@return {@code impl}'s persist alone at {@code bytes}: its dirty + persist row minus the dirty-only row} */
    static Optional<Value> persistAlone(List<JmhJson.Result> persist, List<JmhJson.Result> dirty, String impl,
                                        String bytes) {
        Optional<JmhJson.Result> both = find(persist, is("impl", impl).and(is("bytes", bytes)));
        Optional<JmhJson.Result> stores = find(dirty, is("bytes", bytes));
        return both.isEmpty() || stores.isEmpty() ? Optional.empty()
                : Optional.of(Value.of(both.get()).minus(Value.of(stores.get())));
    }

    private static List<String> sizes(List<JmhJson.Result> results) {
        return new TreeSet<>(results.stream().map(r -> Long.parseLong(r.param("bytes"))).toList()).stream()
                .map(String::valueOf).toList();
    }

    private static String size(String bytes) {
        return SvgChart.bytes(Long.parseLong(bytes));
    }

    /**
     * The summary that opens the report: every bar, the measured figure and whether it is met, and a line for each
     * bar this run could not measure. Persist bars apply to the persist alone (dirty + persist minus dirty only).
     */
    static String summary(List<JmhJson.Result> persist, List<JmhJson.Result> dirty, List<JmhJson.Result> copy,
                          List<JmhJson.Result> sharedPersist, List<JmhJson.Result> sharedDirty,
                          List<JmhJson.Result> sharedCopy, List<JmhJson.Result> wal) {
        StringBuilder md = new StringBuilder("## Summary: the bars\n\n"
                + "| bar | size | dax4j | anchor | dax4j / anchor | bar | forks | verdict |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---|\n");
        List<String> unmeasured = new ArrayList<>();
        Optional<JmhJson.Result> zero = find(persist, is("impl", "DAX4J_CLWB").and(is("bytes", "0")));
        Optional<JmhJson.Result> zeroAnchor = find(persist, is("impl", "LIBPMEM2").and(is("bytes", "0")));
        if (zero.isPresent() && zeroAnchor.isPresent()) {
            Value d = Value.of(zero.get()), p = Value.of(zeroAnchor.get());
            Value extra = d.minus(p);
            md.append("| call overhead: persist of 0 B, dax4j CLWB minus libpmem2 (a difference) | 0 B | ")
                    .append(d.cell()).append(" ns | ").append(p.cell()).append(" ns | ")
                    .append(String.format(Locale.ROOT, "%+.1f ± %.1f ns", extra.score(), extra.error()))
                    .append(" | <= +1 ns | ").append(Math.min(d.forks(), p.forks())).append(" | ")
                    .append(verdict(extra.score(), extra.error(), CALL_OVERHEAD_BAR_NS)).append(" |\n");
        } else {
            unmeasured.add("call overhead");
        }
        aloneRows(md, unmeasured, "persist alone (CLWB) / libpmem2", persist, dirty, PERSIST_BAR);
        if (barRows(md, "persistent copy / libpmem2 (bandwidth >= 0.97x)", copy, "DAX4J", COPY_BAR) == 0) {
            unmeasured.add("persistent copy");
        }
        String threads = sharedPersist.isEmpty() ? "" : sharedPersist.getFirst().threads() + " threads, ";
        aloneRows(md, unmeasured, threads + "one mapping: persist alone / libpmem2", sharedPersist, sharedDirty,
                SHARED_BAR);
        threads = sharedCopy.isEmpty() ? "" : sharedCopy.getFirst().threads() + " threads, ";
        if (barRows(md, threads + "one mapping: persistent copy / libpmem2", sharedCopy, "DAX4J", SHARED_BAR) == 0) {
            unmeasured.add("threads sharing a mapping: copy");
        }
        int walRows = 0;
        Optional<JmhJson.Result> d = find(wal, r -> r.mode().equals("avgt") && r.param("impl").equals("DAX4J_CPU")
                && r.param("recordBytes").equals("64") && r.param("group").equals("1"));
        for (String anchor : List.of("FILECHANNEL_DISK", "FILECHANNEL_DISK_DSYNC")) {
            Optional<JmhJson.Result> a = find(wal, r -> r.mode().equals("avgt") && r.param("impl").equals(anchor)
                    && r.param("recordBytes").equals("64") && r.param("group").equals("1"));
            if (d.isPresent() && a.isPresent()) {
                String disk = anchor.endsWith("DSYNC") ? "FileChannel DSYNC on disk"
                        : "FileChannel + force(false) on disk";
                walRows += barRow(md, "WAL append of one 64 B record (the bar's row), dax4j CLWB (emulated) / "
                        + disk, "64",
                        Value.of(d.get()), Value.of(a.get()), WAL_DISK_BAR, "ns");
            }
        }
        if (walRows == 0) {
            unmeasured.add("WAL against the disk");
        }
        for (String bar : unmeasured) {
            md.append("| ").append(bar).append(" | | | | | | | not measured in this run |\n");
        }
        md.append("\nThe bars: persist alone at most 1.02x libpmem2's time, the call overhead (an empty persist) at"
                + " most 1 ns above libpmem2's, copy at least 0.97x libpmem2's bandwidth (as a time ratio: at most"
                + " 1/0.97 = 1.031), threads sharing one mapping at most 1.05x, and a durable WAL append at least"
                + " 100x faster than the disk's (a time ratio of at most 0.01). Persist bars apply to the persist"
                + " alone, the dirty-only row subtracted (see the persist section). The WAL's dax4j side is CLWB"
                + " into DRAM, what device-DAX runs, where real persistent memory is slower: read that ratio as a"
                + " lower bound of the time, an upper bound of the speed-up.\n\n");
        return md.toString();
    }

    /** The persist-alone bar rows of every size (0 B excepted); adds {@code label} to unmeasured when none is. */
    private static void aloneRows(StringBuilder md, List<String> unmeasured, String label,
                                  List<JmhJson.Result> persist, List<JmhJson.Result> dirty, double bar) {
        int rows = 0;
        for (String bytes : sizes(persist)) {
            Optional<Alone> alone = bytes.equals("0") ? Optional.empty()
                    : alone(persist, dirty, "DAX4J_CLWB", bytes);
            if (alone.isEmpty()) {
                continue;
            }
            Alone a = alone.get();
            md.append("| ").append(label).append(" | ").append(size(bytes)).append(" | ").append(a.ours().cell())
                    .append(" ns | ").append(a.theirs().cell()).append(" ns | ")
                    .append(a.ratio().map(Ratio::cell).orElse("not resolved")).append(" | <= ").append(ratio(bar))
                    .append(" | ").append(Math.min(a.ours().forks(), a.theirs().forks())).append(" | ")
                    .append(a.ratio().map(r -> r.verdict(bar))
                            .orElse("not resolved: an interval of the persist alone reaches 0")).append(" |\n");
            rows++;
        }
        if (rows == 0) {
            unmeasured.add(label);
        }
    }

    private static int barRows(StringBuilder md, String label, List<JmhJson.Result> results, String dax4j,
                               double bar) {
        int rows = 0;
        for (String bytes : sizes(results)) {
            Optional<JmhJson.Result> d = find(results, is("impl", dax4j).and(is("bytes", bytes)));
            Optional<JmhJson.Result> p = find(results, is("impl", "LIBPMEM2").and(is("bytes", bytes)));
            if (d.isPresent() && p.isPresent()) {
                rows += barRow(md, label, bytes, Value.of(d.get()), Value.of(p.get()), bar, "ns");
            }
        }
        return rows;
    }

    private static int barRow(StringBuilder md, String label, String bytes, Value d, Value p, double bar,
                              String unit) {
        Ratio r = d.over(p);
        md.append("| ").append(label).append(" | ").append(size(bytes)).append(" | ").append(d.cell()).append(' ')
                .append(unit).append(" | ").append(p.cell()).append(' ').append(unit).append(" | ").append(r.cell())
                .append(" | <= ").append(ratio(bar)).append(" | ").append(Math.min(d.forks(), p.forks()))
                .append(" | ").append(r.verdict(bar)).append(" |\n");
        return 1;
    }

    /**
     * Persist rows: the durable mechanisms with dirty + persist, the persist alone and its ratio to libpmem2's, then
     * the baselines that make nothing durable here, in a table of their own.
     */
    static String persist(List<JmhJson.Result> persist, List<JmhJson.Result> dirty) {
        if (persist.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Flush latency: persist\n\n"
                + "`PersistBenchmark.dirtyAndPersist` dirties every byte of the range and persists it, rotating"
                + " through 256 MiB (64 MiB on disk); `dirty` does the stores alone over the same rotation, in a run"
                + " of its own. **The persist alone is the first minus the second**: timing the flush alone is not"
                + " possible at these sizes (JMH's per-invocation set-up costs more than a 64-byte flush). Its error"
                + " adds both in quadrature; in a ratio to libpmem2's, where both sides subtract the same row, that"
                + " row's error enters once. \"not resolved\": an interval of a persist alone reaches 0 (the stores"
                + " are most of the time and their error swamps the flush). The subtraction is an estimate: lines"
                + " the dirty-only row leaves dirty are written back inside its later stores, where the persist"
                + " rows write them back in the flush (which makes the persist alone too small and moves ratios"
                + " away from 1), and a store cost that only the persist's fence exposes stays in the persist alone"
                + " (which moves them toward 1). 0 B is the call overhead. The disk row subtracts the same tmpfs"
                + " dirty row. The CLFLUSH rows return with the write-back still in flight: x86 orders CLFLUSH"
                + " before every later store, and libpmem2 too issues no fence after it.\n\n"
                + "![persist latency](persist-latency.svg)\n\n"
                + "| size | implementation | forks | dirty + persist ns | persist alone ns"
                + " | persist alone / libpmem2 |\n"
                + "|---:|---|---:|---:|---:|---:|\n");
        List<JmhJson.Result> rows = bySizeThenImpl(persist);
        for (JmhJson.Result r : rows) {
            if (!DURABLE_PERSIST.contains(r.param("impl"))) {
                continue;
            }
            String bytes = r.param("bytes");
            Optional<Value> alone = bytes.equals("0") ? Optional.of(Value.of(r))
                    : persistAlone(persist, dirty, r.param("impl"), bytes);
            String versus = "";
            if (!r.param("impl").equals("LIBPMEM2")) {
                Optional<JmhJson.Result> zero = find(persist, is("impl", "LIBPMEM2").and(is("bytes", "0")));
                    versus = bytes.equals("0") ? zero.map(z -> Value.of(r).over(Value.of(z)).cell()).orElse("")
                        : alone(persist, dirty, r.param("impl"), bytes)
                                .map(a -> a.ratio().map(Ratio::cell).orElse("not resolved")).orElse("");
                if (r.param("impl").endsWith("_CLFLUSH") && !bytes.equals("0")) {
                    versus += " (write-back in flight at return)";
                }
            }
            md.append("| ").append(size(bytes)).append(" | ").append(r.param("impl")).append(" | ")
                    .append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ")
                    .append(alone.map(Value::cell).orElse("")).append(" | ").append(versus).append(" |\n");
        }
        md.append("\n### Not durable: baselines\n\nNone of these would make a store durable even on device-DAX"
                + " without eADR, where the rows above would: the stores alone, the fence an eADR machine would pay,"
                + " and msync on tmpfs (dax4j's and the JDK's `force`), which has no page to write back. (On this"
                + " machine nothing is durable: the rows above run their instructions into DRAM.) They show what"
                + " the durable rows pay for, and are no competitor of theirs.\n\n"
                + "| size | row | forks | ns/op | what it measures |\n"
                + "|---:|---|---:|---:|---|\n");
        List<JmhJson.Result> baselines = new ArrayList<>(dirty);
        baselines.addAll(rows.stream().filter(r -> !DURABLE_PERSIST.contains(r.param("impl"))).toList());
        for (JmhJson.Result r : bySizeThenImpl(baselines)) {
            boolean storesOnly = r.benchmark().endsWith(".dirty");
            String impl = storesOnly ? "dirty only" : r.param("impl");
            String what = storesOnly ? "the stores, as the persist rows do them" : switch (r.param("impl")) {
                case "DAX4J_NONE" -> "the stores and dax4j's call with nothing to do";
                case "DAX4J_FENCE_ONLY" -> "the stores and one SFENCE (eADR)";
                case "DAX4J_MSYNC" -> "the stores and msync on tmpfs";
                case "JDK_MAPPED_BUFFER_FORCE" -> "the stores and MappedByteBuffer.force (msync) on tmpfs";
                case "JDK_SEGMENT_FORCE" -> "the stores and MemorySegment.force (msync) on tmpfs";
                default -> "";
            };
            md.append("| ").append(size(r.param("bytes"))).append(" | ").append(impl).append(" | ")
                    .append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ").append(what)
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** Copy rows: bandwidth, and the time ratio to libpmem2. */
    static String copy(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Persistent copy\n\n"
                + "Copy a cached source into the device and make it durable, rotating through 256 MiB. DAX4J is the"
                + " automatic choice (non-temporal from 256 B); TEMPORAL and NON_TEMPORAL are forced.\n\n"
                + "![copy bandwidth](copy-bandwidth.svg)\n\n"
                + "| size | implementation | forks | ns/op | GB/s | dax4j / libpmem2 |\n"
                + "|---:|---|---:|---:|---:|---:|\n");
        for (JmhJson.Result r : bySizeThenImpl(results)) {
            long bytes = Long.parseLong(r.param("bytes"));
            Optional<JmhJson.Result> anchor = find(results, is("impl", "LIBPMEM2").and(is("bytes", r.param("bytes"))));
            md.append("| ").append(SvgChart.bytes(bytes)).append(" | ").append(r.param("impl")).append(" | ")
                    .append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ")
                    .append(format(bytes / r.score())).append(" | ")
                    .append(anchor.isEmpty() || r.param("impl").equals("LIBPMEM2") ? ""
                            : Value.of(r).over(Value.of(anchor.get())).cell()).append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** The shared-mapping rows: several threads persisting or copying into one mapping. */
    static String shared(List<JmhJson.Result> persist, List<JmhJson.Result> dirty, List<JmhJson.Result> copy) {
        if (persist.isEmpty() && copy.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Threads sharing one mapping\n\n"
                + "Each thread dirties and persists (or copies into) its own slice of ONE mapping, as threads"
                + " appending to one log do; libpmem2 and the C loop do the same over one mapping of theirs. The"
                + " dirty-only row does the stores alone from as many threads, and the persist alone is the"
                + " difference, as in the persist section. Times are per operation of one thread. The engines'"
                + " write-ahead log takes one appender at a time, so it has no row here. `--threads N` runs these"
                + " rows with N threads on a machine with more cores.\n\n"
                + "| operation | threads | size | implementation | forks | ns/op | persist alone ns | dax4j /"
                + " libpmem2 |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (JmhJson.Result r : bySizeThenImpl(dirty)) {
            md.append("| dirty only | ").append(r.threads()).append(" | ").append(size(r.param("bytes")))
                    .append(" | | ").append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | | |\n");
        }
        for (JmhJson.Result r : bySizeThenImpl(persist)) {
            Optional<Alone> alone = alone(persist, dirty, r.param("impl"), r.param("bytes"));
            md.append("| dirty + persist | ").append(r.threads()).append(" | ").append(size(r.param("bytes")))
                    .append(" | ").append(r.param("impl")).append(" | ").append(r.forks()).append(" | ")
                    .append(Value.of(r).cell()).append(" | ")
                    .append(persistAlone(persist, dirty, r.param("impl"), r.param("bytes")).map(Value::cell)
                            .orElse("")).append(" | ")
                    .append(r.param("impl").equals("LIBPMEM2") ? "" : alone.map(a -> a.ratio().map(Ratio::cell)
                            .orElse("not resolved")).orElse("")).append(" |\n");
        }
        for (JmhJson.Result r : bySizeThenImpl(copy)) {
            md.append("| persistent copy | ").append(r.threads()).append(" | ").append(size(r.param("bytes")))
                    .append(" | ").append(r.param("impl")).append(" | ").append(r.forks()).append(" | ")
                    .append(Value.of(r).cell()).append(" | | ").append(versusLibpmem2(copy, r, "bytes"))
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static List<JmhJson.Result> bySizeThenImpl(List<JmhJson.Result> results) {
        List<JmhJson.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingLong((JmhJson.Result r) -> Long.parseLong(r.param("bytes")))
                .thenComparing(r -> r.param("impl")));
        return sorted;
    }

    static String faults(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Page faults\n\n"
                + "Open a fresh mapping of an existing emulated device, write one byte per page, close (JMH"
                + " SingleShotTime: each invocation is one whole map + touch + unmap). LAZY: every touch faults;"
                + " PREFAULT: MADV_POPULATE_WRITE takes every fault inside open.\n\n"
                + "| backing | faulting | region | pages | forks | us per region | us per page | ns per KiB |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (JmhJson.Result r : results) {
            FaultBenchmark.Backing backing = FaultBenchmark.Backing.valueOf(r.param("backing"));
            md.append("| ").append(backing).append(" | ").append(r.param("faulting")).append(" | ")
                    .append(SvgChart.bytes(backing.bytes())).append(" | ").append(backing.pages()).append(" | ")
                    .append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ")
                    .append(format(r.score() / backing.pages())).append(" | ")
                    .append(format(r.score() * 1000 / (backing.bytes() / 1024.0))).append(" |\n");
        }
        return md.append('\n').toString();
    }

    static String records(List<JmhJson.Result> records, List<JmhJson.Result> updates) {
        if (records.isEmpty() && updates.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Persisted-write bandwidth\n\n"
                + "Sequential records: `DaxMapping.copy` (libpmem2: `memcpy_fn`) after the last one, rotating through"
                + " 256 MiB. Random updates: one aligned 8-byte store + persist at a random place in 256 MiB.\n\n"
                + "| operation | size | implementation | forks | ns/op | throughput | dax4j / libpmem2 |\n"
                + "|---|---:|---|---:|---:|---:|---:|\n");
        for (JmhJson.Result r : records) {
            long bytes = Long.parseLong(r.param("recordBytes"));
            md.append("| sequential record append (copy + persist) | ").append(SvgChart.bytes(bytes)).append(" | ")
                    .append(r.param("impl")).append(" | ").append(r.forks()).append(" | ")
                    .append(Value.of(r).cell()).append(" | ").append(format(bytes / r.score())).append(" GB/s | ")
                    .append(versusLibpmem2(records, r, "recordBytes")).append(" |\n");
        }
        for (JmhJson.Result r : updates) {
            md.append("| random aligned 8-byte update + persist | 8 B | ").append(r.param("impl")).append(" | ")
                    .append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ")
                    .append(format(1e9 / r.score() / 1e6)).append(" M ops/s | ")
                    .append(versusLibpmem2(updates, r, "recordBytes")).append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static String versusLibpmem2(List<JmhJson.Result> results, JmhJson.Result r, String param) {
        if (r.param("impl").equals("LIBPMEM2")) {
            return "";
        }
        return find(results, is("impl", "LIBPMEM2").and(is(param, r.param(param))))
                .map(a -> Value.of(r).over(Value.of(a)).cell()).orElse("");
    }

    /**
     * WAL appends: records/s, p50 / p99, and dax4j's time ratio to the file on disk, with force(false) and with
     * DSYNC; the tmpfs rows are labelled as the system-call cost they are.
     */
    static String wal(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Write-ahead log appends\n\n"
                + "One append of a group of records per operation, durable before it returns: dax4j's `WriteAheadLog`"
                + " (engines) with CLWB, the instructions it runs on device-DAX (here they write back into DRAM,"
                + " faster than persistent memory: read its ratios as upper bounds of the speed-up), beside what"
                + " engines do today, one gathering `FileChannel.write` of the group"
                + " and `force(false)` (fdatasync), or the file opened with `DSYNC`, into a file on this VM's disk"
                + " preallocated and zero-filled before the run (so no sync commits a size or an allocation: the"
                + " cheapest the disk can do). Rows marked *not durable* measure system calls on tmpfs, which has"
                + " nothing to write back; they are never the base of a ratio. The mean with its error is JMH's"
                + " AverageTime; p50 and p99 come from one SampleTime fork (each sample includes the timer's own"
                + " cost, some 20-40 ns).\n\n"
                + "| record | group | implementation | forks | mean ns | p50 ns | p99 ns | records/s"
                + " | dax4j / disk force | dax4j / disk DSYNC |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, JmhJson.Result> samples = new LinkedHashMap<>();
        List<JmhJson.Result> means = new ArrayList<>();
        for (JmhJson.Result r : results) {
            if (r.mode().equals("sample")) {
                samples.put(walKey(r) + "/" + r.param("impl"), r);
            } else {
                means.add(r);
            }
        }
        means.sort(Comparator.comparingLong((JmhJson.Result r) -> Long.parseLong(r.param("recordBytes")))
                .thenComparingLong(r -> Long.parseLong(r.param("group"))).thenComparing(r -> r.param("impl")));
        for (JmhJson.Result r : means) {
            JmhJson.Result sampled = samples.get(walKey(r) + "/" + r.param("impl"));
            boolean durable = WalBenchmark.Impl.valueOf(r.param("impl")).durable();
            boolean dax = r.param("impl").equals("DAX4J_CPU");
            md.append("| ").append(size(r.param("recordBytes"))).append(" | ").append(r.param("group")).append(" | ")
                    .append(r.param("impl")).append(durable ? dax ? " (emulated: CLWB into DRAM)" : ""
                            : " (*not durable: system calls on tmpfs*)")
                    .append(" | ").append(r.forks()).append(" | ").append(Value.of(r).cell()).append(" | ")
                    .append(sampled == null ? "" : format(sampled.percentile("50.0"))).append(" | ")
                    .append(sampled == null ? "" : format(sampled.percentile("99.0"))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", Long.parseLong(r.param("group")) * 1e9 / r.score()))
                    .append(" | ").append(dax ? walRatio(means, r, "FILECHANNEL_DISK") : "").append(" | ")
                    .append(dax ? walRatio(means, r, "FILECHANNEL_DISK_DSYNC") : "").append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static String walKey(JmhJson.Result r) {
        return r.param("recordBytes") + "/" + r.param("group");
    }

    private static String walRatio(List<JmhJson.Result> means, JmhJson.Result dax, String anchor) {
        return find(means, r -> r.param("impl").equals(anchor) && walKey(r).equals(walKey(dax)))
                .map(a -> Value.of(dax).over(Value.of(a)).cell()).orElse("");
    }

    static String raft(List<JmhJson.Result> appends, List<JmhJson.Result> commits, List<JmhJson.Result> recovery) {
        if (appends.isEmpty() && commits.isEmpty() && recovery.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## SOFAJRaft's log: dax4j beside RocksDB\n\n"
                + "From `--raft`: 3 forks per row, run as 3 rounds of one fork with the storages' order rotated; means"
                + " and 99.9% errors over all measurement iterations, percentiles over every sample of the 3 forks."
                + " dax4j: `DaxLogStorage` (and `DaxRaftMetaStorage`) on an emulated device in tmpfs, CPU cache"
                + " flushes (CLWB), the instructions a device-DAX mapping runs, durable there. RocksDB: JRaft's"
                + " `RocksDBLogStorage` with its default sync writes (and its meta file), on tmpfs (where sync"
                + " persists nothing) and on this VM's ext4 disk. Ratio: dax4j's mean time / RocksDB's (below 1:"
                + " dax4j faster). A goal is \"undecided\" when the ratio's interval crosses it, and \"(within noise)\""
                + " beside a ratio marks two intervals that overlap, as everywhere in this report. The ratios to"
                + " RocksDB on disk compare CLWB into DRAM with ext4's fsync: on real persistent memory,"
                + " whose writes and drains take longer than DRAM's, dax4j's side would be slower, so read them as"
                + " upper bounds.\n\n");
        md.append(raftGoals(appends, commits));
        if (!appends.isEmpty()) {
            md.append("### appendEntries\n\nOne durable `appendEntries` of a batch of data entries per operation, as JRaft's"
                    + " log manager calls it (SampleTime). Both logs are truncated to their last entry every 4096"
                    + " entries, as JRaft truncates after snapshots, and dax4j's switches halves by itself when a batch"
                    + " does not fit (copying the entries kept); both costs fall inside the calls that make them.\n\n| entry | batch | storage | mean us | ± | p50 us | p99 us | entries/s"
                    + " | this / RocksDB tmpfs | this / RocksDB disk |\n"
                    + "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
            List<JmhJson.Result> rows = new ArrayList<>(appends);
            rows.sort(Comparator.comparingLong((JmhJson.Result r) -> Long.parseLong(r.param("entryBytes")))
                    .thenComparingLong(r -> Long.parseLong(r.param("batch"))).thenComparing(r -> r.param("storage")));
            for (JmhJson.Result r : rows) {
                md.append("| ").append(SvgChart.bytes(Long.parseLong(r.param("entryBytes")))).append(" | ")
                        .append(r.param("batch")).append(" | ").append(r.param("storage")).append(" | ")
                        .append(format(r.score() / 1000)).append(" | ").append(format(r.error() / 1000)).append(" | ")
                        .append(format(r.percentile("50.0") / 1000)).append(" | ")
                        .append(format(r.percentile("99.0") / 1000)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.0f", Long.parseLong(r.param("batch")) * 1e9 / r.score()))
                        .append(" | ").append(r.param("storage").equals("DAX4J") ? raftRatio(r, anchor(appends, r,
                                "ROCKSDB_TMPFS")) : "").append(" | ")
                        .append(r.param("storage").equals("DAX4J") ? raftRatio(r, anchor(appends, r, "ROCKSDB_DISK"))
                                : "").append(" |\n");
            }
            md.append("\n![appendEntries](raft-append.svg)\n\n");
        }
        if (!commits.isEmpty()) {
            md.append("### 3-node commits\n\nThree nodes in one JVM on loopback, 8-byte tasks, a state machine that does"
                    + " nothing: a commit is a task's closure running on the leader. One task at a time (SampleTime),"
                    + " and tasks applied as fast as 16 may be outstanding (Throughput). All three nodes share this"
                    + " VM's 2 cores with the client.\n\n| storage | commit mean us | ± | p50 us | p99 us | this /"
                    + " RocksDB tmpfs | this / RocksDB disk | tasks/s, 16 in flight | ± |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (String storage : List.of("DAX4J", "ROCKSDB_TMPFS", "ROCKSDB_DISK")) {
                JmhJson.Result c = find(commits, "commit", storage);
                JmhJson.Result t = find(commits, "inFlight16", storage);
                JmhJson.Result tmpfs = find(commits, "commit", "ROCKSDB_TMPFS");
                JmhJson.Result disk = find(commits, "commit", "ROCKSDB_DISK");
                boolean dax = storage.equals("DAX4J");
                md.append("| ").append(storage).append(" | ")
                        .append(c == null ? "" : format(c.score()) + " | " + error(c) + " | "
                                + format(c.percentile("50.0")) + " | " + format(c.percentile("99.0")))
                        .append(c == null ? " | | | " : "").append(" | ")
                        .append(dax && c != null ? raftRatio(c, tmpfs) : "").append(" | ")
                        .append(dax && c != null ? raftRatio(c, disk) : "").append(" | ")
                        .append(t == null ? " | " : String.format(Locale.ROOT, "%.0f | %.0f", t.score(), t.error()))
                        .append(" |\n");
            }
            md.append('\n');
        }
        if (!recovery.isEmpty()) {
            md.append("### Recovery\n\n`init` of a fresh storage object on a log of " + RaftRecoveryBenchmark.ENTRIES
                    + " entries of 64 bytes (SingleShotTime, 5 inits per fork after 2 warm-up ones). dax4j walks"
                    + " every record, checks its CRC and rebuilds the index; RocksDB opens its database and reads its"
                    + " configuration entries (its index is its own). The log has never switched halves; one that has"
                    + " also replays its other half, up to as many records again.\n\n| storage | init ms | ± |\n"
                    + "|---|---:|---:|\n");
            for (JmhJson.Result r : recovery) {
                md.append("| ").append(r.param("storage")).append(" | ").append(format(r.score())).append(" | ")
                        .append(error(r)).append(" |\n");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The goals of issue 16 as time ratios, each with the measured ratio and whether it is met. */
    private static String raftGoals(List<JmhJson.Result> appends, List<JmhJson.Result> commits) {
        StringBuilder md = new StringBuilder("| goal | dax4j / RocksDB | bar | verdict |\n|---|---:|---:|---|\n");
        for (String batch : List.of("1", "16")) {
            JmhJson.Result dax = appends.stream().filter(r -> r.param("storage").equals("DAX4J")
                    && r.param("batch").equals(batch) && r.param("entryBytes").equals("64")).findFirst().orElse(null);
            JmhJson.Result disk = dax == null ? null : anchor(appends, dax, "ROCKSDB_DISK");
            if (disk != null) {
                goal(md, "appendEntries, batch of " + batch + " x 64 B, against RocksDB on disk (20x faster)", dax,
                        disk, 0.05);
            }
        }
        JmhJson.Result dax = find(commits, "commit", "DAX4J");
        JmhJson.Result tmpfs = find(commits, "commit", "ROCKSDB_TMPFS");
        JmhJson.Result disk = find(commits, "commit", "ROCKSDB_DISK");
        if (dax != null && tmpfs != null) {
            goal(md, "3-node commit, against RocksDB on tmpfs", dax, tmpfs, 1.1);
        }
        if (dax != null && disk != null) {
            goal(md, "3-node commit, against RocksDB on disk (1.5x faster)", dax, disk, 1 / 1.5);
        }
        return md.append('\n').toString();
    }

    private static void goal(StringBuilder md, String what, JmhJson.Result dax, JmhJson.Result anchor, double bar) {
        Ratio r = Value.of(dax).over(Value.of(anchor));
        md.append("| ").append(what).append(" | ").append(r.cell()).append(" | <= ").append(ratio(bar)).append(" | ")
                .append(r.verdict(bar)).append(" |\n");
    }

    private static String raftRatio(JmhJson.Result dax, JmhJson.Result anchor) {
        return anchor == null ? "" : Value.of(dax).over(Value.of(anchor)).cell();
    }

    private static JmhJson.Result anchor(List<JmhJson.Result> appends, JmhJson.Result row, String storage) {
        return appends.stream().filter(r -> r.param("storage").equals(storage) && r.param("batch")
                .equals(row.param("batch")) && r.param("entryBytes").equals(row.param("entryBytes")))
                .findFirst().orElse(null);
    }

    private static JmhJson.Result find(List<JmhJson.Result> results, String method, String storage) {
        return results.stream().filter(r -> r.benchmark().endsWith("." + method) && r.param("storage")
                .equals(storage)).findFirst().orElse(null);
    }

    /** appendEntries: mean time per batch by batch size, for 64 B and 4 KiB entries, each storage. */
    static String raftChart(List<JmhJson.Result> appends) {
        Map<String, List<SvgChart.Point>> points = new LinkedHashMap<>();
        List<JmhJson.Result> rows = new ArrayList<>(appends);
        rows.sort(Comparator.comparing((JmhJson.Result r) -> r.param("storage"))
                .thenComparingLong(r -> Long.parseLong(r.param("entryBytes")))
                .thenComparingLong(r -> Long.parseLong(r.param("batch"))));
        for (JmhJson.Result r : rows) {
            if (r.param("entryBytes").equals("1024")) {
                continue;
            }
            points.computeIfAbsent(r.param("storage") + ", " + size(r.param("entryBytes")) + " entries",
                    k -> new ArrayList<>()).add(new SvgChart.Point(Long.parseLong(r.param("batch")), r.score(),
                    r.error()));
        }
        List<SvgChart.Series> series = new ArrayList<>();
        points.forEach((name, p) -> series.add(new SvgChart.Series(name, p, name.contains("4 KiB"))));
        return SvgChart.chart("SOFAJRaft appendEntries, durable: time per batch", "entries per batch",
                "time per batch (log scale)", series, true, v -> SvgChart.number(Math.rint(v)), SvgChart::nanos,
                Double.NaN, "");
    }

    /**
     * The chart that answers "how far from libpmem2?": dax4j's (and the C loop's) time ratio to libpmem2 per size,
     * durable mechanisms only, with the propagated 99.9% error as a bar and parity as a line.
     */
    static Optional<String> ratioChart(List<JmhJson.Result> persist, List<JmhJson.Result> dirty,
                                       List<JmhJson.Result> copy, List<JmhJson.Result> sharedPersist,
                                       List<JmhJson.Result> sharedDirty, List<JmhJson.Result> sharedCopy) {
        List<SvgChart.Series> series = new ArrayList<>();
        addAloneRatios(series, "dax4j persist alone (CLWB)", persist, dirty, "DAX4J_CLWB", false);
        addAloneRatios(series, "C loop persist alone (CLWB)", persist, dirty, "C_CLWB", true);
        addRatios(series, "dax4j persistent copy", copy, "DAX4J");
        if (!sharedPersist.isEmpty()) {
            addAloneRatios(series, "dax4j, " + sharedPersist.getFirst().threads() + " threads: persist alone",
                    sharedPersist, sharedDirty, "DAX4J_CLWB", false);
        }
        if (!sharedCopy.isEmpty()) {
            addRatios(series, "dax4j, " + sharedCopy.getFirst().threads() + " threads: copy", sharedCopy, "DAX4J");
        }
        if (series.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(SvgChart.chart("Time ratio to libpmem2 (durable mechanisms; bars: 99.9% error)",
                "bytes per operation", "time / libpmem2's time (below 1: faster)", series, false, SvgChart::bytes,
                v -> String.format(Locale.ROOT, "%.2f", v), 1.0, "parity with libpmem2"));
    }

    /** Adds the persist-alone ratios of {@code impl} that resolved (a gap where one did not). */
    private static void addAloneRatios(List<SvgChart.Series> series, String name, List<JmhJson.Result> persist,
                                       List<JmhJson.Result> dirty, String impl, boolean dashed) {
        List<SvgChart.Point> points = new ArrayList<>();
        for (String bytes : sizes(persist)) {
            Optional<Ratio> r = bytes.equals("0") ? Optional.empty()
                    : alone(persist, dirty, impl, bytes).flatMap(Alone::ratio);
            r.ifPresent(ratio -> points.add(new SvgChart.Point(Long.parseLong(bytes), ratio.value(),
                    ratio.error())));
        }
        if (!points.isEmpty()) {
            series.add(new SvgChart.Series(name, points, dashed));
        }
    }

    private static void addRatios(List<SvgChart.Series> series, String name, List<JmhJson.Result> results,
                                  String dax4j) {
        List<SvgChart.Point> points = new ArrayList<>();
        for (String bytes : sizes(results)) {
            Optional<JmhJson.Result> d = find(results, is("impl", dax4j).and(is("bytes", bytes)));
            Optional<JmhJson.Result> p = find(results, is("impl", "LIBPMEM2").and(is("bytes", bytes)));
            if (d.isPresent() && p.isPresent()) {
                Ratio r = Value.of(d.get()).over(Value.of(p.get()));
                points.add(new SvgChart.Point(Long.parseLong(bytes), r.value(), r.error()));
            }
        }
        if (!points.isEmpty()) {
            series.add(new SvgChart.Series(name, points, false));
        }
    }

    /** Dirty + persist time of the durable mechanisms, log-log, sizes from 64 B. */
    static String persistChart(List<JmhJson.Result> results) {
        return SvgChart.chart("Dirty + persist, durable mechanisms (99.9% error bars)", "bytes per persist",
                "time per operation (log scale)", series(results, DURABLE_PERSIST, r -> r.score(), r -> r.error()),
                true, SvgChart::bytes, SvgChart::nanos, Double.NaN, "");
    }

    static String copyChart(List<JmhJson.Result> results) {
        return SvgChart.chart("Persistent copy bandwidth", "bytes per copy", "GB/s (log scale)",
                series(results, null, r -> Long.parseLong(r.param("bytes")) / r.score(),
                        r -> Long.parseLong(r.param("bytes")) / r.score() * (Double.isNaN(r.error()) ? 0
                                : r.error() / r.score())),
                true, SvgChart::bytes, SvgChart::number, Double.NaN, "");
    }

    /** {@return one colour per mechanism, dax4j's and the C loop's alike; libpmem2 black} */
    private static int colourOf(String impl) {
        if (impl.equals("LIBPMEM2")) {
            return 6;
        }
        String mechanism = impl.substring(impl.indexOf('_') + 1);
        return switch (mechanism) {
            case "CLWB" -> 0;
            case "CLFLUSHOPT" -> 1;
            case "CLFLUSH" -> 2;
            case "MSYNC_DISK" -> 7;
            case "NON_TEMPORAL" -> 2;
            case "TEMPORAL" -> 3;
            default -> impl.equals("DAX4J") ? 0 : 4;
        };
    }

    /** One series per implementation in {@code keep} (all when null), C loops dashed, libpmem2 last. */
    private static List<SvgChart.Series> series(List<JmhJson.Result> results, Set<String> keep,
                                                java.util.function.ToDoubleFunction<JmhJson.Result> y,
                                                java.util.function.ToDoubleFunction<JmhJson.Result> error) {
        List<String> impls = new ArrayList<>(new TreeSet<>(results.stream().map(r -> r.param("impl"))
                .filter(i -> keep == null || keep.contains(i)).toList()));
        if (impls.remove("LIBPMEM2")) {
            impls.addLast("LIBPMEM2"); // drawn last, on top of the lines it is on par with
        }
        List<SvgChart.Series> series = new ArrayList<>();
        for (String impl : impls) {
            List<SvgChart.Point> points = new ArrayList<>();
            results.stream().filter(r -> r.param("impl").equals(impl) && !r.param("bytes").equals("0"))
                    .sorted(Comparator.comparingLong(r -> Long.parseLong(r.param("bytes"))))
                    .forEach(r -> points.add(new SvgChart.Point(Long.parseLong(r.param("bytes")), y.applyAsDouble(r),
                            error.applyAsDouble(r))));
            if (!points.isEmpty()) {
                series.add(new SvgChart.Series(impl, points, impl.startsWith("C_"), colourOf(impl)));
            }
        }
        return series;
    }

    private static String error(JmhJson.Result r) {
        return Double.isNaN(r.error()) ? "" : format(r.error());
    }
}
