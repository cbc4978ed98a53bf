package io.github.dax4j.hostile;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.PersistFlag;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.cli.Dax4jCommand;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.net.StandardProtocolFamily.UNIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-input campaign: every case a careless or hostile user, file or process could bring, through the
 * public API, the on-device formats, the system properties and the command line. Each case states the outcome
 * dax4j promises (the exception, or the exit code; the value the message must name) and checks that nothing is
 * left behind: no descriptor or mapping of the case's files, no file the call was not to create. Cases that
 * depend on a fresh JVM (system properties) or could take one down run in a child JVM.
 *
 * <p>The last test compares the table of every case, expected beside observed, with the committed
 * {@code src/test/hostile-inputs.md}, so the table in the repository is what the code does; after adding a case,
 * copy {@code target/hostile-inputs.md} over it.
 */
class HostileInputCampaignTest {

    static final Path TABLE = Path.of("src/test/hostile-inputs.md");
    static final Path GENERATED = Path.of("target/hostile-inputs.md");
    private static final MapOptions EMULATED = MapOptions.wholeSource().emulateMapSync();
    private static final long M1 = 1L << 20;

    /** What a case did: an exception's type (and a directory failure's reason), an exit code, or a normal return. */
    record Outcome(String kind, String message) {
        static Outcome of(Throwable t) {
            Class<?> type = t.getClass();
            while (type.getPackageName().contains(".internal")) {
                type = type.getSuperclass(); // what the caller can name: dax4j's internal types are not exported
            }
            String kind = type.getSimpleName();
            if (t instanceof DirectoryException d) {
                kind += " " + d.reason();
            }
            return new Outcome(kind, String.valueOf(t.getMessage()));
        }
    }

    @FunctionalInterface
    interface Attempt {
        /** {@return an {@link Outcome} for a command or a child JVM; anything else is a normal return} */
        Object run(Scratch s) throws Throwable;
    }

    /** One case: where, what, the promised outcome and the text its message must contain ({@code null}: none). */
    record Case(String area, String what, String expected, String names, Attempt attempt) {
        String expectation() {
            return expected + (names == null ? "" : ", names `" + names + "`") + ", nothing left";
        }
    }

    private static final Map<Case, String> OBSERVED = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> campaign() {
        List<Case> cases = cases();
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.area() + ": " + c.what(), () -> {
                String observed = observe(c);
                OBSERVED.put(c, observed);
                assertEquals(c.expectation(), observed, c.what());
            }));
        }
        tests.add(DynamicTest.dynamicTest("the committed table is this run's", () -> {
            String table = render(cases);
            Files.createDirectories(GENERATED.getParent());
            Files.writeString(GENERATED, table);
            assertTrue(cases.size() >= 100, cases.size() + " cases");
            assertEquals(Files.readString(TABLE), table, "src/test/hostile-inputs.md differs from this run's "
                    + GENERATED.toAbsolutePath() + ": copy it over if the change is intended");
        }));
        return tests.stream();
    }

    private static String observe(Case c) throws Exception {
        Outcome outcome;
        List<String> left;
        try (Scratch s = new Scratch()) {
            try {
                Object result = c.attempt().run(s);
                if (result instanceof AutoCloseable opened) {
                    opened.close(); // what should have been refused was not: it must not leak into the next case
                }
                outcome = result instanceof Outcome o ? o : new Outcome("returns", "");
            } catch (Throwable t) {
                outcome = Outcome.of(t);
            }
            s.release();
            left = s.leftovers();
        }
        String kind = outcome.kind();
        if (kind.startsWith("exit") && (outcome.message().contains("Exception") || outcome.message().contains("\tat "))) {
            kind += " with a raw exception"; // the command line says what is wrong, never how Java failed
        }
        return kind + (c.names() == null ? "" : outcome.message().contains(c.names()) ? ", names `" + c.names() + "`"
                : ", does not name `" + c.names() + "` in: " + outcome.message()) + (left.isEmpty() ? ", nothing left"
                : ", left " + left);
    }

    private static String render(List<Case> cases) {
        StringBuilder t = new StringBuilder("""
                # Hostile inputs: the campaign

                Generated by `examples/src/test/java/io/github/dax4j/hostile/HostileInputCampaignTest.java`, which runs
                every case in `.ci/run` and fails when this table is not what the run observed. Each case is refused
                with the outcome in *Expected* (an exception, and a `DirectoryException`'s reason; or the command's exit
                code), its message names the value in backquotes, and nothing is left behind: no descriptor or mapping
                of the case's files and no file the call was not to create. Cases marked *child JVM* run in one.
                Beside these, `FormatFuzzProperties` fuzzes every on-device format with jqwik (byte flips,
                truncation, entries forged with valid checksums, regions moved onto others).

                """);
        t.append(cases.size()).append(" cases.\n\n| # | Area | Case | Expected | Observed |\n|---|---|---|---|---|\n");
        int n = 1;
        for (Case c : cases) {
            t.append("| ").append(n++).append(" | ").append(c.area()).append(" | ").append(c.what().replace("|", "\\|"))
                    .append(" | ").append(c.expectation().replace("|", "\\|")).append(" | ")
                    .append(OBSERVED.getOrDefault(c, "not run").replace("|", "\\|")).append(" |\n");
        }
        return t.toString();
    }

    // ----------------------------------------------------------------------------------------------------------

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        options(cases);
        open(cases);
        operations(cases);
        properties(cases);
        directory(cases);
        log(cases);
        tables(cases);
        commandLine(cases);
        return cases;
    }

    private static void add(List<Case> cases, String area, String what, String expected, String names,
                            Attempt attempt) {
        cases.add(new Case(area, what, expected, names, attempt));
    }

    private static void options(List<Case> c) {
        String a = "MapOptions";
        add(c, a, "`ofLength(0)`", "IllegalArgumentException", "positive: 0", s -> MapOptions.ofLength(0));
        add(c, a, "`ofLength(-1)`", "IllegalArgumentException", "positive: -1", s -> MapOptions.ofLength(-1));
        add(c, a, "`ofLength(Long.MIN_VALUE)`", "IllegalArgumentException", String.valueOf(Long.MIN_VALUE),
                s -> MapOptions.ofLength(Long.MIN_VALUE));
        add(c, a, "`offset(-1)`", "IllegalArgumentException", "negative: -1", s -> MapOptions.wholeSource().offset(-1));
        add(c, a, "`offset(Long.MIN_VALUE)`", "IllegalArgumentException", String.valueOf(Long.MIN_VALUE),
                s -> MapOptions.ofLength(4096).offset(Long.MIN_VALUE));
        add(c, a, "`wholeSource().createIfAbsent()`", "IllegalArgumentException", "createIfAbsent",
                s -> MapOptions.wholeSource().createIfAbsent());
        add(c, a, "`createIfAbsent().readOnly()`", "IllegalArgumentException", "readOnly",
                s -> MapOptions.ofLength(4096).createIfAbsent().readOnly());
        add(c, a, "`readOnly().createIfAbsent()`", "IllegalArgumentException", "readOnly",
                s -> MapOptions.ofLength(4096).readOnly().createIfAbsent());
        add(c, a, "`persistMechanism(SIMULATED_BYTE)`", "IllegalArgumentException", "SIMULATED_BYTE",
                s -> MapOptions.wholeSource().persistMechanism(PersistMechanism.SIMULATED_BYTE));
        add(c, a, "`persistMechanism(SIMULATED_CACHE_LINE)`", "IllegalArgumentException", "SIMULATED_CACHE_LINE",
                s -> MapOptions.wholeSource().persistMechanism(PersistMechanism.SIMULATED_CACHE_LINE));
        add(c, a, "`persistMechanism(null)`", "NullPointerException", null,
                s -> MapOptions.wholeSource().persistMechanism(null));
        add(c, a, "`alignment(null)`", "NullPointerException", null, s -> MapOptions.wholeSource().alignment(null));
        add(c, a, "`nonTemporalThreshold(-1)`", "IllegalArgumentException", "negative: -1",
                s -> MapOptions.wholeSource().nonTemporalThreshold(-1));
        add(c, a, "`nonTemporalThreshold(Long.MIN_VALUE)`", "IllegalArgumentException",
                String.valueOf(Long.MIN_VALUE), s -> MapOptions.wholeSource().nonTemporalThreshold(Long.MIN_VALUE));
        add(c, a, "`Alignment.ofBytes(3 << 20)`", "IllegalArgumentException", "alignment " + (3 << 20),
                s -> Alignment.ofBytes(3 << 20));
        add(c, a, "`Alignment.ofBytes(0)`", "IllegalArgumentException", "alignment 0:", s -> Alignment.ofBytes(0));
    }

    private static void open(List<Case> c) {
        String a = "open";
        add(c, a, "`ofLength(4096).offset(Long.MAX_VALUE & -4096).createIfAbsent()`", "SourceRangeException",
                String.valueOf(Long.MAX_VALUE & -4096), s -> DaxMapping.open(s.absent("x"),
                        MapOptions.ofLength(4096).offset(Long.MAX_VALUE & -4096).createIfAbsent().emulateMapSync()));
        add(c, a, "`ofLength(Long.MAX_VALUE - 4095).offset(8192)` of an existing file", "SourceRangeException",
                "8192", s -> DaxMapping.open(s.file("f", M1),
                        MapOptions.ofLength(Long.MAX_VALUE - 4095).offset(8192).emulateMapSync()));
        add(c, a, "create 8 EiB - 4 KiB on tmpfs", "FileSystemException", "ENOSPC",
                s -> DaxMapping.open(s.absent("x"), MapOptions.ofLength(Long.MAX_VALUE & -4096).createIfAbsent()
                        .emulateMapSync()));
        for (Alignment alignment : Alignment.values()) {
            add(c, a, "8 EiB sparse file, read-only, `alignment(" + alignment.name() + ")`", "FileSystemException",
                    "ENOMEM", s -> {
                        Path sparse = s.file("sparse", Long.MAX_VALUE);
                        return DaxMapping.open(sparse, MapOptions.ofLength(Long.MAX_VALUE & -alignment.bytes())
                                .alignment(alignment).readOnly().emulateMapSync());
                    });
        }
        add(c, a, "a missing file, no create", "NoSuchFileException", "missing",
                s -> DaxMapping.open(s.absent("missing"), EMULATED));
        add(c, a, "a missing file in a missing directory, create", "NoSuchFileException", "nodir",
                s -> DaxMapping.open(s.absent("nodir").resolve("x"), MapOptions.ofLength(4096).createIfAbsent()
                        .emulateMapSync()));
        add(c, a, "a directory", "UnsupportedSourceException", "directory",
                s -> DaxMapping.open(s.declare(Files.createDirectory(s.dir.resolve("d"))), EMULATED));
        add(c, a, "a fifo", "UnsupportedSourceException", "fifo", s -> {
            Path fifo = s.declare(s.dir.resolve("fifo"));
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            return DaxMapping.open(fifo, EMULATED);
        });
        add(c, a, "a Unix socket", "UnsupportedSourceException", "socket", s -> {
            Path socket = s.declare(s.dir.resolve("sock"));
            try (ServerSocketChannel server = ServerSocketChannel.open(UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                return DaxMapping.open(socket, EMULATED);
            }
        });
        add(c, a, "`/dev/null`, a character device that is not device-DAX", "UnsupportedSourceException",
                "/dev/null", s -> DaxMapping.open(Path.of("/dev/null"), EMULATED));
        add(c, a, "a dangling symbolic link, no create", "NoSuchFileException", "dangling",
                s -> DaxMapping.open(s.declare(Files.createSymbolicLink(s.dir.resolve("dangling"),
                        s.dir.resolve("nowhere"))), EMULATED));
        add(c, a, "a symbolic link loop", "FileSystemException", "ELOOP", s -> {
            Path one = s.declare(s.dir.resolve("one"));
            Path two = s.declare(Files.createSymbolicLink(s.dir.resolve("two"), one));
            Files.createSymbolicLink(one, two);
            return DaxMapping.open(one, EMULATED);
        });
        add(c, a, "a zip file system's path of an existing file's name", "UnsupportedSourceException", "zip",
                s -> {
                    Path real = s.file("f", M1);
                    Path zip = s.declare(s.dir.resolve("z.zip"));
                    try (FileSystem zipfs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()),
                            Map.of("create", "true"))) {
                        return DaxMapping.open(zipfs.getPath(real.toString()), EMULATED);
                    }
                });
        add(c, a, "`null` path", "NullPointerException", "path", s -> DaxMapping.open(null, EMULATED));
        add(c, a, "`null` options", "NullPointerException", "options", s -> DaxMapping.open(s.file("f", M1), null));
        add(c, a, "an empty file, whole source", "SourceRangeException", "offset 0",
                s -> DaxMapping.open(s.file("empty", 0), EMULATED));
        add(c, a, "an 8195-byte file, whole source", "AlignmentException", "8195",
                s -> DaxMapping.open(s.file("odd", 8195), EMULATED));
        add(c, a, "offset 4097", "AlignmentException", "4097",
                s -> DaxMapping.open(s.file("f", M1), MapOptions.wholeSource().offset(4097).emulateMapSync()));
        add(c, a, "length 5000", "AlignmentException", "5000",
                s -> DaxMapping.open(s.file("f", M1), MapOptions.ofLength(5000).emulateMapSync()));
        add(c, a, "offset at the end of the file", "SourceRangeException", String.valueOf(M1),
                s -> DaxMapping.open(s.file("f", M1), MapOptions.wholeSource().offset(M1).emulateMapSync()));
        add(c, a, "offset past the end of the file", "SourceRangeException", String.valueOf(2 * M1),
                s -> DaxMapping.open(s.file("f", M1), MapOptions.ofLength(4096).offset(2 * M1).emulateMapSync()));
        add(c, a, "length past the end of the file", "SourceRangeException", String.valueOf(2 * M1),
                s -> DaxMapping.open(s.file("f", M1), MapOptions.ofLength(2 * M1).emulateMapSync()));
        add(c, a, "an existing file shorter than a create's length (never grown)", "SourceRangeException",
                String.valueOf(2 * M1), s -> DaxMapping.open(s.file("f", M1), MapOptions.ofLength(2 * M1)
                        .createIfAbsent().emulateMapSync()));
        add(c, a, "`alignment(HUGE_2M)`, strict, on plain tmpfs", "AlignmentException", "huge=always",
                s -> DaxMapping.open(s.file("f", 4 * M1), MapOptions.wholeSource().alignment(Alignment.HUGE_2M)
                        .strict(true).emulateMapSync()));
        add(c, a, "`alignment(HUGE_1G)`, strict, create on plain tmpfs", "AlignmentException", "1 GiB",
                s -> DaxMapping.open(s.absent("x"), MapOptions.ofLength(1L << 30).alignment(Alignment.HUGE_1G)
                        .strict(true).createIfAbsent().emulateMapSync()));
        add(c, a, "`alignment(HUGE_2M)` of a file of 1 MiB", "AlignmentException", String.valueOf(M1),
                s -> DaxMapping.open(s.file("f", M1), MapOptions.wholeSource().alignment(Alignment.HUGE_2M)
                        .emulateMapSync()));
        add(c, a, "tmpfs without `emulateMapSync()`", "MapSyncUnavailableException", "EOPNOTSUPP",
                s -> DaxMapping.open(s.file("f", M1), MapOptions.wholeSource()));
        add(c, a, "`FENCE_ONLY` without eADR or `acceptNonDurableStores()`", "DaxException", "FENCE_ONLY",
                s -> DaxMapping.open(s.file("f", M1), EMULATED.persistMechanism(PersistMechanism.FENCE_ONLY)));
        add(c, a, "`NONE` without `acceptNonDurableStores()`", "DaxException", "NONE",
                s -> DaxMapping.open(s.file("f", M1), EMULATED.persistMechanism(PersistMechanism.NONE)));
        add(c, a, "`exclusive()` while another exclusive mapping holds the file", "SourceInUseException", "in use",
                s -> {
                    Path f = s.file("f", M1);
                    s.hold(DaxMapping.open(f, EMULATED.exclusive()));
                    return DaxMapping.open(f, EMULATED.exclusive());
                });
        add(c, a, "`exclusive()`, then an open that is not (advisory: it maps)", "returns", null, s -> {
            Path f = s.file("f", M1);
            s.hold(DaxMapping.open(f, EMULATED.exclusive()));
            return DaxMapping.open(f, EMULATED);
        });
        add(c, a, "create where the name exists as a directory", "UnsupportedSourceException", "directory",
                s -> DaxMapping.open(s.declare(Files.createDirectory(s.dir.resolve("d"))),
                        MapOptions.ofLength(4096).createIfAbsent().emulateMapSync()));
    }

    private static void operations(List<Case> c) {
        String a = "mapping";
        long size = M1;
        record Op(String what, String names, Mutation op) {
        }
        List<Op> outOfRange = List.of(
                new Op("`persist(-1, 8)`", "[-1, -1 + 8)", m -> m.persist(-1, 8)),
                new Op("`persist(0, -1)`", "0 + -1", m -> m.persist(0, -1)),
                new Op("`persist(Long.MAX_VALUE, 1)`", String.valueOf(Long.MAX_VALUE), m -> m.persist(Long.MAX_VALUE, 1)),
                new Op("`persist(size - 8, 16)`", String.valueOf(size - 8), m -> m.persist(size - 8, 16)),
                new Op("`persist(8, Long.MAX_VALUE)`", String.valueOf(Long.MAX_VALUE), m -> m.persist(8, Long.MAX_VALUE)),
                new Op("`flush(size, 1)`", String.valueOf(size), m -> m.flush(size, 1)),
                new Op("`copy(size - 4, 8 bytes)`", String.valueOf(size - 4),
                        m -> m.copy(size - 4, MemorySegment.ofArray(new byte[8]))),
                new Op("`copy(Long.MAX_VALUE, 8 bytes)`", String.valueOf(Long.MAX_VALUE),
                        m -> m.copy(Long.MAX_VALUE, MemorySegment.ofArray(new byte[8]))),
                new Op("`copy(-64, 64 bytes, NON_TEMPORAL)`", "-64",
                        m -> m.copy(-64, MemorySegment.ofArray(new byte[64]), PersistFlag.NON_TEMPORAL)),
                new Op("`fill(0, -1, 0)`", "0 + -1", m -> m.fill(0, -1, (byte) 0)),
                new Op("`fill(size - 1, 2, 0)`", String.valueOf(size - 1), m -> m.fill(size - 1, 2, (byte) 0)),
                new Op("`move(0, 64, Long.MAX_VALUE)`", String.valueOf(Long.MAX_VALUE), m -> m.move(0, 64, Long.MAX_VALUE)),
                new Op("`move(-1, 0, 8)`", "[-1, -1 + 8)", m -> m.move(-1, 0, 8)),
                new Op("`move(0, size - 4, 8)`", String.valueOf(size - 4), m -> m.move(0, size - 4, 8)),
                new Op("`putLong(size - 4, 1)`", String.valueOf(size - 4), m -> m.putLong(size - 4, 1)),
                new Op("`putLong(-8, 1)`", "offset = -8", m -> m.putLong(-8, 1)),
                new Op("`getInt(size)`", String.valueOf(size), m -> m.getInt(size)),
                new Op("`write(size - 2, 4 bytes)`", String.valueOf(size - 2),
                        m -> m.write(size - 2, MemorySegment.ofArray(new byte[4]))),
                new Op("`read(size - 4, 8 bytes)`", String.valueOf(size - 4),
                        m -> m.read(size - 4, MemorySegment.ofArray(new byte[8]))),
                new Op("`read(-1, 8 bytes)`", "[-1, -1 + 8)", m -> m.read(-1, MemorySegment.ofArray(new byte[8]))),
                new Op("`crc32cMatches(size - 8, 16, 0)`", String.valueOf(size - 8),
                        m -> m.crc32cMatches(size - 8, 16, 0)),
                new Op("`crc32cMatches(0, -1, 0)`", "0 + -1", m -> m.crc32cMatches(0, -1, 0)),
                new Op("`crc32cMatches(Long.MAX_VALUE, 8, 0)`", String.valueOf(Long.MAX_VALUE),
                        m -> m.crc32cMatches(Long.MAX_VALUE, 8, 0)));
        for (Op op : outOfRange) {
            add(c, a, op.what() + " of a 1 MiB mapping", "IndexOutOfBoundsException", op.names(), s -> {
                op.op().apply(s.map(s.file("f", size)));
                return null;
            });
        }
        add(c, a, "`putLongAtomic(3, 1)`: not 8-byte aligned", "IllegalArgumentException", "offset 3 ",
                s -> {
                    s.map(s.file("f", size)).putLongAtomic(3, 1);
                    return null;
                });
        add(c, a, "`getLongAtomic(12)`: not 8-byte aligned", "IllegalArgumentException", "offset 12 ",
                s -> s.map(s.file("f", size)).getLongAtomic(12));
        add(c, a, "`copy` with `TEMPORAL` and `NON_TEMPORAL`", "IllegalArgumentException", "TEMPORAL", s -> {
            s.map(s.file("f", size)).copy(0, MemorySegment.ofArray(new byte[8]), PersistFlag.TEMPORAL,
                    PersistFlag.NON_TEMPORAL);
            return null;
        });
        add(c, a, "`copy` from a segment whose arena is closed", "IllegalStateException", null, s -> {
            DaxMapping m = s.map(s.file("f", size));
            MemorySegment gone;
            try (Arena arena = Arena.ofConfined()) {
                gone = arena.allocate(64);
            }
            m.copy(0, gone);
            return null;
        });
        add(c, a, "`persist` after `close()`", "IllegalStateException", "closed", s -> {
            DaxMapping m = DaxMapping.open(s.file("f", size), EMULATED);
            m.close();
            m.persist(0, 8);
            return null;
        });
        add(c, a, "`segment().get` after `close()`", "IllegalStateException", null, s -> {
            DaxMapping m = DaxMapping.open(s.file("f", size), EMULATED);
            m.close();
            return m.segment().get(JAVA_LONG, 0);
        });
        add(c, a, "`putLong` after `close()`", "IllegalStateException", "closed", s -> {
            DaxMapping m = DaxMapping.open(s.file("f", size), EMULATED);
            m.close();
            m.putLong(0, 1);
            return null;
        });
        add(c, a, "`close()` twice", "returns", null, s -> {
            DaxMapping m = DaxMapping.open(s.file("f", size), EMULATED);
            m.close();
            m.close();
            return null;
        });
        add(c, a, "`putLong` on a read-only mapping", "ReadOnlyBufferException", "read-only", s -> {
            s.mapReadOnly(s.file("f", size)).putLong(0, 1);
            return null;
        });
        add(c, a, "`copy` on a read-only mapping", "ReadOnlyBufferException", "read-only", s -> {
            s.mapReadOnly(s.file("f", size)).copy(0, MemorySegment.ofArray(new byte[8]));
            return null;
        });
        add(c, a, "`segment().set` on a read-only mapping", "IllegalArgumentException", null, s -> {
            s.mapReadOnly(s.file("f", size)).segment().set(JAVA_LONG, 0, 1);
            return null;
        });
        add(c, a, "`deepFlush(-1, 8)`", "IndexOutOfBoundsException", "[-1, -1 + 8)", s -> {
            s.map(s.file("f", size)).deepFlush(-1, 8);
            return null;
        });
        add(c, a, "file truncated under a mapping, then a non-temporal `fill` (child JVM)", "MemoryFaultException",
                "SIGBUS", s -> child(s, null, "truncated", s.file("f", size).toString()));
        add(c, a, "file truncated under a mapping, then `crc32cMatches` (child JVM)", "InternalError",
                "fault", s -> child(s, null, "truncated-crc", s.file("f", size).toString()));
    }

    @FunctionalInterface
    interface Mutation {
        void apply(DaxMapping mapping) throws Exception;
    }

    private static void properties(List<Case> c) {
        String a = "system property";
        for (String[] p : new String[][] {{"dax4j.persist", "garbage"}, {"dax4j.persist", "simulated_byte"},
                {"dax4j.persist", "clwb;rm"}, {"dax4j.nonTemporalThreshold", "abc"},
                {"dax4j.nonTemporalThreshold", "99999999999999999999"}, {"dax4j.nonTemporalThreshold", "-1"},
                {"dax4j.nonTemporalThreshold", "1.5"}, {"dax4j.nonTemporalThreshold", "0x100"},
                {"dax4j.nonTemporalThreshold", "256K"}}) {
            add(c, a, "`-D" + p[0] + "=" + p[1] + "` (child JVM)", "IllegalArgumentException", p[1],
                    s -> child(s, "-D" + p[0] + "=" + p[1], "open", s.file("f", M1).toString()));
        }
        add(c, a, "`-Ddax4j.persist=` (blank: the default)", "returns", null,
                s -> child(s, "-Ddax4j.persist=", "open", s.file("f", M1).toString()));
    }

    private static void directory(List<Case> c) {
        String a = "directory";
        add(c, a, "create with an empty name", "IllegalArgumentException", "''", s -> Directory.open(s.map(
                s.device("d"))).create("", Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with a 41-byte name", "IllegalArgumentException", "41", s -> Directory.open(s.map(
                s.device("d"))).create("x".repeat(41), Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with a 14-character name of 42 UTF-8 bytes", "IllegalArgumentException", "42",
                s -> Directory.open(s.map(s.device("d"))).create("\u20ac".repeat(14), Forgery.SLOT, 1,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with a lone surrogate `\\uD800`", "IllegalArgumentException", "UTF-8",
                s -> Directory.open(s.map(s.device("d"))).create("\uD800", Forgery.SLOT, 1,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with a `null` name", "NullPointerException", "name", s -> Directory.open(s.map(
                s.device("d"))).create(null, Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with count 0", "IllegalArgumentException", "element: 0", s -> Directory.open(s.map(
                s.device("d"))).create("r", Forgery.SLOT, 0, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with count -1", "IllegalArgumentException", "element: -1", s -> Directory.open(s.map(
                s.device("d"))).create("r", Forgery.SLOT, -1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with count `Long.MAX_VALUE`", "DirectoryException FULL", String.valueOf(Long.MAX_VALUE),
                s -> Directory.open(s.map(s.device("d"))).create("r", Forgery.SLOT, Long.MAX_VALUE,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "create with count `1 << 58`, isolated", "DirectoryException FULL", String.valueOf(1L << 58),
                s -> Directory.open(s.map(s.device("d"))).create("r", Forgery.SLOT, 1L << 58,
                        RegionAlignment.CACHE_LINE, true));
        add(c, a, "create with count 1 MiB / 16 (the device's size)", "DirectoryException FULL", "1048576",
                s -> Directory.open(s.map(s.device("d"))).create("r", Forgery.SLOT, 65536,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "create a name that exists", "DirectoryException EXISTS", "first", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            return Directory.open(m).create("first", Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false);
        });
        add(c, a, "the 64th create in a directory of 63 entries", "DirectoryException FULL", "entr", s -> {
            Directory d = Directory.open(s.map(s.device("d")));
            for (int i = 0; i < Directory.DEFAULT_CAPACITY; i++) {
                d.create("r" + i, Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false);
            }
            return d.create("last", Forgery.SLOT, 1, RegionAlignment.CACHE_LINE, false);
        });
        add(c, a, "open a missing region", "DirectoryException NOT_FOUND", "nope",
                s -> Directory.open(s.map(s.device("d"))).open("nope", Forgery.SLOT));
        add(c, a, "open with another layout", "DirectoryException LAYOUT_MISMATCH", "first", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            return Directory.open(m).open("first", MemoryLayout.structLayout(JAVA_LONG.withName("other")));
        });
        add(c, a, "delete a missing region", "DirectoryException NOT_FOUND", "nope", s -> {
            Directory.open(s.map(s.device("d"))).delete("nope");
            return null;
        });
        add(c, a, "a layout holding an address", "DirectoryException LAYOUT_RULE", "address",
                s -> Directory.open(s.map(s.device("d"))).create("r", MemoryLayout.structLayout(
                        ADDRESS.withName("p")), 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "a layout with an unaligned long (`withByteAlignment(1)`)", "DirectoryException LAYOUT_RULE",
                "alignment", s -> Directory.open(s.map(s.device("d"))).create("r", MemoryLayout.structLayout(
                        JAVA_LONG.withByteAlignment(1).withName("x")), 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "a layout of 12 bytes aligned to 8", "DirectoryException LAYOUT_RULE", "12",
                s -> Directory.open(s.map(s.device("d"))).create("r", MemoryLayout.structLayout(
                        JAVA_LONG.withName("a"), JAVA_INT.withName("b")).withByteAlignment(8), 1,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "a union whose members differ in size", "DirectoryException LAYOUT_RULE", "union",
                s -> Directory.open(s.map(s.device("d"))).create("r", MemoryLayout.unionLayout(
                        JAVA_LONG.withName("a"), JAVA_INT.withName("b")), 1, RegionAlignment.CACHE_LINE, false));
        add(c, a, "create on a read-only mapping", "ReadOnlyBufferException", "read-only",
                s -> Directory.open(s.mapReadOnly(s.device("d"))).create("r", Forgery.SLOT, 1,
                        RegionAlignment.CACHE_LINE, false));
        add(c, a, "`Directory.open(m, 0)`: capacity 0", "IllegalArgumentException", "0",
                s -> Directory.open(s.map(s.file("f", M1)), 0));
        add(c, a, "`Directory.open(m, 1 << 20)`: more entries than the device holds", "IllegalArgumentException",
                String.valueOf(1 << 20), s -> Directory.open(s.map(s.file("f", M1)), 1 << 20));
        add(c, a, "a device of another program's bytes (not the magic)", "DirectoryException CORRUPTED", "magic",
                s -> {
            Path d = s.file("d", M1);
            Files.write(d, "#!/bin/sh\necho another program's data\n".getBytes(StandardCharsets.UTF_8));
            try (RandomAccessFile raf = new RandomAccessFile(d.toFile(), "rw")) {
                raf.setLength(M1);
            }
            return Directory.open(s.map(d));
        });
        add(c, a, "a device whose first 8 bytes are zero but not the rest", "DirectoryException NOT_EMPTY",
                "byte 100", s -> {
                    DaxMapping m = s.map(s.file("d", M1));
                    m.putByte(100, (byte) 7);
                    return Directory.open(m);
                });
        add(c, a, "`element(16)` of a 16-element region", "IndexOutOfBoundsException", "16", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            return Directory.open(m).open("first", Forgery.SLOT).element(16);
        });
        add(c, a, "`element(-1)`", "IndexOutOfBoundsException", "-1", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            return Directory.open(m).open("first", Forgery.SLOT).element(-1);
        });
        // the on-device format, forged with valid checksums
        forgedHeader(c, "version 2", "version", h -> h.set(JAVA_INT_UNALIGNED, Forgery.H_VERSION, 2));
        forgedHeader(c, "capacity 0", "capacity", h -> h.set(JAVA_INT_UNALIGNED, Forgery.H_CAPACITY, 0));
        forgedHeader(c, "capacity 2^31 - 1", "capacity", h -> h.set(JAVA_INT_UNALIGNED, Forgery.H_CAPACITY,
                Integer.MAX_VALUE));
        forgedHeader(c, "dataStart inside the entries", "data start 64", h -> h.set(JAVA_LONG_UNALIGNED,
                Forgery.H_DATA_START, 64));
        forgedHeader(c, "dataStart past the device's end", "data start " + 2 * M1, h -> h.set(JAVA_LONG_UNALIGNED,
                Forgery.H_DATA_START, 2 * M1));
        forgedHeader(c, "a reserved byte set", "reserved byte 30", h -> h.set(JAVA_BYTE, 30, (byte) 1));
        add(c, a, "a header byte flipped (CRC no longer matches)", "DirectoryException CORRUPTED", "header", s -> {
            DaxMapping m = s.map(s.device("d"));
            m.putByte(13, (byte) 0x40);
            return Directory.open(m);
        });
        add(c, a, "an entry state neither free nor published", "DirectoryException CORRUPTED", "invariant 1", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            m.putLong(Forgery.HEADER_BYTES, 0x1234);
            return Directory.open(m);
        });
        add(c, a, "an entry byte flipped", "DirectoryException CORRUPTED", "invariant 2", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            m.putByte(Forgery.HEADER_BYTES + 20, (byte) 0x40);
            return Directory.open(m);
        });
        forgedEntry(c, "name length 0", "invariant 3", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_NAME_LENGTH, 0));
        forgedEntry(c, "name length 41", "invariant 3", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_NAME_LENGTH, 41));
        forgedEntry(c, "name of invalid UTF-8 (0xC3 0x28)", "invariant 3", e -> {
            e.set(JAVA_BYTE, Forgery.E_NAME, (byte) 0xC3);
            e.set(JAVA_BYTE, Forgery.E_NAME + 1, (byte) 0x28);
        });
        forgedEntry(c, "count 0", "invariant 4", e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_COUNT, 0));
        forgedEntry(c, "count -1", "invariant 4", e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_COUNT, -1));
        forgedEntry(c, "count `Long.MAX_VALUE` (count * stride overflows)", "invariant",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_COUNT, Long.MAX_VALUE));
        forgedEntry(c, "stride 8 for 16-byte elements", "invariant 4",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_STRIDE, 8));
        forgedEntry(c, "an unknown flag", "invariant 4", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_FLAGS, 2));
        forgedEntry(c, "element size 0", "invariant 4", e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_ELEMENT_SIZE, 0));
        forgedEntry(c, "alignment 0", "invariant 5", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_ALIGN, 0));
        forgedEntry(c, "alignment 96", "invariant 5", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_ALIGN, 96));
        forgedEntry(c, "alignment 32", "invariant 5", e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_ALIGN, 32));
        forgedEntry(c, "offset not a multiple of its alignment", "invariant 5",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, e.get(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET) + 8));
        forgedEntry(c, "offset past the device's end", "invariant 6",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, 4 * M1));
        forgedEntry(c, "offset -64", "invariant", e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, -64));
        forgedEntry(c, "offset 0 (over the directory)", "invariant 6",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, 0));
        forgedEntry(c, "text past the device's end", "invariant 6",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_TEXT_AT, 2 * M1));
        forgedEntry(c, "text length 0", "invariant 7",
                e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_TEXT_LENGTH, 0));
        add(c, a, "entry forged with a valid CRC: text of 3.75 GiB on a 4 GiB device", "DirectoryException CORRUPTED",
                "4026531840 bytes (invariant 7", s -> {
                    Path big = s.file("big", 4L << 30); // sparse: only the first MiB is ever written
                    try (DaxMapping m = DaxMapping.open(big, MapOptions.ofLength(M1).emulateMapSync())) {
                        Forgery.twoRegions(m);
                        Forgery.entry(m, 1, e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_TEXT_LENGTH, 0xF000_0000));
                    }
                    return Directory.open(s.mapReadOnly(big));
                });
        forgedEntry(c, "text length 2^31 - 1", "invariant 6",
                e -> e.set(JAVA_INT_UNALIGNED, Forgery.E_TEXT_LENGTH, Integer.MAX_VALUE));
        forgedEntry(c, "a signature that is not the text's", "invariant 7",
                e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_SIGNATURE, 42));
        forgedEntry(c, "the first region's name (duplicate)", "invariant 8", (e, first) -> {
            e.set(JAVA_INT_UNALIGNED, Forgery.E_NAME_LENGTH, 5);
            MemorySegment.copy(MemorySegment.ofArray("first".getBytes(StandardCharsets.UTF_8)), 0, e,
                    Forgery.E_NAME, 5);
        });
        forgedEntry(c, "a range inside the first region's", "invariant 9",
                (e, first) -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, first + 64));
    }

    /** A forged header: refused as CORRUPTED naming {@code names}. */
    private static void forgedHeader(List<Case> c, String what, String names,
                                     java.util.function.Consumer<MemorySegment> change) {
        add(c, "directory", "header forged with a valid CRC: " + what, "DirectoryException CORRUPTED", names, s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.header(m, change);
            return Directory.open(m);
        });
    }

    /** Entry 1 ("second") forged: refused as CORRUPTED naming {@code names}, the invariant. */
    private static void forgedEntry(List<Case> c, String what, String names,
                                    java.util.function.Consumer<MemorySegment> change) {
        forgedEntry(c, what, names, (entry, first) -> change.accept(entry));
    }

    /** {@link #forgedEntry}, the change also given the offset of entry 0's region ("first"). */
    private static void forgedEntry(List<Case> c, String what, String names,
                                    java.util.function.BiConsumer<MemorySegment, Long> change) {
        add(c, "directory", "entry forged with a valid CRC: " + what, "DirectoryException CORRUPTED", names, s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.twoRegions(m);
            long first = Directory.open(m).find("first").orElseThrow().offset();
            Forgery.entry(m, 1, e -> change.accept(e, first));
            return Directory.open(m).list();
        });
    }

    private static void log(List<Case> c) {
        String a = "write-ahead log";
        for (long capacity : new long[] {0, -1, 63, Long.MAX_VALUE, (1L << 40) + 1}) {
            add(c, a, "open with capacity " + capacity, "IllegalArgumentException", "capacity " + capacity, s -> {
                DaxMapping m = s.map(s.device("d"));
                try {
                    return WriteAheadLog.open(m, Directory.open(m), "wal", capacity);
                } finally {
                    assertEquals(List.of(), Directory.open(m).list(), "no orphan region");
                }
            });
        }
        add(c, a, "append an empty record", "IllegalArgumentException", "empty",
                s -> Forgery.log(s.map(s.device("d"))).append(new byte[0]));
        add(c, a, "append a record larger than the log", "IllegalStateException", "full",
                s -> Forgery.log(s.map(s.device("d"))).append(new byte[5000]));
        add(c, a, "append a group holding an empty record", "IllegalArgumentException", "empty",
                s -> Forgery.log(s.map(s.device("d"))).append(List.of(new byte[1], new byte[0])));
        add(c, a, "append a group larger than the log", "IllegalStateException", "group",
                s -> Forgery.log(s.map(s.device("d"))).append(List.of(new byte[3000], new byte[3000])));
        add(c, a, "truncate before the head", "IllegalArgumentException", "before the head", s -> {
            WriteAheadLog log = Forgery.log(s.map(s.device("d")));
            log.truncate(log.head() - 64);
            return null;
        });
        add(c, a, "truncate past the tail", "IllegalArgumentException", "not the LSN", s -> {
            WriteAheadLog log = Forgery.log(s.map(s.device("d")));
            log.truncate(log.tail() + 64);
            return null;
        });
        add(c, a, "truncate to an LSN written inside a payload", "IllegalArgumentException",
                String.valueOf(1L << 40 | 16), s -> {
                    DaxMapping m = s.map(s.device("d"));
                    WriteAheadLog log = WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
                    byte[] payload = new byte[40];
                    MemorySegment.ofArray(payload).set(JAVA_LONG_UNALIGNED, 8, 1L << 40 | 16);
                    log.append(payload);
                    log.append(new byte[1]);
                    log.truncate(1L << 40 | 16);
                    return null;
                });
        add(c, a, "readFrom an LSN written inside a payload", "IllegalArgumentException",
                String.valueOf(1L << 40 | 16), s -> {
                    DaxMapping m = s.map(s.device("d"));
                    WriteAheadLog log = WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
                    byte[] payload = new byte[40];
                    MemorySegment.ofArray(payload).set(JAVA_LONG_UNALIGNED, 8, 1L << 40 | 16);
                    log.append(payload);
                    return log.readFrom(1L << 40 | 16);
                });
        add(c, a, "readFrom an older generation's LSN with a huge offset", "IllegalArgumentException",
                String.valueOf(1L << 40 | ((1L << 40) - 64)), s -> {
                    DaxMapping m = s.map(s.device("d"));
                    Forgery.log(m);
                    return WriteAheadLog.open(m, Directory.open(m), "wal", 4096).readFrom(1L << 40 | ((1L << 40)
                            - 64));
                });
        add(c, a, "truncate to an older generation's LSN with a huge offset", "IllegalArgumentException",
                String.valueOf(1L << 40 | ((1L << 40) - 64)), s -> {
                    DaxMapping m = s.map(s.device("d"));
                    Forgery.log(m);
                    WriteAheadLog.open(m, Directory.open(m), "wal", 4096).truncate(1L << 40 | ((1L << 40) - 64));
                    return null;
                });
        add(c, a, "both head copies damaged", "DirectoryException CORRUPTED", "H1", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.log(m);
            long at = Directory.open(m).find("wal.head").orElseThrow().offset();
            m.putByte(at + 15, (byte) 0x7f);
            m.putByte(at + 64 + 15, (byte) 0x7f);
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
        });
        long g = 1L << 40;
        for (Object[] f : new Object[][] {{0L, 0L, "H3: generation 0"}, {0L, 1L << 24, "H3: generation 16777216"},
                {0L, -1L, "H3: generation -1"}, {0L, 1L << 23, "H3: generation 8388608"},
                {5 * g, 4L, "H4: head LSN 0x50000000000 is of generation 5"},
                {2 * g | 72, 2L, "H5: head LSN 0x20000000048 has offset 72"},
                {2 * g | M1, 2L, "H5: head LSN 0x20000100000 has offset 1048576"}}) {
            add(c, a, "head forged with a valid CRC: LSN 0x" + Long.toHexString((Long) f[0]) + ", generation " + f[1],
                    "DirectoryException CORRUPTED", (String) f[2], s -> {
                        DaxMapping m = s.map(s.device("d"));
                        Forgery.log(m);
                        Forgery.logHead(m, 1, (Long) f[0], (Long) f[1]);
                        return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
                    });
        }
        add(c, a, "a head of format version 2 (a newer dax4j's)", "DirectoryException CORRUPTED",
                "H2: format version 2", s -> {
                    DaxMapping m = s.map(s.device("d"));
                    Forgery.log(m);
                    Forgery.logHead(m, 1, 0, 3, 2);
                    return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
                });
        add(c, a, "a head at its last generation", "IllegalStateException", "8388607", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.log(m);
            Forgery.logHead(m, 0, 0, (1L << 23) - 1);
            Forgery.logHead(m, 1, 0, (1L << 23) - 1);
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
        });
        add(c, a, "both head copies zero but records in the log", "DirectoryException CORRUPTED", "H1", s -> {
            DaxMapping m = s.map(s.device("d"));
            Forgery.log(m);
            m.fill(Directory.open(m).find("wal.head").orElseThrow().offset(), 128, (byte) 0);
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
        });
        add(c, a, "the head region's entry forged to one copy (valid CRC)", "DirectoryException CORRUPTED",
                "1 head copies", s -> {
                    DaxMapping m = s.map(s.device("d"));
                    Forgery.log(m);
                    Forgery.entry(m, 0, e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_COUNT, 1));
                    return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
                });
        add(c, a, "open a log that does not fit the device", "DirectoryException FULL", "wal", s -> {
            DaxMapping m = s.map(s.device("d"));
            try {
                return WriteAheadLog.open(m, Directory.open(m), "wal", 1L << 30);
            } finally {
                assertEquals(List.of(), Directory.open(m).list(), "no orphan head region");
            }
        });
        add(c, a, "open with a `null` name", "NullPointerException", "name", s -> {
            DaxMapping m = s.map(s.device("d"));
            try {
                return WriteAheadLog.open(m, Directory.open(m), null, 4096);
            } finally {
                assertEquals(List.of(), Directory.open(m).list(), "no region 'null.head'");
            }
        });
        add(c, a, "append `(byte[]) null`", "NullPointerException", "payload",
                s -> Forgery.log(s.map(s.device("d"))).append((byte[]) null));
        add(c, a, "a region `wal.head` of another layout", "DirectoryException LAYOUT_MISMATCH", "wal.head", s -> {
            DaxMapping m = s.map(s.device("d"));
            Directory.open(m).create("wal.head", Forgery.SLOT, 2, RegionAlignment.CACHE_LINE, false);
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
        });
        add(c, a, "open a missing log on a read-only mapping", "ReadOnlyBufferException", "read-only", s -> {
            DaxMapping m = s.mapReadOnly(s.device("d"));
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096);
        });
        add(c, a, "append on a read-only mapping", "ReadOnlyBufferException", "read-only", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                Forgery.log(m);
            }
            DaxMapping m = s.mapReadOnly(d);
            return WriteAheadLog.open(m, Directory.open(m), "wal", 4096).append(new byte[1]);
        });
        add(c, a, "a live record's payload damaged after the open, then readFrom", "IllegalStateException",
                "CRC", s -> {
                    DaxMapping m = s.map(s.device("d"));
                    WriteAheadLog log = Forgery.log(m);
                    long record = Forgery.logBase(m) + 64 + 20;
                    m.putByte(record, (byte) ~m.getByte(record));
                    return log.readFrom(0);
                });
        add(c, a, "a live record's length damaged after the open, then truncate", "IllegalStateException",
                "length", s -> {
                    DaxMapping m = s.map(s.device("d"));
                    WriteAheadLog log = Forgery.log(m);
                    m.putInt(Forgery.logBase(m) + 64, Integer.MAX_VALUE); // the head record's
                    log.truncate(log.head() + 128); // the record after it: the walk meets the damage
                    return null;
                });
    }

    private static void tables(List<Case> c) {
        String a = "key-value table";
        add(c, a, "open with capacity `1 << 58`", "DirectoryException FULL", String.valueOf(1L << 58), s -> {
            DaxMapping m = s.map(s.device("d"));
            return KeyValueTable.open(m, Directory.open(m), "kv", 1L << 58);
        });
        add(c, a, "open with capacity 0", "IllegalArgumentException", "element: 0", s -> {
            DaxMapping m = s.map(s.device("d"));
            return KeyValueTable.open(m, Directory.open(m), "kv", 0);
        });
        add(c, a, "put a 25-byte value", "IllegalArgumentException", "bytes: 25", s -> {
            DaxMapping m = s.map(s.device("d"));
            KeyValueTable.open(m, Directory.open(m), "kv", 8).put(1, new byte[25]);
            return null;
        });
        add(c, a, "put into a full table", "IllegalStateException", "full", s -> {
            DaxMapping m = s.map(s.device("d"));
            KeyValueTable t = KeyValueTable.open(m, Directory.open(m), "kv", 2);
            t.put(1, new byte[1]);
            t.put(2, new byte[1]);
            t.put(3, new byte[1]);
            return null;
        });
        for (long state : new long[] {2, 6, 8, 0x7f, -1, 4L | 1L << 32}) {
            add(c, a, "a slot state forged to 0x" + Long.toHexString(state), "DirectoryException CORRUPTED",
                    "K1", s -> {
                        DaxMapping m = s.map(s.device("d"));
                        long at = Forgery.liveSlot(m, Forgery.table(m));
                        m.putLongAtomic(at, state);
                        return KeyValueTable.open(m, Directory.open(m), "kv", 8);
                    });
        }
        add(c, a, "a live value changed under its checksum", "DirectoryException CORRUPTED", "K2", s -> {
            DaxMapping m = s.map(s.device("d"));
            long at = Forgery.liveSlot(m, Forgery.table(m));
            m.putByte(at + 20, (byte) 9);
            return KeyValueTable.open(m, Directory.open(m), "kv", 8);
        });
        add(c, a, "a live key changed under its checksum", "DirectoryException CORRUPTED", "K2", s -> {
            DaxMapping m = s.map(s.device("d"));
            long at = Forgery.liveSlot(m, Forgery.table(m));
            m.putLong(at + 8, 99);
            return KeyValueTable.open(m, Directory.open(m), "kv", 8);
        });
        add(c, a, "a live slot copied with its checksum (duplicate key)", "DirectoryException CORRUPTED", "K3",
                s -> {
                    DaxMapping m = s.map(s.device("d"));
                    long base = Forgery.table(m);
                    long at = Forgery.liveSlot(m, base);
                    long next = base + (at - base + 64) % 512;
                    if (m.getLong(next) != 0) { // keys 1 and 2 side by side: copy over the one after them
                        next = base + (at - base + 128) % 512;
                    }
                    m.copy(next, m.segment().asSlice(at, 64));
                    return KeyValueTable.open(m, Directory.open(m), "kv", 8);
                });
        add(c, a, "a value damaged after the open, then get", "IllegalStateException", "CRC32C", s -> {
            DaxMapping m = s.map(s.device("d"));
            long at = Forgery.liveSlot(m, Forgery.table(m));
            KeyValueTable t = KeyValueTable.open(m, Directory.open(m), "kv", 8);
            m.putByte(at + 20, (byte) 9);
            return t.get(m.getLong(at + 8));
        });
        add(c, a, "a state damaged after the open, then entries", "IllegalStateException", "state 0x6", s -> {
            DaxMapping m = s.map(s.device("d"));
            long at = Forgery.liveSlot(m, Forgery.table(m));
            KeyValueTable t = KeyValueTable.open(m, Directory.open(m), "kv", 8);
            m.putLongAtomic(at, 6);
            return t.entries();
        });
        add(c, a, "put on a read-only mapping", "ReadOnlyBufferException", "read-only", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                Forgery.table(m);
            }
            DaxMapping m = s.mapReadOnly(d);
            KeyValueTable.open(m, Directory.open(m), "kv", 8).put(1, new byte[1]);
            return null;
        });
    }

    private static void commandLine(List<Case> c) {
        String a = "dax4j";
        add(c, a, "no command", "exit 2", "command", s -> cli());
        add(c, a, "`frobnicate`", "exit 2", "frobnicate", s -> cli("frobnicate"));
        add(c, a, "`info` of a missing file", "exit 1", "ENOENT", s -> cli("info", s.absent("missing").toString()));
        add(c, a, "`info` of a directory", "exit 1", "directory",
                s -> cli("info", s.declare(Files.createDirectory(s.dir.resolve("d"))).toString()));
        add(c, a, "`info` of an 8195-byte file", "exit 1", "8195", s -> cli("info", s.file("odd", 8195).toString()));
        add(c, a, "`create` over an existing file", "exit 1", "exists", s -> cli("create", s.file("f", M1)
                .toString(), "--size", "1M"));
        for (String size : new String[] {"lots", "0", "-4K", "99999999999G", "1.5M", ""}) {
            add(c, a, "`create --size '" + size + "'`", "exit 2", "not a size: '" + size + "'",
                    s -> cli("create", s.absent("x").toString(), "--size", size));
        }
        add(c, a, "`create --align 3M`", "exit 1", "3145728",
                s -> cli("create", s.absent("x").toString(), "--size", "4M", "--align", "3M"));
        add(c, a, "`create --align 2M` on plain tmpfs", "exit 1", "huge=always",
                s -> cli("create", s.absent("x").toString(), "--size", "4M", "--align", "2M"));
        add(c, a, "`check` of a missing file", "exit 1", "ENOENT", s -> cli("check", s.absent("missing").toString()));
        add(c, a, "`check` of another program's bytes", "exit 1", "damaged", s -> {
            Path d = s.file("d", M1);
            try (RandomAccessFile raf = new RandomAccessFile(d.toFile(), "rw")) {
                raf.write("not a directory".getBytes(StandardCharsets.UTF_8));
            }
            return cli("check", d.toString());
        });
        add(c, a, "`check` of a directory with overlapping regions (valid CRCs)", "exit 1", "invariant 9", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                Forgery.twoRegions(m);
                long first = Directory.open(m).find("first").orElseThrow().offset();
                Forgery.entry(m, 1, e -> e.set(JAVA_LONG_UNALIGNED, Forgery.E_OFFSET, first + 64));
            }
            return cli("check", d.toString());
        });
        add(c, a, "`check` of a log whose head copies are both damaged", "exit 1", "H1", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                Forgery.log(m);
                long at = Directory.open(m).find("wal.head").orElseThrow().offset();
                m.putByte(at + 3, (byte) 0x7f);
                m.putByte(at + 64 + 3, (byte) 0x7f);
            }
            return cli("check", d.toString());
        });
        add(c, a, "`check` of a table named `t.head` with a damaged value", "exit 1", "K2", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                KeyValueTable.open(m, Directory.open(m), "t.head", 4).put(1, new byte[] {1});
                long slot = Forgery.liveSlot(m, Directory.open(m).find("t.head").orElseThrow().offset());
                m.putByte(slot + 16, (byte) 2);
            }
            return cli("check", d.toString());
        });
        add(c, a, "`check` of a table with a forged state", "exit 1", "K1", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                m.putLongAtomic(Forgery.liveSlot(m, Forgery.table(m)), 6);
            }
            return cli("check", d.toString());
        });
        add(c, a, "`bench` of an 8 KiB file", "exit 1", "8192", s -> cli("bench", s.file("small", 8192).toString(),
                "--seconds", "0.1"));
        add(c, a, "`bench` of a device holding regions, no `--force`", "exit 1", "--force", s -> {
            Path d = s.device("d");
            try (DaxMapping m = DaxMapping.open(d, EMULATED)) {
                Forgery.twoRegions(m);
            }
            return cli("bench", d.toString(), "--seconds", "0.1");
        });
        add(c, a, "`bench --seconds NaN`", "exit 1", "NaN", s -> cli("bench", s.file("f", 4 * M1).toString(),
                "--seconds", "NaN"));
        add(c, a, "`bench --seconds -1`", "exit 1", "-1", s -> cli("bench", s.file("f", 4 * M1).toString(),
                "--seconds", "-1"));
        add(c, a, "`bench --seconds soon`", "exit 2", "soon", s -> cli("bench", s.file("f", 4 * M1).toString(),
                "--seconds", "soon"));
        add(c, a, "`bench` of a missing file", "exit 1", "ENOENT", s -> cli("bench", s.absent("missing").toString()));
    }

    // ----------------------------------------------------------------------------------------------------------

    /** Runs the command line in this JVM: {@return its exit code and standard error} */
    private static Outcome cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Dax4jCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome("exit " + exit, err.toString());
    }

    /**
     * Runs {@link CampaignChild} in a child JVM with {@code property} set ({@code null}: none): {@return what it
     * printed as its outcome}, or the JVM's own end if it did not survive
     */
    private static Outcome child(Scratch s, String property, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED"));
        if (property != null) {
            command.add(property);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CampaignChild.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            return new Outcome("hang", output);
        }
        for (String line : output.lines().toList()) {
            if (line.startsWith("outcome ")) {
                String[] parts = line.substring(8).split("\t", 2);
                return new Outcome(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return new Outcome("JVM exit " + child.exitValue(), output);
    }
}
