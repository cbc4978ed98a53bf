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
 * Runs the benchmarks and writes the report: JMH JSON, {@code REPORT.md} (a summary of the bars, then tables) and
 * SVG charts, into {@code bench/target/results}, or with {@code --publish} into the committed {@code bench/results}.
 *
 * <pre>
 * ./mvnw -q -Pbench package                                   # quick profile (1 fork, short iterations)
 * ./mvnw -q -Pbench package -Dbench.args="--profile full"     # full profile: 3 forks, the committed report's
 * ./mvnw -q -Pbench package -Dbench.args="--profile full --publish"   # ... written into bench/results
 * ./mvnw -q -Pbench package -Dbench.args="--profile full --only wal,persist"   # some groups of rows only
 * ./mvnw -q -Pbench package -Dbench.args="--threads 4"        # threads of the shared-mapping rows (default 2)
 * ./mvnw -q -Pbench package -Dbench.args="--render DIR"       # re-render the report from the JSON in DIR
 * ./mvnw -q -Pbench package -Dbench.args="--raft"             # the SOFAJRaft rows, 3 forks, about 20 minutes
 * ./mvnw -q -Pbench package -Dbench.args="--jmh PersistBenchmark -f 1"   # plain JMH, any options
 * </pre>
 *
 * <p>Rows come in groups ({@link #GROUPS}). The headline groups, the ones with a bar or a claim (persist and its
 * dirty-only row, copy, the shared-mapping rows, WAL, faults), run {@link Profile#rounds()} rounds of one fork
 * each, the implementations' order rotated each round: on a shared VM a slow minute then falls on every
 * implementation alike, where forks back to back would give it to one. Context groups (the other mechanisms, the
 * WAL's percentiles, records) run one fork, in the first round. Each group writes {@code <group>-<round>.json};
 * the report merges the rounds and shows each row's fork count.
 *
 * <p>The launcher runs on the JDK the build selected. It sets {@code PMEM2_FORCE_GRANULARITY=CACHE_LINE} for the
 * JMH forks (through the bench profile), so libpmem2 flushes CPU caches on tmpfs as dax4j's CPU rows do. An
 * implementation that cannot run here (libpmem2 not installed, no gcc for the C loop, no root for huge pages) is
 * left out of the run, and the report says why.
 */
public final class BenchReport {

    private static final String LIBPMEM2_GRANULARITY = "PMEM2_FORCE_GRANULARITY";

    /**
     * How long a run takes: rounds (forks of the headline groups), iterations and their times.
     *
     * @param threads the threads of the shared-mapping rows
     */
    record Profile(String name, int rounds, int warmups, TimeValue warmup, int measurements, TimeValue measurement,
                   int threads) {
        Profile withThreads(int n) {
            return new Profile(name, rounds, warmups, warmup, measurements, measurement, n);
        }

        String describe() {
            return name + " profile: " + rounds + (rounds == 1 ? " fork" : " forks") + " of the headline rows (1 of"
                    + " the context rows), " + warmups + " warm-up and " + measurements + " measurement iterations of "
                    + measurement + " each, " + threads + " threads on the shared-mapping rows";
        }
    }

    static final Profile QUICK = new Profile("quick", 1, 1, TimeValue.milliseconds(300), 3,
            TimeValue.milliseconds(300), 2);
    static final Profile FULL = new Profile("full", 3, 2, TimeValue.seconds(1), 4, TimeValue.seconds(1), 2);

    /** The row groups a run has, in the order it runs them; {@code --only} names some of them. */
    static final List<String> GROUPS = List.of("persist", "dirty", "shared-persist", "shared-dirty", "shared-copy",
            "copy", "wal", "fault", "persist-context", "copy-context", "wal-sample", "records", "updates");

    static final String[] PERSIST_SIZES = {"0", "64", "256", "4096", "65536", "2097152"};
    static final String[] COPY_SIZES = {"64", "256", "1024", "4096", "65536", "2097152"};
    /** The implementations the bars compare, measured with {@link Profile#rounds()} forks. */
    static final List<String> PERSIST_HEADLINE = List.of("DAX4J_CLWB", "LIBPMEM2", "C_CLWB");
    static final List<String> COPY_HEADLINE = List.of("DAX4J", "LIBPMEM2");

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
        Path target = NativeAnchors.benchTarget();
        String outOption = option(list, "--out", null);
        Path out = outOption != null ? Path.of(outOption)
                : list.contains("--publish") ? target.getParent().resolve("results") : target.resolve("results");
        String render = option(list, "--render", null);
        if (render != null) {
            render(Path.of(render), Path.of(render), List.of());
            return;
        }
        Files.createDirectories(out);
        if (list.contains("--raft")) {
            String started = now();
            raft(out);
            Files.writeString(out.resolve("raft-run.md"), "Run by `--raft` from " + started + " to " + now() + " on "
                    + firstLine(Path.of("/proc/cpuinfo"), "model name") + ", kernel "
                    + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip() + ", JDK " + Runtime.version()
                    + ".\n");
        } else {
            Profile profile = (option(list, "--profile", "quick").equals("full") ? FULL : QUICK)
                    .withThreads(Integer.parseInt(option(list, "--threads", "2")));
            String only = option(list, "--only", null);
            List<String> groups = only == null ? GROUPS : List.of(only.split(","));
            for (String g : groups) {
                if (!GROUPS.contains(g)) {
                    throw new IllegalArgumentException("--only: no group " + g + "; the groups are " + GROUPS);
                }
            }
            String started = now();
            List<String> absent = run(profile, groups, out);
            Path runMd = out.resolve("run.md");
            if (only != null && Files.exists(runMd)) {
                // a re-run of some groups: the run's description stays, with a row saying what was re-run
                Files.writeString(runMd, Files.readString(runMd).stripTrailing() + "\n| re-run | " + only + ", "
                        + profile.describe() + ", " + started + " to " + now() + " |\n\n");
            } else {
                Files.writeString(runMd, ReportTables.environment(profile.describe()
                        + (only == null ? "" : "; groups " + only), started, now()));
                Files.write(out.resolve("absent.txt"), absent);
            }
        }
        render(out, out, List.of());
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

    /**
     * Runs the {@code groups} with the implementations available here, {@code profile.rounds()} rounds of the
     * headline groups and one of the context groups; returns the absent implementations with the reason.
     */
    static List<String> run(Profile profile, List<String> groups, Path out) throws Exception {
        List<String> absent = new ArrayList<>();
        List<String> persistImpls = available(PersistTarget.Impl.values(), PersistTarget.Impl::unavailable,
                "persist", absent);
        List<String> copyImpls = available(CopyBenchmark.Impl.values(), CopyBenchmark.Impl::unavailable,
                "copy", absent);
        List<String> backings = available(FaultBenchmark.Backing.values(), FaultBenchmark.Backing::unavailable,
                "fault", absent);
        List<String> persistHeadline = PERSIST_HEADLINE.stream().filter(persistImpls::contains).toList();
        List<String> copyHeadline = COPY_HEADLINE.stream().filter(copyImpls::contains).toList();
        List<String> persistContext = persistImpls.stream().filter(i -> !PERSIST_HEADLINE.contains(i)).toList();
        List<String> copyContext = copyImpls.stream().filter(i -> !COPY_HEADLINE.contains(i)).toList();
        List<String> walImpls = Arrays.stream(WalBenchmark.Impl.values()).map(Enum::name).toList();
        List<String> walSampled = Arrays.stream(WalBenchmark.Impl.values()).filter(WalBenchmark.Impl::durable)
                .map(Enum::name).toList();
        List<String> recordImpls = persistImpls.contains("LIBPMEM2") ? List.of("DAX4J", "LIBPMEM2") : List.of("DAX4J");
        for (int round = 0; round < profile.rounds(); round++) {
            Round r = new Round(profile, groups, out, round);
            r.jmh("persist", "PersistBenchmark.dirtyAndPersist", Mode.AverageTime, Map.of("impl",
                    rotated(persistHeadline, round), "bytes", List.of(PERSIST_SIZES)));
            r.jmh("dirty", "PersistBenchmark.dirty", Mode.AverageTime, Map.of("impl", List.of("DAX4J_NONE"),
                    "bytes", List.of(PERSIST_SIZES).subList(1, PERSIST_SIZES.length)));
            r.jmh("shared-persist", "SharedPersistBenchmark.dirtyAndPersist", Mode.AverageTime, Map.of("impl",
                    rotated(persistHeadline, round), "bytes", List.of("64", "4096")));
            r.jmh("shared-dirty", "SharedPersistBenchmark.dirty", Mode.AverageTime, Map.of("impl",
                    List.of("DAX4J_NONE"), "bytes", List.of("64", "4096")));
            r.jmh("shared-copy", "SharedCopyBenchmark", Mode.AverageTime, Map.of("impl",
                    rotated(copyHeadline, round), "bytes", List.of("4096")));
            r.jmh("copy", "CopyBenchmark", Mode.AverageTime, Map.of("impl", rotated(copyHeadline, round),
                    "bytes", List.of(COPY_SIZES)));
            r.jmh("wal", "WalBenchmark", Mode.AverageTime, Map.of("impl", rotated(walImpls, round)));
            r.jmh("fault", "FaultBenchmark", null, Map.of("backing", rotated(backings, round)));
            if (round == 0) {
                r.jmh("persist-context", "PersistBenchmark.dirtyAndPersist", Mode.AverageTime, Map.of("impl",
                        persistContext, "bytes", List.of(PERSIST_SIZES)));
                r.jmh("copy-context", "CopyBenchmark", Mode.AverageTime, Map.of("impl", copyContext,
                        "bytes", List.of(COPY_SIZES)));
                r.jmh("wal-sample", "WalBenchmark", Mode.SampleTime, Map.of("impl", walSampled));
                r.jmh("records", "RecordsBenchmark.appendRecord", Mode.AverageTime, Map.of("impl", recordImpls));
                r.jmh("updates", "RecordsBenchmark.randomUpdate", Mode.AverageTime, Map.of("recordBytes",
                        List.of("64"), "impl", recordImpls));
            }
        }
        return absent;
    }

    /** One round of a run: one fork of each group it runs, into {@code <group>-<round>.json}. */
    private record Round(Profile profile, List<String> groups, Path out, int round) {
        void jmh(String group, String include, Mode mode, Map<String, List<String>> params) throws Exception {
            if (groups.contains(group)) {
                BenchReport.jmh(profile, mode, out, group + "-" + (round + 1), include, params);
            }
        }
    }

    /**
     * Runs the SOFAJRaft rows of issue 16 as the headline rows run: {@value #RAFT_ROUNDS} rounds of one fork
     * each, the storages' order rotated, 3 warm-up and 3 measurement iterations (of 1 s for appends, 2 s for
     * commits; one init each for recovery).
     */
    static void raft(Path out) throws Exception {
        Profile appends = new Profile("raft", 1, 3, TimeValue.seconds(1), 3, TimeValue.seconds(1), 1);
        Profile commits = new Profile("raft", 1, 3, TimeValue.seconds(2), 3, TimeValue.seconds(2), 1);
        List<String> storages = List.of("DAX4J", "ROCKSDB_TMPFS", "ROCKSDB_DISK");
        for (int round = 0; round < RAFT_ROUNDS; round++) {
            jmh(appends, null, out, "raft-append-" + (round + 1), "RaftLogBenchmark", Map.of("storage",
                    rotated(storages, round)));
            jmh(commits, null, out, "raft-commit-" + (round + 1), "RaftCommitBenchmark", Map.of("storage",
                    rotated(storages, round)));
            jmh(null, null, out, "raft-recovery-" + (round + 1), "RaftRecoveryBenchmark", Map.of("storage",
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

    /** Rounds of the {@code --raft} run. */
    static final int RAFT_ROUNDS = 3;

    /** {@return the rounds of {@code name} in {@code in} ({@code name-1.json}, ...), merged; empty when none} */
    static List<JmhJson.Result> rounds(Path in, String name) throws IOException {
        List<String> texts = new ArrayList<>();
        for (int round = 1; Files.exists(in.resolve(name + "-" + round + ".json")); round++) {
            texts.add(Files.readString(in.resolve(name + "-" + round + ".json")));
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

    /**
     * Runs one fork of {@code include} with {@code params} into {@code out/name.json}: the profile's iterations
     * (or the benchmark's own where it is null: single shots), in {@code mode} (or the benchmark's own modes).
     */
    private static void jmh(Profile profile, Mode mode, Path out, String name, String include,
                            Map<String, List<String>> params) throws Exception {
        if (params.values().stream().anyMatch(List::isEmpty)) {
            return;
        }
        Path cloop = NativeAnchors.cloopLibrary();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("io\\.github\\.dax4j\\.bench\\." + include.replace(".", "\\.") + "($|\\.)")
                .forks(1)
                .jvmArgsAppend(forkOptions(include, cloop))
                .shouldFailOnError(false)
                .result(out.resolve(name + ".json").toString())
                .resultFormat(ResultFormatType.JSON);
        if (profile != null && !include.startsWith("Fault")) {
            options.warmupIterations(profile.warmups()).warmupTime(profile.warmup())
                    .measurementIterations(profile.measurements()).measurementTime(profile.measurement());
        } else if (profile == QUICK) {
            options.warmupIterations(1).measurementIterations(3);
        }
        if (mode != null) {
            options.mode(mode);
        }
        if (profile != null && include.startsWith("Shared")) {
            options.threads(profile.threads());
        }
        params.forEach((param, values) -> options.param(param, values.toArray(String[]::new)));
        new Runner(options.build()).run();
    }

    /**
     * Writes REPORT.md and the charts into {@code out} from what a run left in {@code in}: the rounds of each group
     * ({@code <group>-<round>.json}), {@code run.md} (the run's machine and window) and {@code absent.txt} (the
     * implementations it could not run), and for the SOFAJRaft section {@code raft-*.json} and {@code raft-run.md}.
     */
    static void render(Path in, Path out, List<String> absentToo) throws IOException {
        Map<String, List<JmhJson.Result>> r = new LinkedHashMap<>();
        for (String group : GROUPS) {
            r.put(group, rounds(in, group));
        }
        for (String name : List.of("raft-append", "raft-commit", "raft-recovery")) {
            r.put(name, rounds(in, name));
        }
        List<JmhJson.Result> persist = concat(r.get("persist"), r.get("persist-context"));
        List<JmhJson.Result> copy = concat(r.get("copy"), r.get("copy-context"));
        List<JmhJson.Result> wal = concat(r.get("wal"), r.get("wal-sample"));
        List<String> absent = new ArrayList<>(absentToo);
        if (Files.exists(in.resolve("absent.txt"))) {
            absent.addAll(Files.readAllLines(in.resolve("absent.txt")).stream().filter(l -> !l.isBlank()).toList());
        }
        StringBuilder md = new StringBuilder("# dax4j benchmark report\n\n");
        md.append(Files.exists(in.resolve("run.md")) ? Files.readString(in.resolve("run.md"))
                : "(no run.md here: the run's machine and window are unknown)\n\n");
        md.append(ReportTables.conventions());
        md.append(ReportTables.summary(r.get("persist"), r.get("dirty"), r.get("copy"), r.get("shared-persist"),
                r.get("shared-dirty"), r.get("shared-copy"), r.get("wal")));
        Optional<String> ratios = ReportTables.ratioChart(r.get("persist"), r.get("dirty"), r.get("copy"),
                r.get("shared-persist"), r.get("shared-dirty"), r.get("shared-copy"));
        if (ratios.isPresent()) {
            md.append("![dax4j / libpmem2](ratio-to-libpmem2.svg)\n\n");
        }
        md.append(ReportTables.persist(persist, r.get("dirty")));
        md.append(ReportTables.copy(copy));
        md.append(ReportTables.shared(r.get("shared-persist"), r.get("shared-dirty"), r.get("shared-copy")));
        md.append(ReportTables.wal(wal));
        md.append(ReportTables.faults(r.get("fault")));
        md.append(ReportTables.records(r.get("records"), r.get("updates")));
        String raft = ReportTables.raft(r.get("raft-append"), r.get("raft-commit"), r.get("raft-recovery"));
        if (!raft.isEmpty() && Files.exists(in.resolve("raft-run.md"))) {
            raft = raft.replaceFirst("\n\n", "\n\n" + java.util.regex.Matcher.quoteReplacement(
                    Files.readString(in.resolve("raft-run.md")).strip()) + "\n\n");
        }
        md.append(raft);
        if (!absent.isEmpty()) {
            md.append("## Rows not measured here\n\n");
            absent.forEach(a -> md.append("- ").append(a).append('\n'));
            md.append('\n');
        }
        Files.writeString(out.resolve("REPORT.md"), md.toString());
        if (!persist.isEmpty()) {
            Files.writeString(out.resolve("persist-latency.svg"), ReportTables.persistChart(persist));
        }
        if (ratios.isPresent()) {
            Files.writeString(out.resolve("ratio-to-libpmem2.svg"), ratios.get());
        } else {
            Files.deleteIfExists(out.resolve("ratio-to-libpmem2.svg"));
        }
        if (!copy.isEmpty()) {
            Files.writeString(out.resolve("copy-bandwidth.svg"), ReportTables.copyChart(copy));
        }
        if (!r.get("raft-append").isEmpty()) {
            Files.writeString(out.resolve("raft-append.svg"), ReportTables.raftChart(r.get("raft-append")));
        }
    }

    private static List<JmhJson.Result> concat(List<JmhJson.Result> a, List<JmhJson.Result> b) {
        List<JmhJson.Result> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
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
