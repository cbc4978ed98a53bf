package io.github.dax4j.cli;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.FileSource;
import io.github.dax4j.MapOptions;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.SimulatedSource;
import io.github.dax4j.device.DaxDevice;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.NvdimmRegion;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.RegionInfo;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dax4j}: list device-DAX instances as {@code daxctl list} does, inspect and create sources, check
 * directories, logs and tables, measure.
 *
 * <pre>
 * bin/dax4j list                      # JSON, the keys and types of daxctl list; -u human sizes, -i disabled too
 * bin/dax4j info /dev/dax0.0 --json
 * bin/dax4j help create
 * </pre>
 * Exit codes: 0 done; 1 a failure (one line on stderr; {@code --verbose} adds the stack trace) or, for
 * {@code check}, a damaged format; 2 a usage error.
 */
@Command(name = "dax4j", mixinStandardHelpOptions = true, version = "dax4j 0.1.0",
        description = "Persistent memory from the JVM: device-DAX discovery, sources, directories, measurements.",
        subcommands = {CommandLine.HelpCommand.class, Dax4jCommand.ListCommand.class, Dax4jCommand.InfoCommand.class,
                Dax4jCommand.CreateCommand.class, Dax4jCommand.CheckCommand.class, Dax4jCommand.BenchCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class Dax4jCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Dax4jCommand() {
    }

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "on a failure, print the stack trace too")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: list, info, create, check,"
                + " bench (dax4j help COMMAND says more)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** {@return the exit code of running {@code args}} failures print their message to stderr */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** {@link #execute(String...)} writing to {@code out} and {@code err}. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine line = new CommandLine(new Dax4jCommand()).setOut(out).setErr(err);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // dax4j's refusals and the file system's failures say what and where: one line, no stack trace
            boolean expected = e instanceof java.io.IOException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException || e instanceof UnsupportedOperationException;
            cmd.getErr().println("dax4j: " + (expected ? e.getMessage() : "internal error: " + e
                    + (verbose(parsed) ? "" : " (--verbose shows where)")));
            if (verbose(parsed)) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return line.execute(args);
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** {@code list}: the device-DAX instances of this machine, as {@code daxctl list} prints them. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = {
            "List device-DAX instances as JSON, with daxctl list's keys and types (chardev, size, target_node, align,"
                    + " mode) first, then dax4j's (path, numa_node, nvdimm, persistence_domain).",
            "An empty list is []: daxctl prints nothing at all, which a JSON reader cannot parse."})
    static final class ListCommand implements Callable<Integer> {
        @Option(names = {"-i", "--idle"}, description = "include disabled instances (no driver bound)")
        boolean idle;
        @Option(names = {"-u", "--human"}, description = "sizes as \"992.00 MiB (1040.19 MB)\", as daxctl -u")
        boolean human;
        @Option(names = {"-d", "--dev"}, paramLabel = "NAME", description = "only this instance, e.g. dax0.0")
        String dev;
        @Option(names = {"-r", "--region"}, paramLabel = "REGION", description = "only instances of this NVDIMM "
                + "region: region0 or 0")
        String region;
        @Option(names = "--sysfs-root", hidden = true, defaultValue = "/")
        Path root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<String> objects = new ArrayList<>();
            for (DaxDevice d : DaxDevices.at(root).list()) {
                String regionName = d.region().map(NvdimmRegion::name).orElse(null);
                if (!idle && d.driver().isEmpty() || dev != null && !dev.equals(d.name())
                        || region != null && !(region.equals(regionName) || ("region" + region).equals(regionName))) {
                    continue;
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("chardev", d.name());
                o.put("size", human ? new Human(d.size()) : d.size());
                d.targetNode().ifPresent(n -> o.put("target_node", n));
                o.put("align", d.align());
                o.put("mode", d.mode());
                if (d.driver().isEmpty()) {
                    o.put("state", "disabled");
                }
                o.put("path", d.devicePath().toString());
                d.numaNode().ifPresent(n -> o.put("numa_node", n));
                o.put("nvdimm", d.isNvdimm());
                d.region().ifPresent(r -> o.put("persistence_domain", r.persistenceDomain()));
                objects.add(json(o, "    "));
            }
            spec.commandLine().getOut().println(objects.isEmpty() ? "[]" : "[\n  " + String.join(",\n  ", objects)
                    + "\n]");
            return 0;
        }
    }

    /** A size as {@code daxctl -u} prints it: binary units, and decimal in brackets. */
    record Human(long bytes) {
        @Override
        public String toString() {
            String[] binary = {"KiB", "MiB", "GiB", "TiB"};
            String[] decimal = {"KB", "MB", "GB", "TB"};
            int b = 0;
            int d = 0;
            while (b < 3 && bytes >= 1L << (10 * (b + 2))) {
                b++;
            }
            while (d < 3 && bytes >= Math.pow(1000, d + 2)) {
                d++;
            }
            return String.format(Locale.ROOT, "%.2f %s (%.2f %s)", bytes / Math.pow(1024, b + 1), binary[b],
                    bytes / Math.pow(1000, d + 1), decimal[d]);
        }
    }

    /** {@return {@code o} as one JSON object, a member per line after {@code indent}} */
    static String json(Map<String, ?> o, String indent) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, ?> e : o.entrySet()) {
            Object v = e.getValue();
            s.append(s.length() > 1 ? "," : "").append('\n').append(indent).append('"').append(e.getKey())
                    .append("\":").append(v instanceof Number || v instanceof Boolean ? v.toString()
                            : '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        }
        return s.append('\n').append(indent, 0, Math.max(0, indent.length() - 2)).append('}').toString();
    }

    /** {@code info PATH}: what dax4j makes of a source. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Describe a device or file as dax4j "
            + "maps it: kind, size, alignment, fault size, MAP_SYNC, durability mechanism, directory.")
    static final class InfoCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PATH")
        Path path;
        @Option(names = "--json", description = "one JSON object instead of lines")
        boolean json;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> info = new LinkedHashMap<>();
            // read-only: inspecting needs no write permission and cannot disturb the source
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().readOnly().emulateMapSync())) {
                info.put("source", pmem.source().describe());
                info.put("kind", switch (pmem.source()) {
                    case DeviceDaxSource d -> "device-DAX " + d.device().name() + (d.device().isNvdimm()
                            ? ", NVDIMM region " + d.device().region().get().name() : ", not NVDIMM-backed");
                    case FileSource f -> "file on " + f.fileSystem().displayName();
                    case SimulatedSource s -> "simulated";
                });
                info.put("size", pmem.byteSize());
                info.put("alignment", pmem.alignment().bytes());
                info.put("fault_size", pmem.faultSize());
                info.put("map_sync", pmem.isSynchronous() ? "yes" : "no (" + refusal(pmem) + ")");
                info.put("durability", pmem.persistMechanism() + " (" + pmem.granularity() + "): "
                        + pmem.persistMechanismReason());
                info.put("cpu_flush", PersistMechanism.cpuCacheFlush().map(m -> m.name().toLowerCase(Locale.ROOT))
                        .orElse("none"));
                info.put("persistence", pmem.source() instanceof DeviceDaxSource d ? d.device().region()
                        .map(NvdimmRegion::persistenceDomain).orElse("none (not NVDIMM-backed)")
                        : !pmem.isSynchronous() ? "the page cache: msync writes it back to the file"
                        : DaxDevices.system().cachesArePersistent() ? "cpu_cache (every NVDIMM region)"
                        : "memory_controller at best: CPU caches must be flushed");
                info.put("directory", directory(pmem));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(json(info, "  "));
            } else {
                Object faults = info.remove("fault_size"); // a line of its own in JSON, with the alignment in text
                info.forEach((k, v) -> out.printf(Locale.ROOT, "%-13s %s%n", k.equals("map_sync") ? "MAP_SYNC"
                        : k.replace('_', ' '), k.equals("alignment") ? Alignment.ofBytes((Long) v) + ", faults at "
                        + faults + " bytes" : v));
            }
            return 0;
        }

        private static String directory(DaxMapping pmem) {
            if (pmem.getLongAtomic(0) == 0) {
                return "none (the first bytes are zero)";
            }
            try {
                List<RegionInfo> regions = Directory.open(pmem).list();
                return regions.isEmpty() ? "empty" : regions.stream().map(r -> r.name() + " (" + r.count() + " x "
                        + r.elementSize() + " B at " + r.offset() + ")").toList().toString();
            } catch (DirectoryException e) {
                return "unreadable: " + e.getMessage();
            }
        }
    }

    /** {@return why the kernel refused {@code MAP_SYNC}: the errno part of the failed call's reason} */
    static String refusal(DaxMapping pmem) {
        String reason = pmem.mapSyncRefusal().map(java.nio.file.FileSystemException::getReason).orElse("");
        int at = reason.lastIndexOf(" failed: ");
        String errno = at < 0 ? reason : reason.substring(at + " failed: ".length());
        return errno.contains(" ") ? errno.substring(0, errno.indexOf(' ')) : errno;
    }

    /** {@code create PATH --size --align}: an emulated device. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an emulated device file, "
            + "refusing sizes and alignments its file system cannot honour.")
    static final class CreateCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PATH")
        Path path;
        @Option(names = "--size", required = true, description = "bytes, or with K, M, G (KiB, MiB, GiB)")
        String size;
        @Option(names = "--align", defaultValue = "4K", description = "4K, 2M or 1G (default 4K)")
        String align;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(path)) {
                throw new IllegalArgumentException(path + " exists already: create makes new devices only");
            }
            Alignment alignment = Alignment.ofBytes(bytes(align));
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.ofLength(bytes(size)).createIfAbsent()
                    .alignment(alignment).strict(true).emulateMapSync())) {
                spec.commandLine().getOut().println("created " + path + ": " + pmem.byteSize() + " bytes, "
                        + pmem.alignment() + " aligned, on " + pmem.fileSystem().displayName());
            }
            return 0;
        }
    }

    /** {@code check PATH}: validate the directory, and every log and table in it. */
    @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate the dax4j directory, every "
            + "region entry, and every write-ahead log and key-value table in it (read-only); exit 1 if damaged.")
    static final class CheckCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PATH")
        Path path;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().readOnly()
                    .emulateMapSync())) {
                Directory directory = Directory.open(pmem);
                List<RegionInfo> regions = directory.list();
                List<String> names = regions.stream().map(RegionInfo::name).toList();
                StringBuilder found = new StringBuilder();
                for (String name : names) {
                    // a region is a log's or a table's when it opens with their layout; any other is left as is
                    String stem = name.endsWith(".head") ? name.substring(0, name.length() - 5) : "";
                    String log = names.contains(stem) ? ifLayoutMatches(() -> {
                        WriteAheadLog wal = WriteAheadLog.open(pmem, directory, stem, 64);
                        return "; log " + stem + ": head 0x" + Long.toHexString(wal.head()) + ", tail 0x"
                                + Long.toHexString(wal.tail());
                    }) : "";
                    found.append(!log.isEmpty() ? log : ifLayoutMatches(() -> "; table " + name + ": "
                            + KeyValueTable.open(pmem, directory, name, 1).entries().size() + " entries"));
                }
                spec.commandLine().getOut().println((directory.isFormatted() ? "ok: " + regions.size()
                        + " regions" : "ok: no directory (all zero)") + (regions.isEmpty() ? "" : " " + names) + found);
                return 0;
            } catch (DirectoryException e) {
                spec.commandLine().getErr().println("dax4j: damaged: " + e.getMessage());
                return 1;
            }
        }
    }

    /** What {@code check} reads of one region: a description, or nothing if the region is of another layout. */
    private interface RegionCheck {
        String read() throws DirectoryException;
    }

    private static String ifLayoutMatches(RegionCheck check) throws DirectoryException {
        try {
            return check.read();
        } catch (DirectoryException e) {
            if (e.reason() != DirectoryException.Reason.LAYOUT_MISMATCH) {
                throw e;
            }
            return "";
        }
    }

    /** {@code bench PATH}: a quick measurement. */
    @Command(name = "bench", mixinStandardHelpOptions = true, description = {
            "Measure persist latency and WAL append throughput on PATH (an existing device or file of at least 1 MiB;"
                    + " its contents are overwritten, one holding a dax4j directory with regions only with --force).",
            "Prints a line per second; percentiles are of the last " + BenchCommand.SAMPLES + " samples at most."})
    static final class BenchCommand implements Callable<Integer> {
        /** What the measurement writes: a directory, 64 KiB of persists past its first 4 KiB, and a log. */
        static final long MINIMUM_SIZE = 1L << 20;
        /** The latencies kept for the percentiles: the newest, once more were measured. */
        static final int SAMPLES = 1 << 20;
        @Parameters(paramLabel = "PATH")
        Path path;
        @Option(names = "--seconds", defaultValue = "30", description = "how long in all (default 30)")
        double seconds;
        @Option(names = "--force", description = "overwrite a dax4j directory and its regions")
        boolean force;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!(seconds > 0 && seconds <= 86_400)) {
                throw new IllegalArgumentException("--seconds " + seconds + " is not between 0 and 86400");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().emulateMapSync())) {
                // every check before the first byte is written: a refused bench leaves the source as it was
                if (pmem.byteSize() < MINIMUM_SIZE) {
                    throw new IllegalArgumentException(path + " has " + pmem.byteSize() + " bytes: bench needs at "
                            + "least " + MINIMUM_SIZE + " (1 MiB) for its persists and its log");
                }
                if (!force && pmem.getLongAtomic(0) == Directory.MAGIC) {
                    List<String> regions = Directory.open(pmem).list().stream().map(RegionInfo::name).toList();
                    if (!regions.isEmpty()) {
                        throw new IllegalArgumentException(path + " holds a dax4j directory with regions " + regions
                                + ": bench overwrites them only with --force");
                    }
                }
                if (!(pmem.source() instanceof DeviceDaxSource) && !pmem.isSynchronous()) {
                    out.println("warning: " + pmem.persistMechanism() + " on " + pmem.fileSystem().displayName()
                            + " writes back the page cache: this measures the kernel, not persistent memory");
                }
                persists(pmem, out);
                appends(pmem, out);
            }
            return 0;
        }

        private void persists(DaxMapping pmem, PrintWriter out) {
            long phase = (long) (seconds * 5e8);
            long[] latencies = new long[SAMPLES];
            long n = 0;
            long start = System.nanoTime();
            long second = start;
            long atSecond = 0;
            for (long at = 0, now = start; now - start < phase; at = (at + 64) % 65536) {
                long t = System.nanoTime();
                pmem.putLong(4096 + at, t);
                pmem.persist(4096 + at, 8);
                now = System.nanoTime();
                latencies[(int) (n++ % SAMPLES)] = now - t;
                if (now - second >= 1_000_000_000L) {
                    out.println(line("persist 8 B", pmem, latencies, n, atSecond, now - second));
                    second = now;
                    atSecond = n;
                }
            }
            out.println(line("persist 8 B", pmem, latencies, n, 0, System.nanoTime() - start) + " in all");
        }

        /** {@return a progress line: the rate since {@code from} and the percentiles of the kept samples} */
        private static String line(String what, DaxMapping pmem, long[] latencies, long n, long from, long nanos) {
            int kept = (int) Math.min(n, SAMPLES);
            long[] sorted = Arrays.copyOf(latencies, kept);
            Arrays.sort(sorted);
            return String.format(Locale.ROOT, "%s %s: %.0f ops/s, p50 %d ns, p99 %d ns (%d samples)", what,
                    pmem.persistMechanism(), (n - from) / (nanos / 1e9), sorted[kept / 2], sorted[kept * 99 / 100], n);
        }

        private void appends(DaxMapping pmem, PrintWriter out) throws DirectoryException {
            long phase = (long) (seconds * 5e8);
            pmem.fill(0, 8192, (byte) 0);
            Directory directory = Directory.open(pmem, 2);
            WriteAheadLog log = WriteAheadLog.open(pmem, directory, "bench-wal",
                    Math.min(pmem.byteSize() - directory.dataStart() - 8192, 64L << 20));
            byte[] record = new byte[64];
            long appends = 0;
            long start = System.nanoTime();
            long second = start;
            long atSecond = 0;
            for (long now = start; now - start < phase; now = System.nanoTime()) {
                try {
                    log.append(record);
                    appends++;
                } catch (IllegalStateException full) {
                    log.reset(); // one durable head write: the log starts over in its next generation
                }
                if (now - second >= 1_000_000_000L) {
                    out.printf(Locale.ROOT, "WAL append 64 B: %.0f records/s%n", (appends - atSecond)
                            / ((now - second) / 1e9));
                    second = now;
                    atSecond = appends;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "WAL append 64 B: %.0f records/s (%d in %.1f s) in all%n", appends / elapsed,
                    appends, elapsed);
        }
    }

    /** {@return {@code text} as bytes: a number, or one with K, M, G or KiB, MiB, GiB (powers of 1024)} */
    static long bytes(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        t = t.endsWith("IB") ? t.substring(0, t.length() - 2) : t;
        long unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : t.endsWith("G") ? 1L << 30 : 1;
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long bytes = Math.multiplyExact(Long.parseLong(digits), unit);
            if (bytes > 0) {
                return bytes;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // the message below
        }
        throw new IllegalArgumentException("not a size: '" + text + "' (a positive number of bytes, or of K, M, G,"
                + " KiB, MiB or GiB)");
    }
}
