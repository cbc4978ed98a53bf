package io.github.dax4j.bench;

import io.github.dax4j.bench.natives.NativeAnchors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs the benchmarks and writes the report: JMH JSON, {@code REPORT.md} (tables with ratios to libpmem2) and SVG
 * charts, into {@code bench/results}.
 *
 * <pre>
 * ./mvnw -q -Pbench package                                  # quick profile, about 4.5 minutes on 2 cores
 * ./mvnw -q -Pbench package -Dbench.args="--profile full"    # full profile
 * ./mvnw -q -Pbench package -Dbench.args="--render results"  # re-render the report from the JSON there
 *                                                            #   (--label TEXT: what the report says of the run)
 * ./mvnw -q -Pbench package -Dbench.args="--headline"     # the headline bars, 3 forks, about 16 minutes
 * ./mvnw -q -Pbench package -Dbench.args="--raft"         # the SOFAJRaft rows, 3 forks, about 20 minutes
 * ./mvnw -q -Pbench package -Dbench.args="--jmh PersistBenchmark -f 1"   # plain JMH, any options
 * </pre>
 *
 * <p>The headline run measures what dax4j's performance claims rest on, beside libpmem2 and the C loop: dirty +
 * persist at 0 B to 2 MiB, two threads persisting into one mapping, and persistent copy from 256 B to 2 MiB. Each
 * row gets {@value #HEADLINE_FORKS} forks of 3 warm-up and 5 measurement iterations of 1 s, run as as many rounds
 * of one fork with the implementations' order rotated. It writes {@code headline-*-N.json}, which the report's
 * first section merges and shows with its bars.
 *
 * <p>The launcher runs on the JDK the build selected. It sets {@code PMEM2_FORCE_GRANULARITY=CACHE_LINE} for the
 * JMH forks (through the bench profile), so libpmem2 flushes CPU caches on tmpfs as dax4j's CPU rows do. An
 * implementation that cannot run here (libpmem2 not installed, no gcc for the C loop, no root for huge pages) is
 * left out of the run, and the report says why.
 */
public final class BenchReport {

    private static final String LIBPMEM2_GRANULARITY = "PMEM2_FORCE_GRANULARITY";

    /** How long a run takes: iterations and their times. */
    record Profile(String name, int warmups, TimeValue warmup, int measurements, TimeValue measurement,
                   String[] persistSizes, String[] copySizes) {
    }

    static final Profile QUICK = new Profile("quick", 1, TimeValue.milliseconds(300), 3,
            TimeValue.milliseconds(300), new String[] {"0", "64", "256", "4096", "65536", "2097152"},
            new String[] {"64", "256", "4096", "65536", "2097152"});
    static final Profile FULL = new Profile("full", 3, TimeValue.seconds(1), 5, TimeValue.seconds(1),
            new String[] {"0", "64", "256", "4096", "65536", "2097152"},
            new String[] {"64", "128", "256", "512", "1024", "4096", "65536", "2097152"});

    private BenchReport() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getenv(LIBPMEM2_GRANULARITY) == null) {
            System.exit(relaunchWithCacheLineLibpmem2(args));
        }
        List<String> list = new ArrayList<>(Arrays.asList(args));
        if (!list.isEmpty() && list.getFirst().equals("--jmh")) {
            org.openjdk.jmh.Main.main(list.subList(1, list.size()).toArray(String[]::new));
            return;
        }
        String outOption = option(list, "--out", null);
        Path out = outOption != null ? Path.of(outOption) : NativeAnchors.benchTarget().getParent().resolve("results");
        String render = option(list, "--render", null);
        if (render != null) {
            render(Path.of(render), Path.of(render), List.of(), option(list, "--label", "(re-rendered)"));
            return;
        }
        if (list.contains("--raft")) {
            Files.createDirectories(out);
            raft(out);
            render(out, out, List.of(), option(list, "--label", "(SOFAJRaft re-run; other rows from the last run)"));
            System.out.println("report: " + out.toAbsolutePath().resolve("REPORT.md"));
            return;
        }
        if (list.contains("--headline")) {
            Files.createDirectories(out);
            headline(out);
            render(out, out, List.of(), option(list, "--label", "(headline re-run; other rows from the last run)"));
            System.out.println("report: " + out.toAbsolutePath().resolve("REPORT.md"));
            return;
        }
        Profile profile = option(list, "--profile", "quick").equals("full") ? FULL : QUICK;
        Files.createDirectories(out);
        List<String> absent = run(profile, out);
        render(out, out, absent, profile.name());
        System.out.println("report: " + out.toAbsolutePath().resolve("REPORT.md"));
    }

    /**
     * Runs this launcher again, same JVM and arguments, with {@code PMEM2_FORCE_GRANULARITY=CACHE_LINE}: the JMH
     * forks inherit the environment, and without it libpmem2 would persist with msync on tmpfs instead of flushing
     * CPU caches like dax4j's rows. (The bench profile sets it already; {@code java -jar} does not.)
     */
    private static int relaunchWithCacheLineLibpmem2(String[] args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchReport.class.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(LIBPMEM2_GRANULARITY, "CACHE_LINE");
        return builder.start().waitFor();
    }

    private static String option(List<String> args, String name, String otherwise) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : otherwise;
    }

    /** Runs every benchmark with the implementations available here; returns the absent ones with the reason. */
    static List<String> run(Profile profile, Path out) throws Exception {
        List<String> absent = new ArrayList<>();
        List<String> persistImpls = available(PersistTarget.Impl.values(), PersistTarget.Impl::unavailable,
                "persist", absent);
        List<String> copyImpls = available(CopyBenchmark.Impl.values(), CopyBenchmark.Impl::unavailable,
                "copy", absent);
        List<String> backings = available(FaultBenchmark.Backing.values(), FaultBenchmark.Backing::unavailable,
                "fault", absent);

        jmh(profile, out, "persist", "PersistBenchmark", Map.of("impl", persistImpls, "bytes",
                List.of(profile.persistSizes())));
        jmh(profile, out, "copy", "CopyBenchmark", Map.of("impl", copyImpls, "bytes",
                List.of(profile.copySizes())));
        jmh(profile, out, "fault", "FaultBenchmark", Map.of("backing", backings));
        List<String> recordImpls = persistImpls.contains("LIBPMEM2") ? List.of("DAX4J", "LIBPMEM2") : List.of("DAX4J");
        jmh(profile, out, "records", "RecordsBenchmark.appendRecord", Map.of("impl", recordImpls));
        jmh(profile, out, "updates", "RecordsBenchmark.randomUpdate", Map.of("recordBytes", List.of("64"),
                "impl", recordImpls));
        jmh(profile, out, "wal", "WalBenchmark", Map.of());
        return absent;
    }

    /**
     * Rounds of the headline run, one fork of every row each, the implementations in a rotated order each round: on
     * this shared VM a slow minute then falls on every implementation alike, where forks run back to back would
     * give it to one.
     */
    static final int HEADLINE_FORKS = 3;

    /** Runs the headline rows: the bars of the guard issue, dax4j beside libpmem2 and the C loop. */
    static void headline(Path out) throws Exception {
        Profile headline = new Profile("headline", 3, TimeValue.seconds(1), 5, TimeValue.seconds(1),
                new String[0], new String[0]);
        List<String> persistImpls = List.of("DAX4J_CLWB", "LIBPMEM2", "C_CLWB");
        List<String> copyImpls = List.of("DAX4J", "LIBPMEM2");
        for (int round = 0; round < HEADLINE_FORKS; round++) {
            jmh(headline, 1, out, "headline-persist-" + (round + 1), "PersistBenchmark", Map.of("impl",
                    rotated(persistImpls, round), "bytes", List.of("0", "64", "256", "4096", "65536", "2097152")));
            jmh(headline, 1, out, "headline-shared-" + (round + 1), "SharedPersistBenchmark", Map.of("impl",
                    rotated(persistImpls, round), "bytes", List.of("64", "4096")));
            jmh(headline, 1, out, "headline-copy-" + (round + 1), "CopyBenchmark", Map.of("impl",
                    rotated(copyImpls, round), "bytes", List.of("256", "4096", "65536", "2097152")));
        }
    }

    /**
     * Runs the SOFAJRaft rows of issue 16 as the headline rows run: {@value #HEADLINE_FORKS} rounds of one fork
     * each, the storages' order rotated, 3 warm-up and 3 measurement iterations (of 1 s for appends, 2 s for
     * commits; one init each for recovery).
     */
    static void raft(Path out) throws Exception {
        Profile appends = new Profile("raft", 3, TimeValue.seconds(1), 3, TimeValue.seconds(1), new String[0],
                new String[0]);
        Profile commits = new Profile("raft", 3, TimeValue.seconds(2), 3, TimeValue.seconds(2), new String[0],
                new String[0]);
        List<String> storages = List.of("DAX4J", "ROCKSDB_TMPFS", "ROCKSDB_DISK");
        for (int round = 0; round < HEADLINE_FORKS; round++) {
            jmh(appends, 1, out, "raft-append-" + (round + 1), "RaftLogBenchmark", Map.of("storage",
                    rotated(storages, round)));
            jmh(commits, 1, out, "raft-commit-" + (round + 1), "RaftCommitBenchmark", Map.of("storage",
                    rotated(storages, round)));
            jmh(null, 1, out, "raft-recovery-" + (round + 1), "RaftRecoveryBenchmark", Map.of("storage",
                    rotated(List.of("DAX4J", "ROCKSDB_TMPFS"), round)));
        }
    }

    /**
     * The JMH forks' JVM options: native access, the C loop's library, and for SOFAJRaft's rows what JRaft needs
     * (its hessian reflects into java.lang; protobuf, netty and disruptor use sun.misc.Unsafe, of which JDK 24 and
     * later warn unless allowed).
     */
    private static String[] forkOptions(String include, Path cloop) {
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                "-D" + NativeAnchors.CLOOP_PROPERTY + "=" + cloop.toAbsolutePath()));
        if (include.startsWith("Raft")) {
            options.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED"));
            if (Runtime.version().feature() >= 24) {
                options.add("--sun-misc-unsafe-memory-access=allow");
            }
        }
        return options.toArray(String[]::new);
    }

    private static List<String> rotated(List<String> list, int by) {
        List<String> rotated = new ArrayList<>(list);
        java.util.Collections.rotate(rotated, -by);
        return rotated;
    }

    /** {@return the headline rounds of {@code name} in {@code in}, merged; empty when there are none} */
    private static List<JmhJson.Result> headlineRounds(Path in, String name) throws IOException {
        List<String> texts = new ArrayList<>();
        for (int round = 1; round <= HEADLINE_FORKS; round++) {
            Path json = in.resolve(name + "-" + round + ".json");
            if (Files.exists(json)) {
                texts.add(Files.readString(json));
            }
        }
        return texts.isEmpty() ? List.of() : JmhJson.merged(texts);
    }

    private static <T extends Enum<T>> List<String> available(T[] values, Function<T, Optional<String>> why,
                                                             String group, List<String> absent) {
        List<String> names = new ArrayList<>();
        for (T value : values) {
            Optional<String> reason = why.apply(value);
            if (reason.isPresent()) {
                absent.add(group + " " + value.name() + ": " + reason.get());
            } else {
                names.add(value.name());
            }
        }
        return names;
    }

    private static void jmh(Profile profile, Path out, String name, String include, Map<String, List<String>> params)
            throws Exception {
        jmh(profile, 1, out, name, include, params);
    }

    private static void jmh(Profile profile, int forks, Path out, String name, String include,
                            Map<String, List<String>> params) throws Exception {
        if (params.values().stream().anyMatch(List::isEmpty)) {
            return;
        }
        Path cloop = NativeAnchors.cloopLibrary();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("io\\.github\\.dax4j\\.bench\\." + include.replace(".", "\\.") + "($|\\.)")
                .forks(forks)
                .jvmArgsAppend(forkOptions(include, cloop))
                .shouldFailOnError(false)
                .result(out.resolve(name + ".json").toString())
                .resultFormat(ResultFormatType.JSON);
        if (profile == null) {
            // the benchmark's own iterations (single shots)
        } else if (!include.startsWith("Fault")) {
            options.warmupIterations(profile.warmups()).warmupTime(profile.warmup())
                    .measurementIterations(profile.measurements()).measurementTime(profile.measurement());
        } else if (profile == QUICK) {
            options.warmupIterations(1).measurementIterations(3);
        }
        if (profile == QUICK && include.equals("WalBenchmark")) {
            options.mode(Mode.AverageTime); // the ratios; the sampled p50 / p99 double the time: full profile only
        }
        params.forEach((param, values) -> options.param(param, values.toArray(String[]::new)));
        new Runner(options.build()).run();
    }

    /** Writes REPORT.md and the charts in {@code out} from the JSON files in {@code in}. */
    static void render(Path in, Path out, List<String> absent, String profile) throws IOException {
        Map<String, List<JmhJson.Result>> results = new LinkedHashMap<>();
        for (String name : List.of("persist", "copy", "fault", "records", "updates", "wal")) {
            Path json = in.resolve(name + ".json");
            results.put(name, Files.exists(json) ? JmhJson.results(Files.readString(json)) : List.of());
        }
        for (String name : List.of("headline-persist", "headline-shared", "headline-copy", "raft-append",
                "raft-commit", "raft-recovery")) {
            results.put(name, headlineRounds(in, name));
        }
        StringBuilder md = new StringBuilder();
        md.append("# dax4j benchmark report\n\n");
        md.append(ReportTables.environment(profile));
        md.append(ReportTables.headline(results.get("headline-persist"), results.get("headline-shared"),
                results.get("headline-copy")));
        md.append(ReportTables.persist(results.get("persist")));
        md.append(ReportTables.copy(results.get("copy")));
        md.append(ReportTables.faults(results.get("fault")));
        md.append(ReportTables.records(results.get("records"), results.get("updates")));
        md.append(ReportTables.wal(results.get("wal")));
        md.append(ReportTables.raft(results.get("raft-append"), results.get("raft-commit"),
                results.get("raft-recovery")));
        if (!absent.isEmpty()) {
            md.append("## Rows not measured here\n\n");
            absent.forEach(a -> md.append("- ").append(a).append('\n'));
            md.append('\n');
        }
        Files.writeString(out.resolve("REPORT.md"), md.toString());
        Files.writeString(out.resolve("persist-latency.svg"), ReportTables.persistChart(results.get("persist")));
        Files.writeString(out.resolve("copy-bandwidth.svg"), ReportTables.copyChart(results.get("copy")));
        if (!results.get("raft-append").isEmpty()) {
            Files.writeString(out.resolve("raft-append.svg"), ReportTables.raftChart(results.get("raft-append")));
        }
        if (!results.get("headline-persist").isEmpty()) {
            Files.writeString(out.resolve("headline-ratios.svg"), ReportTables.headlineChart(
                    results.get("headline-persist"), results.get("headline-shared"), results.get("headline-copy")));
        }
    }

    static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    static String firstLine(Path file, String prefix) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
