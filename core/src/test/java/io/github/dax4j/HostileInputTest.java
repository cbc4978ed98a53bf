package io.github.dax4j;

import io.github.dax4j.device.DaxDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static java.net.StandardProtocolFamily.UNIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every way to ask for a mapping that cannot be had: each is refused with the exception that names the problem,
 * a message that names the offending path or value, and nothing left behind (no descriptor, no mapping, no file
 * that was not there before).
 */
class HostileInputTest {

    private static final long K4 = Alignment.PAGE_4K.bytes();
    private static final long M2 = Alignment.HUGE_2M.bytes();
    private static final long G1 = Alignment.HUGE_1G.bytes();

    /** What one case maps, and what must be released before the leak check (e.g. a mapping holding a lock). */
    record Attempt(Path path, Supplier<MapOptions> options, DaxDevices devices, List<AutoCloseable> holders) {
        Attempt(Path path, MapOptions options) {
            this(path, () -> options, DaxDevices.system(), List.of());
        }

        Attempt(Path path, MapOptions options, DaxDevices devices) {
            this(path, () -> options, devices, List.of());
        }

        Attempt(Path path, MapOptions options, DaxDevices devices, List<AutoCloseable> holders) {
            this(path, () -> options, devices, holders);
        }

        /** Options whose construction is itself the refused call. */
        static Attempt building(Path path, Supplier<MapOptions> options) {
            return new Attempt(path, options, DaxDevices.system(), List.of());
        }
    }

    interface Setup {
        Attempt prepare(Env env) throws Exception;
    }

    record Case(Setup setup, Class<? extends Exception> type, String... fragments) {
    }

    /** The scratch space of one case: a tmpfs directory, a sysfs fixture root, and mounts made on demand. */
    static final class Env {
        final Path dir;
        final Path sysRoot;
        final List<AutoCloseable> cleanups = new ArrayList<>();

        Env() throws IOException {
            dir = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-hostile-");
            sysRoot = Files.createTempDirectory("dax4j-sysfs-");
        }

        Path file(String name, long size) throws IOException {
            Path file = dir.resolve(name);
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(0);
                if (size > 0) {
                    channel.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
                }
            }
            return file;
        }

        Path link(String name, Path target) throws IOException {
            return Files.createSymbolicLink(dir.resolve(name), target);
        }

        Path fifo(String name) throws Exception {
            Path fifo = dir.resolve(name);
            assumeTrue(TestMounts.run("mkfifo", fifo.toString()), "needs mkfifo");
            return fifo;
        }

        Path hugetlbFile(long pageSize, long size) throws IOException {
            TestMounts.Mount mount = TestMounts.hugetlbfs(pageSize, (int) (size / pageSize));
            cleanups.add(mount);
            Path file = mount.directory().resolve("huge");
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(size); // hugetlbfs: ftruncate to whole huge pages, no write(2)
            }
            cleanups.addFirst(() -> Files.deleteIfExists(file));
            return file;
        }

        DaxDevices devZeroAsDax(long size, long align) {
            return FakeDeviceDax.devZeroAs(sysRoot, size, align);
        }

        void close() throws Exception {
            for (AutoCloseable c : cleanups) {
                c.close();
            }
            for (Path root : List.of(dir, sysRoot)) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    static Stream<Named<Case>> cases() {
        return Stream.of(
                // what the path is
                named("a missing path", env -> new Attempt(env.dir.resolve("missing"), MapOptions.wholeSource()),
                        java.nio.file.NoSuchFileException.class, "ENOENT", "missing"),
                named("a directory", env -> new Attempt(env.dir, MapOptions.wholeSource()),
                        UnsupportedSourceException.class, "is a directory"),
                named("a FIFO", env -> new Attempt(env.fifo("fifo"), MapOptions.wholeSource()),
                        UnsupportedSourceException.class, "is a FIFO", "fifo"),
                named("a socket", env -> {
                    Path socket = env.dir.resolve("socket");
                    ServerSocketChannel server = ServerSocketChannel.open(UNIX);
                    server.bind(UnixDomainSocketAddress.of(socket));
                    env.cleanups.add(server);
                    return new Attempt(socket, MapOptions.wholeSource());
                }, UnsupportedSourceException.class, "is a socket"),
                named("/dev/null", env -> new Attempt(Path.of("/dev/null"), MapOptions.wholeSource()),
                        UnsupportedSourceException.class, "/dev/null is a character device (1:3) that is not device-DAX"),
                named("/dev/zero", env -> new Attempt(Path.of("/dev/zero"), MapOptions.wholeSource()),
                        UnsupportedSourceException.class, "/dev/zero is a character device (1:5) that is not device-DAX"),
                named("a block device", env -> {
                    Path block = env.dir.resolve("loop");
                    assumeTrue(TestMounts.run("mknod", block.toString(), "b", "7", "200"),
                            "needs root to make a block device node with mknod");
                    return new Attempt(block, MapOptions.wholeSource());
                }, UnsupportedSourceException.class, "is a block device (7:200)"),
                named("a symbolic link to a directory", env -> new Attempt(env.link("to-dir", env.dir),
                        MapOptions.wholeSource()), UnsupportedSourceException.class, "to-dir -> ", "is a directory"),
                named("a symbolic link to a FIFO", env -> new Attempt(env.link("to-fifo", env.fifo("fifo")),
                        MapOptions.wholeSource()), UnsupportedSourceException.class, "to-fifo -> ", "is a FIFO"),
                named("a symbolic link to /dev/null", env -> new Attempt(env.link("to-null", Path.of("/dev/null")),
                        MapOptions.wholeSource()), UnsupportedSourceException.class, "to-null -> /dev/null",
                        "character device (1:3)"),
                named("a symbolic link to /dev/zero", env -> new Attempt(env.link("to-zero", Path.of("/dev/zero")),
                        MapOptions.wholeSource()), UnsupportedSourceException.class, "to-zero -> /dev/zero"),
                named("a dangling symbolic link", env -> new Attempt(env.link("dangling", env.dir.resolve("nothing")),
                        MapOptions.wholeSource()), java.nio.file.NoSuchFileException.class, "ENOENT", "dangling"),

                // lengths and offsets
                named("a zero length", env -> Attempt.building(env.file("f", M2), () -> MapOptions.ofLength(0)),
                        IllegalArgumentException.class, "length must be positive: 0"),
                named("a negative offset", env -> Attempt.building(env.file("f", M2),
                                () -> MapOptions.ofLength(K4).offset(-K4)),
                        IllegalArgumentException.class, "offset must not be negative: -4096"),
                named("an empty file", env -> new Attempt(env.file("f", 0), emulated(MapOptions.wholeSource())),
                        SourceRangeException.class, "offset 0", "has 0 bytes"),
                named("a whole file of a size that is not whole pages", env -> new Attempt(env.file("f", 5000),
                        emulated(MapOptions.wholeSource())), AlignmentException.class, "length 5000", "4 KiB"),
                named("4 KiB: a misaligned offset", env -> new Attempt(env.file("f", M2),
                        emulated(MapOptions.ofLength(K4).offset(100))), AlignmentException.class, "offset 100"),
                named("4 KiB: a misaligned length", env -> new Attempt(env.file("f", M2),
                        emulated(MapOptions.ofLength(5000))), AlignmentException.class, "length 5000"),
                named("2 MiB: a misaligned offset", env -> new Attempt(env.file("f", 4 * M2),
                        emulated(MapOptions.ofLength(M2).offset(K4).alignment(Alignment.HUGE_2M))),
                        AlignmentException.class, "offset 4096", "2 MiB"),
                named("2 MiB: a misaligned length", env -> new Attempt(env.file("f", 4 * M2),
                        emulated(MapOptions.ofLength(M2 + K4).alignment(Alignment.HUGE_2M))),
                        AlignmentException.class, "length " + (M2 + K4), "2 MiB"),
                named("1 GiB: a misaligned offset", env -> new Attempt(env.file("f", 2 * G1),
                        emulated(MapOptions.ofLength(G1).offset(M2).alignment(Alignment.HUGE_1G))),
                        AlignmentException.class, "offset " + M2, "1 GiB"),
                named("1 GiB: a misaligned length", env -> new Attempt(env.file("f", 2 * G1),
                        emulated(MapOptions.ofLength(M2).alignment(Alignment.HUGE_1G))),
                        AlignmentException.class, "length " + M2, "1 GiB"),
                named("a length past the end of a file", env -> new Attempt(env.file("f", M2),
                        emulated(MapOptions.ofLength(2 * M2))), SourceRangeException.class,
                        "cannot map " + 2 * M2, "only " + M2 + " bytes"),
                named("an offset past the end of a file", env -> new Attempt(env.file("f", M2),
                        emulated(MapOptions.wholeSource().offset(2 * M2))), SourceRangeException.class,
                        "offset " + 2 * M2, "has " + M2 + " bytes"),
                named("a created file of a length that is not whole pages", env -> new Attempt(env.dir.resolve("new"),
                        emulated(MapOptions.ofLength(K4 + 1).createIfAbsent())), AlignmentException.class,
                        "length 4097"),

                // device-DAX (emulated by /dev/zero under a sysfs fixture)
                named("device-DAX: an alignment smaller than the device's", env -> new Attempt(FakeDeviceDax.DEV_ZERO,
                        MapOptions.ofLength(M2).alignment(Alignment.PAGE_4K), env.devZeroAsDax(8 * M2, M2)),
                        AlignmentException.class, "alignment 4 KiB (4096)", "align 2097152", "dax9.0"),
                named("device-DAX: a length past the device's size", env -> new Attempt(FakeDeviceDax.DEV_ZERO,
                        MapOptions.ofLength(16 * M2), env.devZeroAsDax(8 * M2, M2)),
                        SourceRangeException.class, "cannot map " + 16 * M2, "only " + 8 * M2),
                named("device-DAX: an offset that is not a multiple of its align", env -> new Attempt(
                        FakeDeviceDax.DEV_ZERO, MapOptions.ofLength(M2).offset(K4), env.devZeroAsDax(8 * M2, M2)),
                        AlignmentException.class, "offset 4096", "2 MiB"),
                named("device-DAX: a 1 GiB device mapped at 2 MiB", env -> new Attempt(FakeDeviceDax.DEV_ZERO,
                        MapOptions.ofLength(G1).alignment(Alignment.HUGE_2M), env.devZeroAsDax(2 * G1, G1)),
                        AlignmentException.class, "alignment 2 MiB", "align 1073741824"),

                // hugetlbfs
                named("hugetlbfs: an offset that is not a multiple of the huge page", env -> new Attempt(
                        env.hugetlbFile(M2, 2 * M2), MapOptions.ofLength(M2).offset(K4).emulateMapSync()),
                        AlignmentException.class, "offset 4096", "hugetlbfs"),
                named("hugetlbfs: a 4 KiB alignment", env -> new Attempt(env.hugetlbFile(M2, 2 * M2),
                        MapOptions.ofLength(M2).alignment(Alignment.PAGE_4K).emulateMapSync()),
                        AlignmentException.class, "huge page size 2097152", "hugetlbfs"),

                // what the file system offers
                named("strict 2 MiB on a tmpfs without huge pages", env -> new Attempt(env.file("f", 4 * M2),
                        emulated(MapOptions.ofLength(M2).alignment(Alignment.HUGE_2M).strict(true))),
                        AlignmentException.class, "strict", "huge=always", "faults at 4096"),
                named("MAP_SYNC required on tmpfs", env -> new Attempt(env.file("f", M2), MapOptions.ofLength(M2)),
                        MapSyncUnavailableException.class, "MAP_SYNC", "tmpfs", "EOPNOTSUPP"),
                named("a read-only file mapped read-write", env -> {
                    Path file = env.file("ro", M2);
                    if (TestMounts.isRoot()) {
                        TestMounts.Mount mount = TestMounts.tmpfs("size=4m");
                        env.cleanups.addFirst(mount);
                        file = Files.copy(file, mount.directory().resolve("ro"));
                        env.cleanups.addFirst(() -> TestMounts.run("mount", "-o", "remount,rw",
                                mount.directory().toString()));
                        assumeTrue(TestMounts.run("mount", "-o", "remount,ro", mount.directory().toString()),
                                "mount -o remount,ro failed");
                    } else {
                        Files.setPosixFilePermissions(file, java.util.Set.of(
                                java.nio.file.attribute.PosixFilePermission.OWNER_READ));
                    }
                    return new Attempt(file, emulated(MapOptions.wholeSource()));
                }, TestMounts.isRoot() ? java.nio.file.FileSystemException.class
                        : java.nio.file.AccessDeniedException.class, "open(", "O_RDWR",
                        TestMounts.isRoot() ? "EROFS" : "EACCES"),
                named("a source locked by another mapping", env -> {
                    Path file = env.file("locked", M2);
                    DaxMapping holder = DaxMapping.open(file, emulated(MapOptions.wholeSource()).exclusive());
                    return new Attempt(file, emulated(MapOptions.wholeSource()).exclusive(), DaxDevices.system(),
                            List.of(holder));
                }, SourceInUseException.class, "is in use", "locked"),
                named("a read-only mapping of a source locked for writing", env -> {
                    Path file = env.file("locked", M2);
                    DaxMapping holder = DaxMapping.open(file, emulated(MapOptions.wholeSource()).exclusive());
                    return new Attempt(file, emulated(MapOptions.wholeSource()).readOnly().exclusive(),
                            DaxDevices.system(), List.of(holder));
                }, SourceInUseException.class, "is in use"));
    }

    private static MapOptions emulated(MapOptions options) {
        return options.emulateMapSync();
    }

    private static Named<Case> named(String name, Setup setup, Class<? extends Exception> type, String... fragments) {
        return Named.of(name, new Case(setup, type, fragments));
    }

    private Env env;

    @BeforeEach
    void createEnv() throws IOException {
        env = new Env();
    }

    @AfterEach
    void closeEnv() throws Exception {
        env.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedPreciselyAndLeavesNothingBehind(Case c) throws Exception {
        Attempt attempt = c.setup().prepare(env);
        Path path = attempt.path();
        boolean existed = Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Path real = existed && Files.exists(path) ? path.toRealPath() : path;

        boolean[] opened = {false};
        Exception e = assertThrows(c.type(), () -> {
            MapOptions options = attempt.options().get(); // some options are refused here, before any path
            opened[0] = true;
            DaxMapping.open(path, options, attempt.devices());
        });

        if (opened[0]) {
            assertTrue(e.getMessage().contains(path.toString()), "the message names the path: " + e.getMessage());
        }
        for (String fragment : c.fragments()) {
            assertTrue(e.getMessage().contains(fragment), "the message names '" + fragment + "': " + e.getMessage());
        }
        for (AutoCloseable holder : attempt.holders()) {
            holder.close();
        }
        for (Path p : List.of(path, real)) {
            assertEquals(List.of(), NativeResources.descriptorsOn(p), "descriptors left open on " + p);
            assertEquals(List.of(), NativeResources.mappingsOf(p), "mappings left on " + p);
        }
        if (!existed) {
            assertFalse(Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS), "a file was left at " + path);
        }
    }

    @org.junit.jupiter.api.Test
    void theTableKeepsAtLeast25Cases() {
        assertTrue(cases().count() >= 25, "hostile cases: " + cases().count());
    }
}
