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
                + "One durable append of a group of records per operation: dax4j's `WriteAheadLog` (examples) with CPU"
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
