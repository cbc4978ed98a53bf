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
import java.util.TreeSet;

import static io.github.dax4j.bench.BenchReport.format;

/** The sections of REPORT.md and its charts, each from the JMH results of one benchmark. */
final class ReportTables {

    private ReportTables() {
    }

    static String environment(String profile) {
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            kernel = "unknown";
        }
        return "| | |\n|---|---|\n"
                + "| date | " + BenchReport.now() + " |\n"
                + "| CPU | " + BenchReport.firstLine(Path.of("/proc/cpuinfo"), "model name") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores |\n"
                + "| kernel | " + kernel + " |\n"
                + "| JDK | " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ") |\n"
                + "| profile | " + profile + " |\n\n"
                + "This machine is a noisy 2-core virtual machine: read ratios and the error column, not single"
                + " digits. Each row is JMH's score (average time per operation over the measurement iterations,"
                + " one fork) with its 99.9% error where JMH gives one. Emulated devices live in tmpfs (`/dev/shm`)"
                + " unless the row says disk;"
                + " CPU flush rows on tmpfs run the instructions they run on device-DAX, but tmpfs itself is not"
                + " persistent. libpmem2 runs with `PMEM2_FORCE_GRANULARITY=CACHE_LINE`.\n\n";
    }

    /**
     * The headline bars, from the {@code --headline} run ({@value BenchReport#HEADLINE_FORKS} forks per row): dax4j
     * beside libpmem2 and the C loop, each ratio with the bar it is held to. A row whose ratio misses its bar but
     * whose 99.9% interval overlaps libpmem2's is marked "within noise": the run cannot tell the two apart.
     */
    static String headline(List<JmhJson.Result> persist, List<JmhJson.Result> shared, List<JmhJson.Result> copy) {
        if (persist.isEmpty() && shared.isEmpty() && copy.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Headline: dax4j beside libpmem2 and the C loop\n\n"
                + "From `--headline`: " + BenchReport.HEADLINE_FORKS + " forks per row, 3 warm-up and 5 measurement"
                + " iterations of 1 s each, run as " + BenchReport.HEADLINE_FORKS + " rounds of one fork with the"
                + " implementations' order rotated each round (so that a slow minute of this shared VM falls on all"
                + " of them alike); scores and 99.9% errors over all 15 iterations. CLWB on tmpfs for all three (libpmem2 with"
                + " `PMEM2_FORCE_GRANULARITY=CACHE_LINE`). Times are ns per operation with their 99.9% error."
                + " Persist rows dirty the range and persist it; the shared rows do so from two threads into one"
                + " mapping, each in its own half; copy rows are persistent copies of a cached source (ratio:"
                + " bandwidth, so higher is better). \"within noise\": the ratio misses the bar, but dax4j's and"
                + " libpmem2's 99.9% intervals overlap.\n\n"
                + "| row | size | dax4j | libpmem2 | C loop | dax4j vs libpmem2 | bar | |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---|\n");
        headlineRows(md, "dirty + persist", persist, "DAX4J_CLWB", false, 1.02);
        headlineRows(md, "2 threads, 1 mapping", shared, "DAX4J_CLWB", false, 1.05);
        headlineRows(md, "persistent copy", copy, "DAX4J", true, 0.97);
        return md.append("\n![dax4j vs libpmem2](headline-ratios.svg)\n\n").toString();
    }

    /** {@return the headline ratios as a dot plot: one row per size, the interval from both 99.9% errors} */
    static String headlineChart(List<JmhJson.Result> persist, List<JmhJson.Result> shared,
                                List<JmhJson.Result> copy) {
        List<SvgChart.Ratio> rows = new ArrayList<>();
        ratioRows(rows, "persist", persist, "DAX4J_CLWB", false, 1.02);
        ratioRows(rows, "2 threads", shared, "DAX4J_CLWB", false, 1.05);
        ratioRows(rows, "copy (bandwidth)", copy, "DAX4J", true, 0.97);
        return SvgChart.ratios("dax4j vs libpmem2 (" + BenchReport.HEADLINE_FORKS + " forks; whisker: both 99.9%"
                + " intervals; red tick: the bar)", "persist and 2-thread rows: time ratio (lower is better);"
                + " copy rows: bandwidth ratio (higher is better)", rows);
    }

    private static void ratioRows(List<SvgChart.Ratio> rows, String label, List<JmhJson.Result> results,
                                  String dax4j, boolean bandwidth, double bar) {
        Map<String, JmhJson.Result> anchor = new LinkedHashMap<>();
        results.stream().filter(r -> r.param("impl").equals("LIBPMEM2")).forEach(r -> anchor.put(r.param("bytes"), r));
        for (JmhJson.Result d : bySizeThenImpl(results)) {
            JmhJson.Result p = anchor.get(d.param("bytes"));
            if (!d.param("impl").equals(dax4j) || p == null || d.param("bytes").equals("0")) {
                continue;
            }
            double ed = Double.isNaN(d.error()) ? 0 : d.error();
            double ep = Double.isNaN(p.error()) ? 0 : p.error();
            double ratio = bandwidth ? p.score() / d.score() : d.score() / p.score();
            double low = bandwidth ? (p.score() - ep) / (d.score() + ed) : (d.score() - ed) / (p.score() + ep);
            double high = bandwidth ? (p.score() + ep) / (d.score() - ed) : (d.score() + ed) / (p.score() - ep);
            rows.add(new SvgChart.Ratio(label + " " + SvgChart.bytes(Long.parseLong(d.param("bytes"))), ratio, low,
                    high, bar, bandwidth));
        }
    }

    private static void headlineRows(StringBuilder md, String row, List<JmhJson.Result> results, String dax4j,
                                     boolean bandwidth, double bar) {
        Map<String, JmhJson.Result> ours = new LinkedHashMap<>();
        Map<String, JmhJson.Result> anchor = new LinkedHashMap<>();
        Map<String, JmhJson.Result> cloop = new LinkedHashMap<>();
        for (JmhJson.Result r : bySizeThenImpl(results)) {
            String size = r.param("bytes");
            switch (r.param("impl")) {
                case "LIBPMEM2" -> anchor.put(size, r);
                case "C_CLWB" -> cloop.put(size, r);
                default -> {
                    if (r.param("impl").equals(dax4j)) {
                        ours.put(size, r);
                    }
                }
            }
        }
        ours.forEach((size, d) -> {
            JmhJson.Result p = anchor.get(size);
            JmhJson.Result c = cloop.get(size);
            String versus;
            String limit;
            boolean met;
            if (p == null) {
                versus = "";
                limit = "";
                met = true;
            } else if (size.equals("0")) {
                double extra = d.score() - p.score();
                versus = String.format(Locale.ROOT, "%+.1f ns", extra);
                limit = "<= +1 ns";
                met = extra <= 1.0;
            } else {
                double ratio = bandwidth ? p.score() / d.score() : d.score() / p.score();
                versus = String.format(Locale.ROOT, "%.3f", ratio);
                limit = (bandwidth ? ">= " : "<= ") + String.format(Locale.ROOT, "%.2f", bar);
                met = bandwidth ? ratio >= bar : ratio <= bar;
            }
            String verdict = p == null ? "" : met ? "met" : overlap(d, p) ? "within noise" : "**missed**";
            md.append("| ").append(row).append(" | ").append(SvgChart.bytes(Long.parseLong(size))).append(" | ")
                    .append(cell(d)).append(" | ").append(cell(p)).append(" | ").append(cell(c)).append(" | ")
                    .append(versus).append(" | ").append(limit).append(" | ").append(verdict).append(" |\n");
        });
    }

    private static String cell(JmhJson.Result r) {
        return r == null ? "" : format(r.score()) + " ± " + error(r);
    }

    /** {@return whether the two results' 99.9% intervals overlap} */
    private static boolean overlap(JmhJson.Result a, JmhJson.Result b) {
        return Math.abs(a.score() - b.score()) <= a.error() + b.error();
    }

    /** Persist rows, with the ratio of each row's time to libpmem2's at the same size (bar: <= 1.05). */
    static String persist(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Flush latency: dirty + persist\n\n"
                + "Dirty every byte of the range, then persist it, rotating through 256 MiB (64 MiB on disk)."
                + " 0 B is the call overhead. Ratio: time / libpmem2's time at the same size (dax4j's bar: <= 1.05)."
                + "\n\n![persist latency](persist-latency.svg)\n\n"
                + "| size | implementation | ns/op | ± | ratio to libpmem2 |\n|---:|---|---:|---:|---:|\n");
        Map<String, Double> libpmem2 = libpmem2BySize(results);
        for (JmhJson.Result r : bySizeThenImpl(results)) {
            Double anchor = libpmem2.get(r.param("bytes"));
            md.append("| ").append(SvgChart.bytes(Long.parseLong(r.param("bytes")))).append(" | ").append(r.param("impl"))
                    .append(" | ").append(format(r.score())).append(" | ").append(error(r)).append(" | ")
                    .append(timeRatio(anchor, r.score())).append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** Copy rows, with bandwidth and its ratio to libpmem2's (bar: >= 0.95). */
    static String copy(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Persistent copy: bandwidth\n\n"
                + "Copy a cached source into the device and make it durable, rotating through 256 MiB. Ratio:"
                + " bandwidth / libpmem2's bandwidth at the same size (dax4j's bar: >= 0.95). DAX4J is the automatic"
                + " choice (non-temporal from 256 B); TEMPORAL and NON_TEMPORAL are forced.\n\n"
                + "![copy bandwidth](copy-bandwidth.svg)\n\n"
                + "| size | implementation | ns/op | ± | GB/s | ratio to libpmem2 |\n|---:|---|---:|---:|---:|---:|\n");
        Map<String, Double> libpmem2 = libpmem2BySize(results);
        for (JmhJson.Result r : bySizeThenImpl(results)) {
            long bytes = Long.parseLong(r.param("bytes"));
            Double anchor = libpmem2.get(r.param("bytes"));
            md.append("| ").append(SvgChart.bytes(bytes)).append(" | ").append(r.param("impl")).append(" | ")
                    .append(format(r.score())).append(" | ").append(error(r)).append(" | ")
                    .append(format(bytes / r.score())).append(" | ")
                    .append(anchor == null ? "" : String.format(Locale.ROOT, "%.2f", anchor / r.score()))
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** {@return libpmem2's score per size: the anchor of every ratio} */
    private static Map<String, Double> libpmem2BySize(List<JmhJson.Result> results) {
        return libpmem2By(results, "bytes");
    }

    /** {@return libpmem2's score per value of the size parameter {@code param}} */
    private static Map<String, Double> libpmem2By(List<JmhJson.Result> results, String param) {
        Map<String, Double> scores = new LinkedHashMap<>();
        results.stream().filter(r -> r.param("impl").equals("LIBPMEM2"))
                .forEach(r -> scores.put(r.param(param), r.score()));
        return scores;
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
                + "| backing | faulting | region | pages | us per region | us per page | ns per KiB |\n"
                + "|---|---|---:|---:|---:|---:|---:|\n");
        for (JmhJson.Result r : results) {
            FaultBenchmark.Backing backing = FaultBenchmark.Backing.valueOf(r.param("backing"));
            md.append("| ").append(backing).append(" | ").append(r.param("faulting")).append(" | ")
                    .append(SvgChart.bytes(backing.bytes())).append(" | ").append(backing.pages()).append(" | ")
                    .append(format(r.score())).append(" | ").append(format(r.score() / backing.pages())).append(" | ")
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
                + " 256 MiB. Random updates: one aligned 8-byte store + persist at a random place in 256 MiB. Ratio:"
                + " time / libpmem2's time.\n\n"
                + "| operation | size | implementation | ns/op | ± | throughput | ratio to libpmem2 |\n"
                + "|---|---:|---|---:|---:|---:|---:|\n");
        Map<String, Double> anchors = libpmem2By(records, "recordBytes");
        for (JmhJson.Result r : records) {
            long bytes = Long.parseLong(r.param("recordBytes"));
            md.append("| sequential record append (copy + persist) | ").append(SvgChart.bytes(bytes)).append(" | ")
                    .append(r.param("impl")).append(" | ").append(format(r.score())).append(" | ").append(error(r))
                    .append(" | ").append(format(bytes / r.score())).append(" GB/s | ")
                    .append(timeRatio(anchors.get(r.param("recordBytes")), r.score())).append(" |\n");
        }
        Map<String, Double> updateAnchors = libpmem2By(updates, "recordBytes");
        for (JmhJson.Result r : updates) {
            md.append("| random aligned 8-byte update + persist | 8 B | ").append(r.param("impl")).append(" | ")
                    .append(format(r.score())).append(" | ").append(error(r)).append(" | ")
                    .append(format(1e9 / r.score() / 1e6)).append(" M ops/s | ").append(timeRatio(updateAnchors.get(r.param("recordBytes")), r.score()))
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static String timeRatio(Double anchor, double score) {
        return anchor == null ? "" : String.format(Locale.ROOT, "%.2f", score / anchor);
    }

    /** WAL appends: records/s, and dax4j's ratio to FileChannel + force on tmpfs and on disk. */
    static String wal(List<JmhJson.Result> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Write-ahead log appends\n\n"
                + "One durable append of a group of records per operation: dax4j's `WriteAheadLog` (engines) with CPU"
                + " flushes and with msync, against `FileChannel.write` + `force(false)` on tmpfs and on disk. The mean"
                + " with its error is JMH's AverageTime; the median and 99th percentile of one operation come from a"
                + " SampleTime run (each sample includes the timer's own cost, some 20-40 ns; full profile only)."
                + " Ratio: records/s over FileChannel's on tmpfs / on disk (goal for dax4j CPU at 64 B: 5x / 100x).\n\n"
                + "| record | group | implementation | mean ns | ± | p50 ns | p99 ns | records/s"
                + " | vs FileChannel tmpfs | vs disk |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Double> tmpfs = new LinkedHashMap<>();
        Map<String, Double> disk = new LinkedHashMap<>();
        Map<String, JmhJson.Result> samples = new LinkedHashMap<>();
        List<JmhJson.Result> means = new ArrayList<>();
        for (JmhJson.Result r : results) {
            String key = r.param("recordBytes") + "/" + r.param("group");
            if (r.mode().equals("sample")) {
                samples.put(key + "/" + r.param("impl"), r);
                continue;
            }
            means.add(r);
            if (r.param("impl").equals("FILECHANNEL_TMPFS")) tmpfs.put(key, r.score());
            if (r.param("impl").equals("FILECHANNEL_DISK")) disk.put(key, r.score());
        }
        means.sort(Comparator.comparingLong((JmhJson.Result r) -> Long.parseLong(r.param("recordBytes")))
                .thenComparingLong(r -> Long.parseLong(r.param("group"))).thenComparing(r -> r.param("impl")));
        for (JmhJson.Result r : means) {
            String key = r.param("recordBytes") + "/" + r.param("group");
            JmhJson.Result sampled = samples.get(key + "/" + r.param("impl"));
            double perSecond = Long.parseLong(r.param("group")) * 1e9 / r.score();
            md.append("| ").append(SvgChart.bytes(Long.parseLong(r.param("recordBytes")))).append(" | ")
                    .append(r.param("group")).append(" | ").append(r.param("impl")).append(" | ")
                    .append(format(r.score())).append(" | ").append(error(r)).append(" | ")
                    .append(sampled == null ? "" : format(sampled.percentile("50.0"))).append(" | ")
                    .append(sampled == null ? "" : format(sampled.percentile("99.0"))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", perSecond)).append(" | ")
                    .append(ratio(tmpfs.get(key), r.score())).append(" | ").append(ratio(disk.get(key), r.score()))
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    /**
     * The SOFAJRaft section (issue 16): appendEntries, 3-node commits and recovery, dax4j's log storage beside
     * JRaft's RocksDB one, from the merged rounds of {@code --raft}; empty when there are none.
     */
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
                + " persists nothing) and on this VM's ext4 disk. Ratio: RocksDB's mean time / dax4j's (higher:"
                + " dax4j faster). \"within noise\": the ratio of the means misses the goal, but the ratio of the ends of the"
                + " two 99.9% intervals most in dax4j's favour reaches it (a goal not excluded, not a goal met). The"
                + " ratios to RocksDB on disk compare CLWB into DRAM with ext4's fsync: on real persistent memory,"
                + " whose writes and drains take longer than DRAM's, dax4j's side would be slower, so read them as"
                + " upper bounds.\n\n");
        md.append(raftGoals(appends, commits));
        if (!appends.isEmpty()) {
            md.append("### appendEntries\n\nOne durable `appendEntries` of a batch of data entries per operation, as JRaft's"
                    + " log manager calls it (SampleTime). Both logs are truncated to their last entry every 4096"
                    + " entries, as JRaft truncates after snapshots, and dax4j's switches halves by itself when a batch"
                    + " does not fit (copying the entries kept); both costs fall inside the calls that make them.\n\n| entry | batch | storage | mean us | ± | p50 us | p99 us | entries/s"
                    + " | RocksDB tmpfs / this | RocksDB disk / this |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
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
                        .append(" | ").append(r.param("storage").equals("DAX4J") ? ratio(anchor(appends, r,
                                "ROCKSDB_TMPFS"), r.score()) : "").append(" | ")
                        .append(r.param("storage").equals("DAX4J") ? ratio(anchor(appends, r, "ROCKSDB_DISK"),
                                r.score()) : "").append(" |\n");
            }
            md.append("\n![appendEntries](raft-append.svg)\n\n");
        }
        if (!commits.isEmpty()) {
            md.append("### 3-node commits\n\nThree nodes in one JVM on loopback, 8-byte tasks, a state machine that does"
                    + " nothing: a commit is a task's closure running on the leader. One task at a time (SampleTime),"
                    + " and tasks applied as fast as 16 may be outstanding (Throughput). All three nodes share this"
                    + " VM's 2 cores with the client.\n\n| storage | commit mean us | ± | p50 us | p99 us | RocksDB"
                    + " tmpfs / this | RocksDB disk / this | tasks/s, 16 in flight | ± |\n"
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
                        .append(dax && c != null && tmpfs != null ? ratio(tmpfs.score(), c.score()) : "").append(" | ")
                        .append(dax && c != null && disk != null ? ratio(disk.score(), c.score()) : "").append(" | ")
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

    /** The goals of issue 16, each with the measured ratio and whether it is met. */
    private static String raftGoals(List<JmhJson.Result> appends, List<JmhJson.Result> commits) {
        StringBuilder md = new StringBuilder("| goal | measured | bar | |\n|---|---:|---:|---|\n");
        for (String batch : List.of("1", "16")) {
            JmhJson.Result dax = appends.stream().filter(r -> r.param("storage").equals("DAX4J")
                    && r.param("batch").equals(batch) && r.param("entryBytes").equals("64")).findFirst().orElse(null);
            Double disk = dax == null ? null : anchor(appends, dax, "ROCKSDB_DISK");
            if (dax != null && disk != null) {
                JmhJson.Result anchor = appends.stream().filter(r -> r.param("storage").equals("ROCKSDB_DISK")
                        && r.param("batch").equals(batch) && r.param("entryBytes").equals("64")).findFirst()
                        .orElseThrow();
                md.append("| appendEntries, batch of ").append(batch).append(" x 64 B: RocksDB disk / dax4j | ")
                        .append(ratio(disk, dax.score())).append(" | >= 20x | ")
                        .append(verdict(anchor, dax, 20)).append(" |\n");
            }
        }
        JmhJson.Result dax = find(commits, "commit", "DAX4J");
        JmhJson.Result tmpfs = find(commits, "commit", "ROCKSDB_TMPFS");
        JmhJson.Result disk = find(commits, "commit", "ROCKSDB_DISK");
        if (dax != null && tmpfs != null) {
            md.append("| 3-node commit: dax4j / RocksDB tmpfs (time) | ").append(String.format(Locale.ROOT, "%.2f",
                    dax.score() / tmpfs.score())).append(" | <= 1.1 | ").append(verdict(tmpfs, dax, 1 / 1.1))
                    .append(" |\n");
        }
        if (dax != null && disk != null) {
            md.append("| 3-node commit: RocksDB disk / dax4j | ").append(ratio(disk.score(), dax.score()))
                    .append(" | >= 1.5x | ").append(verdict(disk, dax, 1.5)).append(" |\n");
        }
        return md.append('\n').toString();
    }

    /**
     * "met" when {@code anchor / dax >= bar}; "within noise" when only the ends of the 99.9% intervals most in
     * dax4j's favour reach it (the goal is not excluded, not met); else "missed".
     */
    private static String verdict(JmhJson.Result anchor, JmhJson.Result dax, double bar) {
        if (anchor.score() / dax.score() >= bar) {
            return "met";
        }
        double a = anchor.score() + (Double.isNaN(anchor.error()) ? 0 : anchor.error());
        double d = dax.score() - (Double.isNaN(dax.error()) ? 0 : dax.error());
        return d > 0 && a / d >= bar ? "within noise" : "missed"; // an interval reaching 0 tells nothing
    }

    private static Double anchor(List<JmhJson.Result> appends, JmhJson.Result row, String storage) {
        return appends.stream().filter(r -> r.param("storage").equals(storage) && r.param("batch")
                .equals(row.param("batch")) && r.param("entryBytes").equals(row.param("entryBytes")))
                .map(JmhJson.Result::score).findFirst().orElse(null);
    }

    private static JmhJson.Result find(List<JmhJson.Result> results, String method, String storage) {
        return results.stream().filter(r -> r.benchmark().endsWith("." + method) && r.param("storage")
                .equals(storage)).findFirst().orElse(null);
    }

    /** appendEntries: mean time per batch by batch size, for 64 B and 4 KiB entries, each storage. */
    static String raftChart(List<JmhJson.Result> appends) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        List<JmhJson.Result> rows = new ArrayList<>(appends);
        rows.sort(Comparator.comparingLong(r -> Long.parseLong(r.param("batch"))));
        for (JmhJson.Result r : rows) {
            if (r.param("entryBytes").equals("1024")) {
                continue;
            }
            series.computeIfAbsent(r.param("storage") + " " + SvgChart.bytes(Long.parseLong(r.param("entryBytes"))),
                    k -> new ArrayList<>()).add(new double[] {Long.parseLong(r.param("batch")), r.score() / 1000});
        }
        return SvgChart.logLog("SOFAJRaft appendEntries, durable (log-log)", "entries per batch", "us per batch",
                series, v -> SvgChart.number(Math.rint(v)));
    }

    private static String ratio(Double anchor, double score) {
        return anchor == null ? "" : String.format(Locale.ROOT, "%.1fx", anchor / score);
    }

    static String persistChart(List<JmhJson.Result> results) {
        return SvgChart.logLog("dirty + persist latency (log-log)", "bytes per persist", "ns per operation",
                series(results, r -> r.score()));
    }

    static String copyChart(List<JmhJson.Result> results) {
        return SvgChart.logLog("persistent copy bandwidth (log-log)", "bytes per copy", "GB/s",
                series(results, r -> Long.parseLong(r.param("bytes")) / r.score()));
    }

    private static Map<String, List<double[]>> series(List<JmhJson.Result> results,
                                                      java.util.function.ToDoubleFunction<JmhJson.Result> y) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String impl : new TreeSet<>(results.stream().map(r -> r.param("impl")).toList())) {
            List<double[]> points = new ArrayList<>();
            results.stream().filter(r -> r.param("impl").equals(impl) && !r.param("bytes").equals("0"))
                    .sorted(Comparator.comparingLong(r -> Long.parseLong(r.param("bytes"))))
                    .forEach(r -> points.add(new double[] {Long.parseLong(r.param("bytes")), y.applyAsDouble(r)}));
            if (!points.isEmpty()) {
                series.put(impl, points);
            }
        }
        return series.isEmpty() ? Map.of("(no results)", List.of(new double[] {1, 1})) : series;
    }

    private static String error(JmhJson.Result r) {
        return Double.isNaN(r.error()) ? "" : format(r.error());
    }

}
