package io.github.dax4j.examples;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The end-to-end path in one run: create (or reopen) an emulated device, write records, persist each one, close,
 * reopen, verify, and print what happened and how long it took.
 *
 * <pre>
 * ./mvnw -q -Pdemo package                      # from the checkout: emulated device under examples/target/demo/
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.dax4j.examples.Demo [device-file]
 * </pre>
 *
 * <p>Without an argument the device is {@code dax4j-demo/emulated-dax.img} in the system temp directory. A device
 * left by an earlier run is reopened as it is, and that run's records are checked first: they were persisted by
 * another process, so finding them intact is the point.
 */
public final class Demo {

    static final long DEVICE_BYTES = 2L << 20;
    static final int RECORDS = 1000;

    private Demo() {
    }

    public static void main(String[] args) throws IOException {
        Path device = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("java.io.tmpdir"), "dax4j-demo", "emulated-dax.img");
        run(device, System.out);
    }

    /** Runs the demo on {@code device} and prints the report to {@code out}; returns the run's outcome. */
    static Outcome run(Path device, PrintStream out) throws IOException {
        Files.createDirectories(device.toAbsolutePath().getParent());
        boolean existed = Files.exists(device);
        MapOptions options = MapOptions.ofLength(DEVICE_BYTES).createIfAbsent().emulateMapSync();
        long runId = System.nanoTime() ^ ProcessHandle.current().pid() << 48;

        out.println("dax4j demo");
        long openStart = System.nanoTime();
        long[] persistNanos = new long[RECORDS];
        int earlierRecords;
        try (DaxMapping pmem = DaxMapping.open(device, options)) {
            long openNanos = System.nanoTime() - openStart;
            line(out, "device", device.toAbsolutePath() + " (" + (existed ? "reopened" : "created") + ", "
                    + pmem.byteSize() + " bytes on " + pmem.fileSystem().displayName() + ")");
            line(out, "MAP_SYNC", pmem.isSynchronous() ? "granted"
                    : "refused (" + errnoOf(pmem.mapSyncRefusal().orElseThrow())
                    + ") -> emulated: MAP_SHARED, made durable with msync");
            line(out, "geometry", pmem.byteSize() + " bytes at offset " + pmem.offset() + ", " + pmem.alignment()
                    + " aligned at 0x" + Long.toHexString(pmem.segment().address()) + ", faults at "
                    + pmem.faultSize() + " bytes");
            line(out, "mechanism", pmem.persistMechanism() + " (" + pmem.granularity() + " granularity): "
                    + pmem.persistMechanism().description() + "; " + pmem.persistMechanismReason());
            line(out, "cpu flush", PersistMechanism.cpuCacheFlush()
                    .map(m -> m.name().toLowerCase(Locale.ROOT) + " (used for device-DAX and MAP_SYNC mappings)")
                    .orElseGet(() -> "none: " + PersistMechanism.whyNoCpuCacheFlush().orElse("")));
            line(out, "open+map", millis(openNanos) + " (the first open in a JVM also links dax4j's native calls)");

            MemorySegment memory = pmem.segment();
            earlierRecords = existed ? RecordLog.verify(memory) : -1;
            line(out, "earlier run", earlierRecords < 0 ? "none: the device is new"
                    : earlierRecords + " records from the previous process found intact");

            long writeStart = System.nanoTime();
            RecordLog.reset(memory, runId);
            pmem.persist(0, RecordLog.HEADER_BYTES);
            for (int i = 0; i < RECORDS; i++) {
                long offset = RecordLog.append(memory, runId, i);
                long start = System.nanoTime();
                pmem.persist(offset, RecordLog.RECORD_BYTES);
                persistNanos[i] = System.nanoTime() - start;
                RecordLog.commit(memory, i + 1);
                pmem.persist(0, RecordLog.HEADER_BYTES);
            }
            long writeNanos = System.nanoTime() - writeStart;
            Arrays.sort(persistNanos);
            line(out, "write", RECORDS + " records of " + RecordLog.RECORD_BYTES + " B, each persisted, then the"
                    + " header: " + millis(writeNanos) + " in all");
            line(out, "persist", "record persist p50 " + micros(persistNanos[RECORDS / 2]) + ", p99 "
                    + micros(persistNanos[RECORDS * 99 / 100]) + ", max " + micros(persistNanos[RECORDS - 1]));
        }

        long verifyStart = System.nanoTime();
        int verified;
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            verified = RecordLog.verify(pmem.segment());
        }
        long verifyNanos = System.nanoTime() - verifyStart;
        if (verified != RECORDS) {
            line(out, "verify", "FAILED: " + verified + " of " + RECORDS + " records intact");
            throw new IllegalStateException("the demo's records did not survive a close and reopen");
        }
        line(out, "reopen+verify", RECORDS + " records intact after close and reopen, " + millis(verifyNanos));
        return new Outcome(earlierRecords, verified);
    }

    /** What a run found: records of the previous run ({@code -1} for a new device) and of this one. */
    record Outcome(int earlierRecords, int verifiedRecords) {
    }

    private static void line(PrintStream out, String label, String text) {
        out.printf(Locale.ROOT, "  %-14s %s%n", label, text);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    /**
     * {@return the errno symbol of a dax4j system call failure, e.g. {@code EOPNOTSUPP}} Its reason reads
     * {@code call(...) failed: SYMBOL (text)}, as the {@code io.github.dax4j} package Javadoc states.
     */
    public static String errnoOf(java.nio.file.FileSystemException failure) {
        String reason = failure.getReason();
        int at = reason == null ? -1 : reason.lastIndexOf(" failed: ");
        if (at < 0) {
            return String.valueOf(reason);
        }
        String answer = reason.substring(at + " failed: ".length());
        int space = answer.indexOf(' ');
        return space < 0 ? answer : answer.substring(0, space);
    }
}
