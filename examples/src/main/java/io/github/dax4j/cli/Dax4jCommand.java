package io.github.dax4j.cli;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.FileSource;
import io.github.dax4j.MapOptions;
import io.github.dax4j.SimulatedSource;
import io.github.dax4j.device.DaxDevice;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.NvdimmRegion;
import io.github.dax4j.examples.kv.KeyValueTable;
import io.github.dax4j.examples.wal.WriteAheadLog;
import io.github.dax4j.examples.Demo;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dax4j}: list device-DAX instances, inspect and create sources, check directories, measure.
 *
 * <pre>
 * ./mvnw -q -Pcli package -Dcli.args="list --json"
 * ./mvnw -q -Pcli package -Dcli.args="info /dev/dax0.0"
 * ./mvnw -q -Pcli package -Dcli.args="generate-completion" > dax4j_completion   # bash/zsh: source it
 * </pre>
 * Exit codes: 0 done; 1 a failure (the message on stderr) or, for {@code check}, a damaged directory; 2 a usage error.
 */
@Command(name = "dax4j", mixinStandardHelpOptions = true, version = "dax4j 0.1.0",
        description = "Persistent memory from the JVM: device-DAX discovery, sources, directories, measurements.",
        subcommands = {Dax4jCommand.ListCommand.class, Dax4jCommand.InfoCommand.class, Dax4jCommand.CreateCommand.class,
                Dax4jCommand.CheckCommand.class, Dax4jCommand.BenchCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class Dax4jCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: list, info, create, check, bench");
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
            // dax4j's refusals and the file system's failures say what and where; anything else is a bug to show
            cmd.getErr().println("dax4j: " + (e instanceof java.io.IOException || e instanceof IllegalArgumentException
                    ? e.getMessage() : e.toString()));
            return 1;
        });
        return line.execute(args);
    }

    /** {@code list}: the device-DAX instances of this machine. */
    @Command(name = "list", description = "List device-DAX instances (as daxctl list does, with --json).")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--json", description = "JSON, shaped like daxctl list's")
        boolean json;
        @Option(names = "--sysfs-root", hidden = true, defaultValue = "/")
        Path root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<DaxDevice> devices = DaxDevices.at(root).list();
            if (json) {
                StringBuilder s = new StringBuilder("[");
                for (DaxDevice d : devices) {
                    s.append(s.length() > 1 ? ",\n  " : "\n  ").append("{\"chardev\":\"").append(d.name())
                            .append("\",\"path\":\"").append(d.devicePath()).append("\",\"size\":").append(d.size())
                            .append(",\"align\":").append(d.align()).append(",\"mode\":\"").append(d.mode())
                            .append('"');
                    if (d.driver().isEmpty()) {
                        s.append(",\"state\":\"disabled\"");
                    }
                    d.numaNode().ifPresent(n -> s.append(",\"numa_node\":").append(n));
                    d.targetNode().ifPresent(n -> s.append(",\"target_node\":").append(n));
                    s.append(",\"nvdimm\":").append(d.isNvdimm());
                    d.region().ifPresent(r -> s.append(",\"persistence_domain\":\"").append(r.persistenceDomain())
                            .append('"'));
                    s.append('}');
                }
                out.println(s.append(devices.isEmpty() ? "]" : "\n]"));
                return 0;
            }
            if (devices.isEmpty()) {
                out.println("no device-DAX instances");
                return 0;
            }
            out.printf(Locale.ROOT, "%-10s %-14s %-10s %14s %10s %5s %-8s %s%n", "NAME", "PATH", "MODE", "SIZE",
                    "ALIGN", "NUMA", "NVDIMM", "PERSISTENCE DOMAIN");
            for (DaxDevice d : devices) {
                out.printf(Locale.ROOT, "%-10s %-14s %-10s %14d %10d %5s %-8s %s%n", d.name(), d.devicePath(),
                        d.driver().isEmpty() ? "disabled" : d.mode(), d.size(), d.align(),
                        d.numaNode().isPresent() ? String.valueOf(d.numaNode().getAsInt()) : "-",
                        d.isNvdimm() ? "yes" : "no", d.region().map(NvdimmRegion::persistenceDomain).orElse("-"));
            }
            return 0;
        }
    }

    /** {@code info PATH}: what dax4j makes of a source. */
    @Command(name = "info", description = "Describe a device or file as dax4j maps it: kind, size, alignment, "
            + "fault size, MAP_SYNC, durability mechanism, directory.")
    static final class InfoCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PATH")
        Path path;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            // read-only: inspecting needs no write permission and cannot disturb the source
            try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().readOnly()
                    .emulateMapSync())) {
                String kind = switch (pmem.source()) {
                    case DeviceDaxSource d -> "device-DAX " + d.device().name() + (d.device().isNvdimm()
                            ? ", NVDIMM region " + d.device().region().get().name() : ", not NVDIMM-backed");
                    case FileSource f -> "file on " + f.fileSystem().displayName();
                    case SimulatedSource s -> "simulated";
                };
                out.println("source        " + pmem.source().describe());
                out.println("kind          " + kind);
                out.println("size          " + pmem.byteSize());
                out.println("alignment     " + pmem.alignment() + ", faults at " + pmem.faultSize() + " bytes");
                out.println("MAP_SYNC      " + (pmem.isSynchronous() ? "yes"
                        : "no (" + Demo.errnoOf(pmem.mapSyncRefusal().orElseThrow()) + ")"));
                out.println("durability    " + pmem.persistMechanism() + " (" + pmem.granularity() + "): "
                        + pmem.persistMechanismReason());
                out.println("cpu flush     " + PersistMechanism.cpuCacheFlush().map(m -> m.name()
                        .toLowerCase(Locale.ROOT)).orElse("none"));
                String domain = pmem.source() instanceof DeviceDaxSource d ? d.device().region()
                        .map(NvdimmRegion::persistenceDomain).orElse("none (not NVDIMM-backed)")
                        : !pmem.isSynchronous() ? "the page cache: msync writes it back to the file"
                        : DaxDevices.system().cachesArePersistent() ? "cpu_cache (every NVDIMM region)"
                        : "memory_controller at best: CPU caches must be flushed";
                out.println("persistence   " + domain);
                out.println("directory     " + directory(pmem));
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

    /** {@code create PATH --size --align}: an emulated device. */
    @Command(name = "create", description = "Create an emulated device file, refusing sizes and alignments its "
            + "file system cannot honour.")
    static final class CreateCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PATH")
        Path path;
        @Option(names = "--size", required = true, description = "bytes, or with K, M, G")
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
                spec.commandLine().getOut().println("created " + pmem);
            }
            return 0;
        }
    }

    /** {@code check PATH}: validate the directory, and every log and table in it. */
    @Command(name = "check", description = "Validate the dax4j directory, every region entry, and every write-ahead "
            + "log and key-value table in it (read-only); exit 1 if damaged.")
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
    @Command(name = "bench", description = "Measure persist latency and WAL append throughput on PATH "
            + "(an existing device or file of at least 1 MiB; its contents are overwritten, and one holding a dax4j "
            + "directory with regions only with --overwrite).")
    static final class BenchCommand implements Callable<Integer> {
        /** What the measurement writes: a directory, 64 KiB of persists past its first 4 KiB, and a log. */
        static final long MINIMUM_SIZE = 1L << 20;
        @Parameters(paramLabel = "PATH")
        Path path;
        @Option(names = "--seconds", defaultValue = "30", description = "how long in all (default 30)")
        double seconds;
        @Option(names = "--overwrite", description = "overwrite a dax4j directory and its regions")
        boolean overwrite;
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
                if (!overwrite && pmem.getLongAtomic(0) == Directory.MAGIC) {
                    List<String> regions = Directory.open(pmem).list().stream().map(RegionInfo::name).toList();
                    if (!regions.isEmpty()) {
                        throw new IllegalArgumentException(path + " holds a dax4j directory with regions " + regions
                                + ": bench overwrites them only with --overwrite");
                    }
                }
                long half = (long) (seconds * 5e8);
                long[] latencies = new long[1 << 20];
                int n = 0;
                long start = System.nanoTime();
                for (long at = 0; System.nanoTime() - start < half && n < latencies.length; at = (at + 64) % 65536) {
                    long t = System.nanoTime();
                    pmem.putLong(4096 + at, t);
                    pmem.persist(4096 + at, 8);
                    latencies[n++] = System.nanoTime() - t;
                }
                Arrays.sort(latencies, 0, n);
                out.printf(Locale.ROOT, "persist 8 B    %s: p50 %d ns, p99 %d ns (%d samples)%n",
                        pmem.persistMechanism(), latencies[n / 2], latencies[n * 99 / 100], n);
                pmem.fill(0, 8192, (byte) 0);
                Directory directory = Directory.open(pmem, 2);
                WriteAheadLog log = WriteAheadLog.open(pmem, directory, "bench-wal",
                        Math.min(pmem.byteSize() - directory.dataStart() - 8192, 64L << 20));
                byte[] record = new byte[64];
                long appends = 0;
                start = System.nanoTime();
                while (System.nanoTime() - start < half) {
                    try {
                        log.append(record);
                        appends++;
                    } catch (IllegalStateException full) {
                        log.reset(); // one durable head write: the log starts over in its next generation
                    }
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                out.printf(Locale.ROOT, "WAL append 64 B: %.0f records/s (%d in %.1f s)%n", appends / elapsed, appends,
                        elapsed);
            }
            return 0;
        }
    }

    static long bytes(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
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
        throw new IllegalArgumentException("not a size: '" + text + "' (a positive number of bytes, or of K, M or G)");
    }
}
