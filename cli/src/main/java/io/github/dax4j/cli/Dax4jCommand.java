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
import io.github.dax4j.device.PersistenceDomain;
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
@Command(name = "dax4j", mixinStandardHelpOptions = true, versionProvider = Dax4jCommand.Version.class,
        description = "Persistent memory from the JVM: device-DAX discovery, sources, directories, measurements.",
        subcommands = {CommandLine.HelpCommand.class, Dax4jCommand.ListCommand.class, Dax4jCommand.InfoCommand.class,
                Dax4jCommand.CreateCommand.class, Dax4jCommand.CheckCommand.class, Dax4jCommand.BenchCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class Dax4jCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Dax4jCommand() {
    }

    /** {@code --version}: the jar's {@code Implementation-Version}, which the build writes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Dax4jCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dax4j " + (version != null ? version : "(not run from its jar)")};
        }
    }

    /** Sizes as options: a bad one is a usage error (exit 2), as any other malformed option value is. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return bytes(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
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
                    + " mode) first, then dax4j's (state, path, numa_node, nvdimm, persistence_domain).",
            "An empty list is []: daxctl prints nothing at all, which a JSON reader cannot parse."})
    static final class ListCommand implements Callable<Integer> {
        @Option(names = {"-i", "--idle"}, description = "include disabled instances (no driver bound)")
        boolean idle;
        @Option(names = {"-u", "--human"}, description = "sizes as daxctl -u prints them, e.g. \"992.00 MiB "
                + "(1040.19 MB)\" (plain numbers below 5000 KiB); one instance as a bare object")
        boolean human;
        @Option(names = {"-d", "--dev"}, paramLabel = "DEV", description = "only this instance: dax0.0, 0.0 or all")
        String dev;
        @Option(names = {"-r", "--region"}, paramLabel = "REGION", description = "only instances of this dax region"
                + " (the X of daxX.Y): 0 or region0")
        String region;
        @Option(names = "--sysfs-root", hidden = true, defaultValue = "/")
        Path root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> devices = new ArrayList<>();
            for (DaxDevice d : DaxDevices.at(root).list()) {
                String regionId = d.name().substring(3, Math.max(3, d.name().indexOf('.')));
                if (!idle && d.driver().isEmpty()
                        || dev != null && !dev.equals("all") && !dev.equals(d.name()) && !("dax" + dev).equals(d.name())
                        || region != null && !region.equals(regionId) && !region.equals("region" + regionId)) {
                    continue;
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("chardev", d.name());
                o.put("size", human ? humanSize(d.size()) : d.size());
                d.targetNode().ifPresent(n -> o.put("target_node", n));
                o.put("align", human ? humanSize(d.align()) : d.align());
                o.put("mode", d.mode());
                if (d.driver().isEmpty()) {
                    o.put("state", "disabled");
                }
                o.put("path", d.devicePath().toString());
                d.numaNode().ifPresent(n -> o.put("numa_node", n));
                o.put("nvdimm", d.isNvdimm());
                o.put("persistence_domain", d.persistenceDomain().attributeName());
                d.cxlRegion().ifPresent(r -> {
                    // cxl list's names: the region, its memdevs with serial and host, and the host bridges
                    o.put("cxl_region", r.name());
                    o.put("cxl_mode", r.mode().isEmpty() ? "unknown" : r.mode());
                    o.put("interleave_ways", r.interleaveWays());
                    o.put("memdevs", r.memdevs().stream().map(m -> {
                        Map<String, Object> memdev = new LinkedHashMap<>();
                        memdev.put("memdev", m.name());
                        m.serial().ifPresent(n -> memdev.put("serial", "0x" + Long.toHexString(n)));
                        memdev.put("host", m.host());
                        memdev.put("host_bridge", m.hostBridge());
                        return memdev;
                    }).toList());
                });
                devices.add(o);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (human && devices.size() == 1) {
                out.println(json(devices.getFirst(), "  ")); // as daxctl: one instance, -u, no array around it
            } else {
                out.println(devices.isEmpty() ? "[]" : "[\n  " + String.join(",\n  ", devices.stream()
                        .map(o -> json(o, "    ")).toList()) + "\n]");
            }
            return 0;
        }
    }

    /**
     * {@return {@code bytes} as {@code daxctl -u} prints a size} ndctl's {@code display_size}: a plain number below
     * 5000 KiB; else hundredths of MiB (below 2 GiB) or GiB, rounded half up, and the same in MB or GB.
     */
    static Object humanSize(long bytes) {
        if (bytes < 5000L * 1024) {
            return bytes;
        }
        boolean mega = bytes < 2L << 30;
        long iec = mega ? (bytes * 200 / (1L << 20) + 1) / 2 : (bytes * 200 / (1L << 30) + 1) / 2;
        long jedec = mega ? (bytes / (1_000_000L / 200) + 1) / 2 : (bytes / (1_000_000_000L / 200) + 1) / 2;
        return String.format(Locale.ROOT, "%d.%02d %s (%d.%02d %s)", iec / 100, iec % 100, mega ? "MiB" : "GiB",
                jedec / 100, jedec % 100, mega ? "MB" : "GB");
    }

    /**
     * {@return {@code o} as one JSON object, a member per line after {@code indent}} Values are numbers, booleans,
     * strings, lists and maps of these.
     */
    static String json(Map<String, ?> o, String indent) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, ?> e : o.entrySet()) {
            s.append(s.length() > 1 ? "," : "").append('\n').append(indent).append('"').append(e.getKey())
                    .append("\":").append(jsonValue(e.getValue(), indent));
        }
        return s.append('\n').append(indent, 0, Math.max(0, indent.length() - 2)).append('}').toString();
    }

    private static String jsonValue(Object v, String indent) {
        return switch (v) {
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            case Map<?, ?> m -> {
                Map<String, Object> members = new LinkedHashMap<>();
                m.forEach((key, value) -> members.put(key.toString(), value));
                yield json(members, indent + "  ");
            }
            case List<?> list -> list.isEmpty() ? "[]" : "[\n" + indent + "  " + String.join(",\n" + indent + "  ",
                    list.stream().map(x -> jsonValue(x, indent + "  ")).toList()) + "\n" + indent + "]";
            default -> '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        };
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
                    case DeviceDaxSource d -> "device-DAX " + d.device().name() + d.device().cxlRegion()
                            .map(r -> ", CXL " + r.name() + " (" + (r.mode().isEmpty() ? "mode unknown" : r.mode()) + ")")
                            .orElse("") + (d.device().isNvdimm() ? ", nd region "
                            + d.device().region().get().name() : ", no nd region");
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
                info.put("persistence", pmem.persistenceDomain().attributeName() + switch (pmem.persistenceDomain()) {
                    case CPU_CACHE -> " (eADR: durable once visible)";
                    case MEMORY_CONTROLLER -> " (durable once flushed from the CPU caches)";
                    case NONE -> pmem.source() instanceof FileSource ? " (a file in RAM, an emulation: nothing survives"
                            + " power loss)" : " (volatile memory: nothing survives power loss)";
                    case UNKNOWN -> pmem.isSynchronous() ? " (not reported: CPU caches are flushed)"
                            : " (the page cache: msync writes it back to the file)";
                });
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
        @Option(names = "--size", required = true, converter = Size.class,
                description = "bytes, or with K, M, G (KiB, MiB, GiB)")
        long size;
        @Option(names = "--align", defaultValue = "4K", converter = Size.class,
                description = "4K, 2M or 1G (default 4K)")
        long align;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(path)) {
                throw new IllegalArgumentException(path + " exists already: create makes new devices only");
            }
            Alignment alignment = Alignment.ofBytes(align);
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.ofLength(size).createIfAbsent()
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
        @Option(names = "--force", description = "overwrite what the source holds: data, a directory, its regions")
        boolean force;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!(seconds > 0 && seconds <= 86_400)) {
                throw new IllegalArgumentException("--seconds " + seconds + " is not between 0 and 86400");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().emulateMapSync())) {
                // every check before the first byte is written: a refused bench leaves the source as it was
                if (pmem.source() instanceof DeviceDaxSource && pmem.persistenceDomain() == PersistenceDomain.NONE) {
                    throw new IllegalArgumentException(path + " is volatile device-DAX (persistence domain none: hmem"
                            + " or CXL RAM): nothing survives power loss, so there are no persists to measure");
                }
                if (pmem.byteSize() < MINIMUM_SIZE) {
                    throw new IllegalArgumentException(path + " has " + pmem.byteSize() + " bytes: bench needs at "
                            + "least " + MINIMUM_SIZE + " (1 MiB) for its persists and its log");
                }
                if (!force) {
                    refuseToOverwrite(pmem);
                }
                if (!(pmem.source() instanceof DeviceDaxSource) && !pmem.isSynchronous()) {
                    err.println("warning: " + pmem.persistMechanism() + " on " + pmem.fileSystem().displayName()
                            + ": msync writes the page cache back to the file, so this measures the kernel and the "
                            + "file's storage, not persistent memory");
                }
                Samples persists = new Samples();
                phase(out, "persist 8 B " + pmem.persistMechanism(), "ops/s", persists, at -> {
                    pmem.putLong(4096 + at, at);
                    pmem.persist(4096 + at, 8);
                });
                pmem.fill(0, 8192, (byte) 0);
                Directory directory = Directory.open(pmem, 2);
                WriteAheadLog log = WriteAheadLog.open(pmem, directory, BENCH_LOG,
                        Math.min(pmem.byteSize() - directory.dataStart() - 8192, LOG_BYTES));
                byte[] record = new byte[64];
                phase(out, "WAL append 64 B", "records/s", new Samples(), at -> {
                    try {
                        log.append(record);
                    } catch (IllegalStateException full) {
                        log.reset(); // one durable head write: the log starts over in its next generation
                    }
                });
            }
            return 0;
        }

        /** The log the measurement writes: a device holding only it is overwritten without {@code --force}. */
        static final String BENCH_LOG = "bench-wal";
        static final long LOG_BYTES = 64L << 20;

        /** Refuses a source that holds anything but zeros or bench's own log, naming what it holds. */
        private void refuseToOverwrite(DaxMapping pmem) {
            if (pmem.getLongAtomic(0) == Directory.MAGIC) {
                List<String> regions;
                try {
                    regions = Directory.open(pmem).list().stream().map(RegionInfo::name).toList();
                } catch (DirectoryException e) {
                    throw new IllegalArgumentException(path + " holds a damaged dax4j directory (" + e.getMessage()
                            + "): bench overwrites it only with --force");
                }
                if (!List.of(BENCH_LOG, BENCH_LOG + ".head").containsAll(regions)) {
                    throw new IllegalArgumentException(path + " holds a dax4j directory with regions " + regions
                            + ": bench overwrites them only with --force");
                }
                return;
            }
            long written = Math.min(pmem.byteSize(), 8192 + LOG_BYTES + (1L << 20)); // what bench may write
            for (long at = 0; at < written; at += 8) {
                if (pmem.getLong(at) != 0) {
                    throw new IllegalArgumentException(path + " holds data and no dax4j directory (the 8 bytes at "
                            + at + " are not zero): bench overwrites it only with --force");
                }
            }
        }

        /** The latencies of one phase: the newest {@link #SAMPLES}, and how many there were. */
        static final class Samples {
            final long[] latencies = new long[SAMPLES];
            long count;

            void add(long nanos) {
                latencies[(int) (count++ % SAMPLES)] = nanos;
            }

            String percentiles() {
                int kept = (int) Math.min(count, SAMPLES);
                long[] sorted = Arrays.copyOf(latencies, kept);
                Arrays.sort(sorted);
                return String.format(Locale.ROOT, "p50 %d ns, p99 %d ns (of the last %d of %d)", sorted[kept / 2],
                        sorted[kept * 99 / 100], kept, count);
            }
        }

        /** Runs {@code operation} for half the time, a line per second and one in all. */
        private void phase(PrintWriter out, String what, String unit, Samples samples,
                           java.util.function.LongConsumer operation) {
            long length = (long) (seconds * 5e8);
            long start = System.nanoTime();
            long second = start;
            long atSecond = 0;
            long reporting = 0; // the time the progress lines took: no operation's
            long now = start;
            for (long at = 0; now - start < length; at = (at + 64) % 65536) {
                long t = System.nanoTime();
                operation.accept(at);
                now = System.nanoTime();
                samples.add(now - t);
                if (now - second >= 1_000_000_000L) {
                    out.printf(Locale.ROOT, "%s: %.0f %s, %s%n", what, (samples.count - atSecond)
                            / ((now - second) / 1e9), unit, samples.percentiles());
                    second = System.nanoTime(); // the sorting above is not the next second's
                    reporting += second - now;
                    atSecond = samples.count;
                }
            }
            double running = (now - start - reporting) / 1e9;
            out.printf(Locale.ROOT, "%s: %.0f %s, %s in all (%.1f s)%n", what, samples.count / running, unit,
                    samples.percentiles(), running);
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
