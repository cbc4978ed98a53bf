package io.github.dax4j.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every benchmark method runs once, in process, in its smallest configuration, with every implementation this
 * machine has: a benchmark that no longer runs fails the build. Not a measurement: nothing here is timed.
 */
class BenchmarksRunOnceTest {

    private static Collection<RunResult> runOnce(String include, String... params) throws RunnerException {
        return runOnce(0, include, params);
    }

    /** {@code threads}: the JMH thread count, or 0 for the benchmark's own. */
    private static Collection<RunResult> runOnce(int threads, String include, String... params)
            throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("io\\.github\\.dax4j\\.bench\\." + include + "($|\\.)")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                // silent: forks(0) makes JMH print its "non-forked runs only for debugging" banner per run,
                // which is this test's very point; failures still fail (shouldFailOnError) with their exception
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        for (int i = 0; i < params.length; i += 2) {
            options.param(params[i], params[i + 1].split(","));
        }
        if (threads > 0) {
            options.threads(threads);
        }
        return new Runner(options.build()).run();
    }

    private static <T extends Enum<T>> String available(T[] values, java.util.function.Function<T,
            java.util.Optional<String>> why) {
        return Arrays.stream(values).filter(v -> why.apply(v).isEmpty()).map(Enum::name)
                .collect(Collectors.joining(","));
    }

    private static void assertRan(Collection<RunResult> results, int expected) {
        assertEquals(expected, results.size(), "one result per configuration");
        for (RunResult r : results) {
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), r.getParams() + " scored " + score);
        }
    }

    @Test
    void persistRunsForEveryImplementationHere() throws RunnerException {
        String impls = available(PersistTarget.Impl.values(), PersistTarget.Impl::unavailable);
        assertTrue(impls.contains("DAX4J_MSYNC") && impls.contains("JDK_SEGMENT_FORCE"), impls);
        // dirty and dirtyAndPersist
        assertRan(runOnce("PersistBenchmark", "impl", impls, "bytes", "64"), 2 * impls.split(",").length);
    }

    @Test
    void threadsShareOneMappingForEveryImplementationHere() throws RunnerException {
        String impls = Arrays.stream(new String[] {"DAX4J_CLWB", "LIBPMEM2", "C_CLWB"})
                .filter(i -> PersistTarget.Impl.valueOf(i).unavailable().isEmpty()).collect(Collectors.joining(","));
        org.junit.jupiter.api.Assumptions.assumeFalse(impls.isEmpty(), "no CPU flush here");
        // dirty and dirtyAndPersist
        assertRan(runOnce("SharedPersistBenchmark", "impl", impls, "bytes", "64"), 2 * impls.split(",").length);
        String copiers = PersistTarget.Impl.LIBPMEM2.unavailable().isEmpty() ? "DAX4J,LIBPMEM2" : "DAX4J";
        assertRan(runOnce("SharedCopyBenchmark", "impl", copiers), copiers.split(",").length);
        // the thread count is a parameter: three threads get three slices of the one mapping
        Collection<RunResult> three = runOnce(3, "SharedCopyBenchmark", "impl", "DAX4J");
        assertRan(three, 1);
        assertEquals(3, three.iterator().next().getParams().getThreads());
    }

    @Test
    void theSummaryMergesRoundsSubtractsTheStoresAndMarksEachBar() throws Exception {
        Path dir = Files.createTempDirectory("dax4j-summary-");
        // two rounds of one fork each. Persist alone = dirty + persist - dirty: at 64 B 191 against 190 (met, the
        // intervals overlapping), at 256 B 220 against 210 with a wide error (within noise), at 4 KiB 800 against
        // 700 (missed)
        for (int round = 1; round <= 2; round++) {
            double shift = round == 1 ? -1 : 1;
            Files.writeString(dir.resolve("persist-" + round + ".json"), "["
                    + run("PersistBenchmark.dirtyAndPersist", "0", "DAX4J_CLWB", 13 + shift, 13 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "0", "LIBPMEM2", 17 + shift, 17 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "64", "DAX4J_CLWB", 200 + shift, 202 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "64", "LIBPMEM2", 200 + shift, 200 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "256", "DAX4J_CLWB", 230 + 20 * shift, 250 + 20 * shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "256", "LIBPMEM2", 230 + shift, 230 + shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "4096", "DAX4J_CLWB", 900 + shift, 900 + shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "4096", "LIBPMEM2", 800 + shift, 800 + shift)
                    + "]");
            Files.writeString(dir.resolve("dirty-" + round + ".json"), "["
                    + run("PersistBenchmark.dirty", "64", "DAX4J_NONE", 10 + shift, 10 + shift) + ","
                    + run("PersistBenchmark.dirty", "256", "DAX4J_NONE", 20, 20) + ","
                    + run("PersistBenchmark.dirty", "4096", "DAX4J_NONE", 100 + shift, 100 + shift) + "]");
        }
        BenchReport.render(dir, dir, List.of());
        String report = Files.readString(dir.resolve("REPORT.md"));
        String summary = report.substring(report.indexOf("## Summary"), report.indexOf("## Flush latency"));
        // the call overhead: 13 against 17 ns, a difference whose interval crosses the +1 ns bar
        assertTrue(summary.contains("| 0 B | 13.0 ± ") && summary.contains("| -4.0 ± ") && summary.contains(
                "| <= +1 ns | 2 | undecided (the mean meets it) |"), summary);
        // (201 - 10) / (200 - 10): the dirty-only row's error enters once
        assertTrue(summary.contains("| persist alone (CLWB) / libpmem2 | 64 B | 191 ± ") && summary.contains(
                "| 1.005 ± 0.068 (within noise) | <= 1.020 | 2 | undecided (the mean meets it) |"), summary);
        assertTrue(summary.contains("| 256 B | 220 ± ") && summary.contains(
                "| <= 1.020 | 2 | undecided (the mean misses it) |"), summary);
        assertTrue(summary.contains("| 4 KiB | 800 ± ") && summary.contains("| 1.143 ± ")
                && summary.contains("| <= 1.020 | 2 | **missed** |"), summary);
        // no copy, thread or WAL rows in this run: said, not left out
        assertTrue(summary.contains("| persistent copy | | | | | | | not measured in this run |")
                && summary.contains("| WAL against the disk | | | | | | | not measured in this run |"), summary);
        // the persist table gives both, the baselines table the dirty-only row
        assertTrue(report.contains("| 64 B | DAX4J_CLWB | 2 | 201 ± "), report);
        assertTrue(report.contains("| 64 B | dirty only | 2 | 10.0 ± "), report);
        String ratios = Files.readString(dir.resolve("ratio-to-libpmem2.svg"));
        assertTrue(ratios.startsWith("<svg") && ratios.contains("dax4j persist alone (CLWB)")
                && ratios.contains("parity with libpmem2") && ratios.contains(">4 KiB<"), ratios);
        assertTrue(!ratios.contains(">16 KiB<") && !ratios.contains(">1 KiB<"), "only measured sizes on the axis");
    }

    /** A JMH JSON run of two measurement iterations, one fork. */
    private static String run(String benchmark, String bytes, String impl, double first, double second) {
        return "{\"benchmark\":\"io.github.dax4j.bench." + benchmark + "\",\"mode\":\"avgt\",\"forks\":1,"
                + "\"threads\":1,\"params\":{\"bytes\":\"" + bytes + "\",\"impl\":\"" + impl + "\"},"
                + "\"primaryMetric\":{\"score\":" + (first + second) / 2
                + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"ns/op\",\"rawData\":[[" + first + "," + second + "]]}}";
    }

    @Test
    void copyRunsForEveryImplementationHere() throws RunnerException {
        String impls = available(CopyBenchmark.Impl.values(), CopyBenchmark.Impl::unavailable);
        assertRan(runOnce("CopyBenchmark", "impl", impls, "bytes", "4096"), impls.split(",").length);
    }

    @Test
    void faultRunsLazyAndPrefaulted() throws RunnerException {
        assertRan(runOnce("FaultBenchmark", "backing", "TMPFS_4K,DISK_4K"), 4);
    }

    @Test
    void recordsAndUpdatesRun() throws RunnerException {
        String impls = available(RecordsBenchmark.Impl.values(), impl -> impl == RecordsBenchmark.Impl.LIBPMEM2
                ? PersistTarget.Impl.LIBPMEM2.unavailable() : java.util.Optional.empty());
        assertRan(runOnce("RecordsBenchmark", "recordBytes", "64", "impl", impls), 2 * impls.split(",").length);
    }

    @Test
    void walRunsForEveryImplementation() throws RunnerException {
        // mean and samples
        // one record and a group of 16 (one gathering write on the file rows)
        assertRan(runOnce("WalBenchmark", "recordBytes", "64", "group", "1,16"), 4 * WalBenchmark.Impl.values().length);
    }

    @Test
    void theReportRendersFromJmhJson() throws Exception {
        Path dir = Files.createTempDirectory("dax4j-report-");
        Files.writeString(dir.resolve("persist-1.json"), """
                [{"benchmark":"io.github.dax4j.bench.PersistBenchmark.dirtyAndPersist","mode":"avgt","forks":1,
                  "params":{"bytes":"64","impl":"LIBPMEM2"},
                  "primaryMetric":{"score":200.0,"scoreError":"NaN","scoreUnit":"ns/op"}},
                 {"benchmark":"io.github.dax4j.bench.PersistBenchmark.dirtyAndPersist","mode":"avgt","forks":1,
                  "params":{"bytes":"64","impl":"DAX4J_CLWB"},
                  "primaryMetric":{"score":210.0,"scoreError":4.5,"scoreUnit":"ns/op"}}]
                """);
        Files.writeString(dir.resolve("wal-1.json"), "[" + wal("DAX4J_CPU", 200, 3) + "," + wal("FILECHANNEL_TMPFS",
                1000, 30) + "," + wal("FILECHANNEL_DISK", 100_000, 3000) + "," + wal("FILECHANNEL_DISK_DSYNC", 50_000,
                1000) + "]");
        Files.writeString(dir.resolve("wal-sample-1.json"), """
                [{"benchmark":"io.github.dax4j.bench.WalBenchmark.append","mode":"sample",
                  "params":{"group":"1","impl":"DAX4J_CPU","recordBytes":"64"},
                  "primaryMetric":{"score":240.0,"scoreError":3.0,"scoreUnit":"ns/op",
                                   "scorePercentiles":{"50.0":230.0,"99.0":291.0,"100.0":9000.0}}}]
                """);
        Files.writeString(dir.resolve("run.md"), "| run | then |\n\n");
        Files.writeString(dir.resolve("absent.txt"), "copy LIBPMEM2: not installed\n");
        BenchReport.render(dir, dir, List.of());
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.startsWith("# dax4j benchmark report\n\n| run | then |"), report);
        // one ratio convention: dax4j's time / the other's, here against the disk with force and with DSYNC
        assertTrue(report.contains("| 64 B | 1 | DAX4J_CPU (emulated: CLWB into DRAM) | 1 | 200 ± 3.00 | 230 | 291 | 5000000 | 0.00200 ± 0.00007"
                + " | 0.00400 ± 0.00010 |"), report);
        assertTrue(report.contains("| 64 B | 1 | FILECHANNEL_TMPFS (*not durable: system calls on tmpfs*) | 1 | 1000 ±"
                + " 30.0 |  |  | 1000000 |  |  |"), report);
        assertTrue(report.contains("| WAL append of one 64 B record (the bar's row), dax4j CLWB (emulated) /"
                + " FileChannel + force(false) on disk | 64 B |"
                + " 200 ± 3.00 ns | 100000 ± 3000 ns | 0.00200 ± 0.00007 | <= 0.0100 | 1 | met |"), report);
        assertTrue(ReportTables.environment("p", "a", "b").contains("| disk rows | `"), "run.md names the disk's file system");
        assertTrue(report.contains("| 64 B | DAX4J_CLWB | 1 | 210 ± 4.50 |"), report);
        assertTrue(report.contains("- copy LIBPMEM2: not installed"), report);
        String svg = Files.readString(dir.resolve("persist-latency.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("DAX4J_CLWB") && svg.contains(" ns<"), svg);
        // no dirty-only row, so no persist alone and no ratio chart, nor a link to one
        assertTrue(!report.contains("ratio-to-libpmem2.svg"), report);
        assertEquals(Set.of("REPORT.md", "persist-latency.svg", "persist-1.json",
                        "wal-1.json", "wal-sample-1.json", "run.md", "absent.txt"),
                Files.list(dir).map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }

    private static String wal(String impl, double score, double error) {
        return "{\"benchmark\":\"io.github.dax4j.bench.WalBenchmark.append\",\"mode\":\"avgt\",\"params\":{"
                + "\"group\":\"1\",\"impl\":\"" + impl + "\",\"recordBytes\":\"64\"},\"primaryMetric\":{\"score\":"
                + score + ",\"scoreError\":" + error + ",\"scoreUnit\":\"ns/op\"}}";
    }

    @Test
    void theRaftBenchmarksRunForDax4jAndRocksDb() throws RunnerException {
        assertRan(runOnce("RaftLogBenchmark", "storage", "DAX4J,ROCKSDB_TMPFS", "batch", "1", "entryBytes", "64"), 2);
        assertRan(runOnce("RaftCommitBenchmark", "storage", "DAX4J"), 2); // commit, inFlight16
        assertRan(runOnce("RaftRecoveryBenchmark", "storage", "DAX4J,ROCKSDB_TMPFS"), 2);
    }

    @Test
    void theRaftSectionMergesSampledRoundsAndMarksEachGoal() throws Exception {
        Path dir = Files.createTempDirectory("dax4j-raft-");
        for (int round = 1; round <= 2; round++) {
            // dax4j 1000 ns per batch of 1 (samples 990 and 1010), RocksDB on disk 200 us: 200x, a goal met;
            // batch of 16: dax4j 20 us against 300 us on disk, 15x: missed, even at the intervals' ends
            Files.writeString(dir.resolve("raft-append-" + round + ".json"), "["
                    + sampled("1", "DAX4J", 990, 1010) + "," + sampled("1", "ROCKSDB_DISK", 199_900, 200_100) + ","
                    + sampled("16", "DAX4J", 19_900, 20_100) + "," + sampled("16", "ROCKSDB_DISK", 299_900, 300_100)
                    + "]");
        }
        BenchReport.render(dir, dir, List.of());
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.contains("| appendEntries, batch of 1 x 64 B, against RocksDB on disk (20x faster) |"
                + " 0.00500 ± 0.00037 | <= 0.0500 | met |"), report);
        assertTrue(report.contains("| appendEntries, batch of 16 x 64 B, against RocksDB on disk (20x faster) |"
                + " 0.0667 ± ") && report.contains(" | <= 0.0500 | **missed** |"), report);
        // the mean of the four iterations and its 99.9% error, the percentiles of all their samples (990 twice,
        // 1010 twice)
        assertTrue(report.contains("| 64 B | 1 | DAX4J | 1.00 | 0.07 | 0.99 | 1.01 | 1000000 |  | 0.00500 ± 0.00037 |"),
                report);
        String svg = Files.readString(dir.resolve("raft-append.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("DAX4J, 64 B entries"), svg);
    }

    /** A JMH JSON SampleTime run of RaftLogBenchmark: one fork, two iterations of one sample each. */
    private static String sampled(String batch, String storage, double first, double second) {
        return "{\"benchmark\":\"io.github.dax4j.bench.RaftLogBenchmark.appendEntries\",\"mode\":\"sample\","
                + "\"params\":{\"batch\":\"" + batch + "\",\"entryBytes\":\"64\",\"storage\":\"" + storage + "\"},"
                + "\"primaryMetric\":{\"score\":" + (first + second) / 2 + ",\"scoreError\":\"NaN\","
                + "\"scoreUnit\":\"ns/op\",\"rawDataHistogram\":[[[[" + first + ",1]],[[" + second + ",1]]]]}}";
    }
}
