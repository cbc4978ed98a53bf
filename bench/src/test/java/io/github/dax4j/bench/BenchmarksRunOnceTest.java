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
        assertRan(runOnce("PersistBenchmark", "impl", impls, "bytes", "64"), impls.split(",").length);
    }

    @Test
    void twoThreadsShareOneMappingForEveryImplementationHere() throws RunnerException {
        String impls = Arrays.stream(new String[] {"DAX4J_CLWB", "LIBPMEM2", "C_CLWB"})
                .filter(i -> PersistTarget.Impl.valueOf(i).unavailable().isEmpty()).collect(Collectors.joining(","));
        org.junit.jupiter.api.Assumptions.assumeFalse(impls.isEmpty(), "no CPU flush here");
        assertRan(runOnce("SharedPersistBenchmark", "impl", impls, "bytes", "64"), impls.split(",").length);
    }

    @Test
    void theHeadlineMergesItsRoundsAndMarksEachBar() throws Exception {
        Path dir = Files.createTempDirectory("dax4j-headline-");
        // two rounds of one fork each; 64 B meets 1.02, 256 B misses it inside the noise, 4 KiB misses it outright
        for (int round = 1; round <= 2; round++) {
            double shift = round == 1 ? -1 : 1;
            Files.writeString(dir.resolve("headline-persist-" + round + ".json"), "["
                    + run("PersistBenchmark.dirtyAndPersist", "0", "DAX4J_CLWB", 13 + shift, 13 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "0", "LIBPMEM2", 17 + shift, 17 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "64", "DAX4J_CLWB", 200 + shift, 202 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "64", "LIBPMEM2", 200 + shift, 200 + shift) + ","
                    + run("PersistBenchmark.dirtyAndPersist", "256", "DAX4J_CLWB", 230 + 20 * shift, 250 + 20 * shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "256", "LIBPMEM2", 230 + shift, 230 + shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "4096", "DAX4J_CLWB", 900 + shift, 900 + shift)
                    + "," + run("PersistBenchmark.dirtyAndPersist", "4096", "LIBPMEM2", 800 + shift, 800 + shift)
                    + "]");
        }
        BenchReport.render(dir, dir, List.of(), "test");
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.contains("| dirty + persist | 0 B | 13.0 ± "), report);
        assertTrue(report.contains("| -4.0 ns | <= +1 ns | met |"), report);
        assertTrue(report.contains("| dirty + persist | 64 B | 201 ± ") && report.contains("| 1.005 | <= 1.02 | met |"),
                report);
        assertTrue(report.contains("| 1.043 | <= 1.02 | within noise |"), report);
        assertTrue(report.contains("| 1.125 | <= 1.02 | **missed** |"), report);
        String svg = Files.readString(dir.resolve("headline-ratios.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("persist 4 KiB") && svg.contains("<circle"), svg);
    }

    /** A JMH JSON run of two measurement iterations, one fork. */
    private static String run(String benchmark, String bytes, String impl, double first, double second) {
        return "{\"benchmark\":\"io.github.dax4j.bench." + benchmark + "\",\"mode\":\"avgt\",\"params\":{\"bytes\":\""
                + bytes + "\",\"impl\":\"" + impl + "\"},\"primaryMetric\":{\"score\":" + (first + second) / 2
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
        assertRan(runOnce("WalBenchmark", "recordBytes", "64", "group", "1"), 2 * WalBenchmark.Impl.values().length); // mean and samples
    }

    @Test
    void theReportRendersFromJmhJson() throws Exception {
        Path dir = Files.createTempDirectory("dax4j-report-");
        Files.writeString(dir.resolve("persist.json"), """
                [{"benchmark":"io.github.dax4j.bench.PersistBenchmark.dirtyAndPersist","mode":"avgt",
                  "params":{"bytes":"64","impl":"LIBPMEM2"},
                  "primaryMetric":{"score":200.0,"scoreError":"NaN","scoreUnit":"ns/op"}},
                 {"benchmark":"io.github.dax4j.bench.PersistBenchmark.dirtyAndPersist","mode":"avgt",
                  "params":{"bytes":"64","impl":"DAX4J_CLWB"},
                  "primaryMetric":{"score":210.0,"scoreError":4.5,"scoreUnit":"ns/op"}}]
                """);
        Files.writeString(dir.resolve("wal.json"), """
                [{"benchmark":"io.github.dax4j.bench.WalBenchmark.append","mode":"avgt",
                  "params":{"group":"1","impl":"DAX4J_CPU","recordBytes":"64"},
                  "primaryMetric":{"score":200.0,"scoreError":3.0,"scoreUnit":"ns/op"}},
                 {"benchmark":"io.github.dax4j.bench.WalBenchmark.append","mode":"avgt",
                  "params":{"group":"1","impl":"FILECHANNEL_TMPFS","recordBytes":"64"},
                  "primaryMetric":{"score":1000.0,"scoreError":30.0,"scoreUnit":"ns/op"}},
                 {"benchmark":"io.github.dax4j.bench.WalBenchmark.append","mode":"sample",
                  "params":{"group":"1","impl":"DAX4J_CPU","recordBytes":"64"},
                  "primaryMetric":{"score":240.0,"scoreError":3.0,"scoreUnit":"ns/op",
                                   "scorePercentiles":{"50.0":230.0,"99.0":291.0,"100.0":9000.0}}}]
                """);
        BenchReport.render(dir, dir, List.of("copy LIBPMEM2: not installed"), "test");
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.contains("| 64 B | 1 | DAX4J_CPU | 200 | 3.00 | 230 | 291 | 5000000 | 5.0x |  |"), report);
        assertTrue(report.contains("| 64 B | DAX4J_CLWB | 210 | 4.50 | 1.05 |"), report);
        assertTrue(report.contains("- copy LIBPMEM2: not installed"), report);
        String svg = Files.readString(dir.resolve("persist-latency.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("DAX4J_CLWB") && svg.contains("<polyline"), svg);
        assertEquals(Set.of("REPORT.md", "persist-latency.svg", "copy-bandwidth.svg", "persist.json", "wal.json"),
                Files.list(dir).map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
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
        BenchReport.render(dir, dir, List.of(), "test");
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.contains("| appendEntries, batch of 1 x 64 B: RocksDB disk / dax4j | 200.0x | >= 20x | met |"),
                report);
        assertTrue(report.contains("| appendEntries, batch of 16 x 64 B: RocksDB disk / dax4j | 15.0x | >= 20x |"
                + " missed |"), report);
        // the mean of the four iterations and its 99.9% error, the percentiles of all their samples (990 twice,
        // 1010 twice)
        assertTrue(report.contains("| 64 B | 1 | DAX4J | 1.00 | 0.07 | 0.99 | 1.01 | 1000000 |  | 200.0x |"), report);
        String svg = Files.readString(dir.resolve("raft-append.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("DAX4J 64 B"), svg);
    }

    /** A JMH JSON SampleTime run of RaftLogBenchmark: one fork, two iterations of one sample each. */
    private static String sampled(String batch, String storage, double first, double second) {
        return "{\"benchmark\":\"io.github.dax4j.bench.RaftLogBenchmark.appendEntries\",\"mode\":\"sample\","
                + "\"params\":{\"batch\":\"" + batch + "\",\"entryBytes\":\"64\",\"storage\":\"" + storage + "\"},"
                + "\"primaryMetric\":{\"score\":" + (first + second) / 2 + ",\"scoreError\":\"NaN\","
                + "\"scoreUnit\":\"ns/op\",\"rawDataHistogram\":[[[[" + first + ",1]],[[" + second + ",1]]]]}}";
    }
}
