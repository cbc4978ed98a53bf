package io.github.dax4j.hostile;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.cli.Dax4jCommand;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.RegionInfo;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzing of every on-device format: a device holding a directory, two plain regions, a write-ahead log and a
 * key-value table, damaged at random (byte flips, truncation, entries forged with valid checksums), then read by
 * {@code Directory.open}, the log's open and replay, the table's open, get and entries, and {@code dax4j check}.
 * Each either refuses the device with {@code CORRUPTED} (or {@code NOT_EMPTY}) or returns what was written: never
 * another exception, never a region outside the device or over another, never a record or entry that was not
 * written. And the command line agrees with the API.
 *
 * <p>A forged entry with a valid checksum that moves a region onto free bytes, or renames it, makes a directory
 * that keeps every invariant: nothing in the directory binds an entry to the bytes a region held (regions change
 * all the time). For forgeries the readers must still refuse or read a sound log and table (records whole,
 * {@code get} and {@code entries} agreeing), not necessarily the one written.
 */
class FormatFuzzProperties {

    private static final long SIZE = 1L << 20;
    private static final MapOptions OPTIONS = MapOptions.wholeSource().emulateMapSync();
    private static final List<byte[]> RECORDS = List.of(bytes(1, 40), bytes(2, 100), bytes(3, 7), bytes(4, 300));
    private static final Map<Long, byte[]> ENTRIES = Map.of(1L, value(1), 2L, value(2), 9L, value(9));

    private static byte[] pristine;
    private Path device;

    private static byte[] bytes(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 37 + i);
        }
        return b;
    }

    private static byte[] value(int seed) {
        return Arrays.copyOf(bytes(seed, 5), KeyValueTable.VALUE_BYTES);
    }

    @BeforeTry
    void writeTheDevice() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-fuzz-", ".img");
        if (pristine == null) {
            try (RandomAccessFile raf = new RandomAccessFile(device.toFile(), "rw")) {
                raf.setLength(SIZE);
            }
            try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
                Directory directory = Directory.open(pmem);
                Forgery.twoRegions(pmem);
                WriteAheadLog log = WriteAheadLog.open(pmem, directory, "wal", 8192);
                log.append(bytes(0, 64));
                log.truncate(log.append(RECORDS.getFirst()));
                log.append(RECORDS.subList(1, RECORDS.size()));
                KeyValueTable table = KeyValueTable.open(pmem, directory, "kv", 16);
                table.put(5, value(5));
                ENTRIES.forEach(table::put);
                table.delete(5); // a tombstone on some probe path
            }
            pristine = Files.readAllBytes(device);
        }
        Files.write(device, pristine);
    }

    @AfterTry
    void deleteTheDevice() throws Exception {
        Files.deleteIfExists(device);
    }

    /** One damage: {@code count} bytes XORed with {@code mask} at random offsets below {@code limit}. */
    record Flips(List<Integer> offsets, List<Integer> masks) {
    }

    @Provide
    Arbitrary<Flips> directoryFlips() {
        return flips(8192); // the header, the 63 entries and the layout texts
    }

    @Provide
    Arbitrary<Flips> anywhere() {
        return flips(24 * 1024); // the directory, both regions, the log and the table end before 24 KiB
    }

    private static Arbitrary<Flips> flips(int limit) {
        return Combinators.combine(Arbitraries.integers().between(0, limit - 1).list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.integers().between(1, 255).list().ofSize(8)).as(Flips::new);
    }

    private void damage(Flips flips) throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            for (int i = 0; i < flips.offsets().size(); i++) {
                long at = flips.offsets().get(i);
                pmem.putByte(at, (byte) (pmem.getByte(at) ^ flips.masks().get(i)));
            }
        }
    }

    @Property(tries = 300)
    void aDamagedDirectoryIsRefusedOrSound(@ForAll("directoryFlips") Flips flips) throws Exception {
        damage(flips);
        Statistics.label("directory").collect(readEverything(true));
    }

    @Property(tries = 300)
    void damageAnywhereIsRefusedOrReadsAsWritten(@ForAll("anywhere") Flips flips) throws Exception {
        damage(flips);
        Statistics.label("outcome").collect(readEverything(true));
    }

    @Provide
    Arbitrary<Flips> inTheEngines() {
        return flips(Integer.MAX_VALUE); // taken modulo the span of the log's and table's regions
    }

    @Property(tries = 300)
    void damageToTheLogAndTableReadsAsDamageOrAsWritten(@ForAll("inTheEngines") Flips flips) throws Exception {
        long[][] used; // {start, length}: the head copies, the written part of the log, the table's slots
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            Directory directory = Directory.open(pmem);
            used = new long[][] {{directory.find("wal.head").orElseThrow().offset(), 128},
                    {directory.find("wal").orElseThrow().offset(), 768}, {directory.find("kv").orElseThrow().offset(),
                    16 * 64}};
        }
        long total = Arrays.stream(used).mapToLong(r -> r[1]).sum();
        List<Integer> offsets = flips.offsets().stream().map(o -> {
            long at = o % total;
            for (long[] range : used) {
                if (at < range[1]) {
                    return (int) (range[0] + at);
                }
                at -= range[1];
            }
            throw new AssertionError();
        }).toList();
        damage(new Flips(offsets, flips.masks()));
        String outcome = readEverything(true);
        assertTrue(!outcome.startsWith("directory"), "the directory is untouched: " + outcome);
        Statistics.label("outcome").collect(outcome);
    }

    /** A field of entry {@code slot}, as the directory format documents it, and the value a forger puts there. */
    record Field(int slot, int offset, boolean wide, long value) {
    }

    @Provide
    Arbitrary<List<Field>> forgeries() {
        int[] longs = {8, 16, 24, 40, 48, 56, 72}; // offset, count, stride, signature, textAt, elemSize
        int[] ints = {32, 36, 64, 68};        // align, flags, textLn, nameLn
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-64, 1 << 21),
                Arbitraries.of(0L, 1L, 16L, 63L, 64L, 96L, 4096L, SIZE, SIZE - 64, Long.MAX_VALUE, Long.MIN_VALUE,
                        (long) Integer.MAX_VALUE, 1L << 32));
        Arbitrary<Field> field = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, longs.length + ints.length - 1), values).as((slot, f, v) ->
                f < longs.length ? new Field(slot, longs[f], true, v) : new Field(slot, ints[f - longs.length], false, v));
        return field.list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 400)
    void entriesForgedWithValidChecksumsAreRefusedOrSound(@ForAll("forgeries") List<Field> fields) throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            for (Field f : fields) {
                Forgery.entry(pmem, f.slot(), e -> {
                    if (f.wide()) {
                        e.set(JAVA_LONG_UNALIGNED, f.offset(), f.value());
                    } else {
                        e.set(JAVA_INT_UNALIGNED, f.offset(), (int) f.value());
                    }
                });
            }
        }
        Statistics.label("outcome").collect(readEverything(false));
    }

    @Property(tries = 40)
    void aTruncatedDeviceIsRefusedOrSound(@ForAll @IntRange(min = 1, max = 255) int pages) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(device.toFile(), "rw")) {
            raf.setLength(pages * 4096L);
        }
        Statistics.label("outcome").collect(readEverything(true));
    }

    @Property(tries = 100)
    void aRegionMovedOntoAnotherIsRefused(@ForAll @IntRange(min = 0, max = 4) int moved,
                                          @ForAll @IntRange(min = 0, max = 4) int onto,
                                          @ForAll @IntRange(min = 0, max = 1 << 20) int within) throws Exception {
        net.jqwik.api.Assume.that(moved != onto);
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            MemorySegment other = pmem.segment().asSlice(Forgery.HEADER_BYTES + onto * Forgery.ENTRY_BYTES,
                    Forgery.ENTRY_BYTES);
            long lines = other.get(JAVA_LONG_UNALIGNED, Forgery.E_COUNT) * other.get(JAVA_LONG_UNALIGNED,
                    Forgery.E_STRIDE) / 64;
            long target = other.get(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET) + 64 * (within % lines);
            Forgery.entry(pmem, moved, e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, target));
        }
        String outcome = readEverything(false);
        assertEquals("directory CORRUPTED", outcome, "a region whose first line is inside another's");
        Statistics.label("outcome").collect(outcome);
    }

    /**
     * Reads the device through every API and the command line: {@return what happened, for statistics} Fails if
     * any reader throws anything but a {@code DirectoryException}, returns a region, record or entry that was not
     * written ({@code asWritten}: else one unsound by its own format), or if the command line disagrees.
     */
    private String readEverything(boolean asWritten) throws Exception {
        String outcome;
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().readOnly().emulateMapSync())) {
            outcome = readAll(pmem, asWritten);
        } catch (RuntimeException e) {
            throw new AssertionError("a reader threw " + e, e);
        }
        StringWriter err = new StringWriter();
        int exit = Dax4jCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "check",
                device.toString());
        assertEquals(outcome.startsWith("directory") || outcome.startsWith("log") || outcome.startsWith("table")
                ? 1 : 0, exit, "dax4j check agrees with the API on " + outcome + ": " + err);
        assertTrue(!err.toString().contains("Exception"), err.toString());
        if (asWritten && (outcome.equals("intact") || outcome.startsWith("records cut"))) {
            writeOnTop(); // what was accepted is also written to, and stays a sound device
        }
        return outcome;
    }

    /** Appends to the log and puts into the table of an accepted device, then checks it still reads soundly. */
    private void writeOnTop() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            Directory directory = Directory.open(pmem);
            WriteAheadLog.open(pmem, directory, "wal", 8192).append(bytes(7, 70));
            KeyValueTable.open(pmem, directory, "kv", 16).put(11, value(11));
        }
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().readOnly().emulateMapSync())) {
            Directory directory = Directory.open(pmem);
            List<byte[]> records = WriteAheadLog.open(pmem, directory, "wal", 8192).readFrom(0);
            assertArrayEquals(bytes(7, 70), records.getLast(), "the record appended on top");
            assertArrayEquals(value(11), KeyValueTable.open(pmem, directory, "kv", 16).get(11).orElseThrow());
        }
    }

    private static String readAll(DaxMapping pmem, boolean asWritten) {
        Directory directory;
        List<RegionInfo> regions;
        try {
            directory = Directory.open(pmem);
            regions = directory.list();
        } catch (DirectoryException e) {
            return "directory " + e.reason();
        }
        List<RegionInfo> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(RegionInfo::offset));
        for (int i = 0; i < sorted.size(); i++) {
            RegionInfo r = sorted.get(i);
            assertTrue(r.offset() >= directory.dataStart() && r.byteSize() <= pmem.byteSize() - r.offset(),
                    r + " inside the device");
            if (i > 0) {
                RegionInfo before = sorted.get(i - 1);
                assertTrue(before.offset() + before.byteSize() <= r.offset(), before + " and " + r + " overlap");
            }
        }
        List<String> names = regions.stream().map(RegionInfo::name).toList();
        if (!names.containsAll(List.of("first", "second", "wal.head", "wal", "kv"))) {
            assertTrue(!asWritten, "a region lost to damage: " + names);
            if (names.contains("wal") && names.contains("wal.head")) {
                // a log by its names, as dax4j check finds one (another region may have been renamed into it)
                try {
                    WriteAheadLog.open(pmem, directory, "wal", 8192);
                } catch (DirectoryException e) {
                    return "log " + e.reason();
                }
            }
            return "sound, regions renamed"; // a forged name: the log or table is not there to read
        }
        if (!asWritten) {
            return readSound(pmem, directory);
        }
        String cut = "intact";
        try {
            List<byte[]> records = WriteAheadLog.open(pmem, directory, "wal", 8192).readFrom(0);
            assertTrue(records.size() <= RECORDS.size(), records.size() + " records");
            for (int i = 0; i < records.size(); i++) {
                assertArrayEquals(RECORDS.get(i), records.get(i), "record " + i + " is one that was written");
            }
            if (records.size() < RECORDS.size()) {
                cut = "records cut to " + records.size(); // a damaged record reads as the torn tail
            }
        } catch (DirectoryException e) {
            return "log " + e.reason();
        }
        try {
            KeyValueTable table = KeyValueTable.open(pmem, directory, "kv", 16);
            Map<Long, byte[]> entries = new LinkedHashMap<>(table.entries());
            assertEquals(ENTRIES.keySet(), entries.keySet(), "every entry, and only those");
            for (Map.Entry<Long, byte[]> e : ENTRIES.entrySet()) {
                assertArrayEquals(e.getValue(), entries.get(e.getKey()), "entry " + e.getKey());
                assertArrayEquals(e.getValue(), table.get(e.getKey()).orElseThrow(), "get " + e.getKey());
            }
            if (table.get(5).isPresent()) {
                fail("the deleted key 5 is back");
            }
        } catch (DirectoryException e) {
            return "table " + e.reason();
        }
        return cut;
    }

    /** {@return what the log and table read as}, failing if either reads as unsound by its own format */
    private static String readSound(DaxMapping pmem, Directory directory) {
        String log;
        try {
            List<byte[]> records = WriteAheadLog.open(pmem, directory, "wal", 8192).readFrom(0);
            log = records.size() + " records";
        } catch (DirectoryException e) {
            return "log " + e.reason();
        }
        try {
            KeyValueTable table = KeyValueTable.open(pmem, directory, "kv", 16);
            Map<Long, byte[]> entries = table.entries();
            for (Map.Entry<Long, byte[]> e : entries.entrySet()) {
                assertArrayEquals(e.getValue(), table.get(e.getKey()).orElseThrow(), "get " + e.getKey());
            }
            for (long key : ENTRIES.keySet()) {
                assertEquals(entries.containsKey(key), table.get(key).isPresent(), "get " + key);
            }
            return Map.of(ENTRIES.size(), "sound, as written").getOrDefault(entries.size(), "sound, " + log + ", "
                    + entries.size() + " entries");
        } catch (DirectoryException e) {
            return "table " + e.reason();
        }
    }
}
