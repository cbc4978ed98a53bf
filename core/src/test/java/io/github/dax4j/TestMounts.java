package io.github.dax4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulated persistent memory the tests set up for themselves: hugetlbfs with reserved huge pages and tmpfs
 * with {@code huge=always}. Both need root; without it, or where the kernel cannot provide the pages, the calling
 * test is skipped with a message that says what it needs.
 */
final class TestMounts {

    private TestMounts() {
    }

    /** A mounted file system, unmounted (and its huge pages given back) by {@link #close()}. */
    record Mount(Path directory, Runnable cleanup) implements AutoCloseable {
        @Override
        public void close() {
            cleanup.run();
        }
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:")).anyMatch(line -> line.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Mounts hugetlbfs with {@code pageSize} pages and makes sure {@code pages} of them are free.
     * Skips the test if that cannot be done.
     */
    static Mount hugetlbfs(long pageSize, int pages) {
        assumeTrue(isRoot(), "needs root to reserve huge pages and mount hugetlbfs (run the tests as root)");
        Path pool = Path.of("/sys/kernel/mm/hugepages/hugepages-" + (pageSize >> 10) + "kB");
        assumeTrue(Files.isDirectory(pool), "the kernel offers no " + (pageSize >> 10) + " kB huge pages ("
                + pool + " is missing)");
        long before = readLong(pool.resolve("nr_hugepages"));
        long free = readLong(pool.resolve("free_hugepages"));
        long wanted = before + Math.max(0, pages - free);
        write(pool.resolve("nr_hugepages"), Long.toString(wanted));
        long got = readLong(pool.resolve("free_hugepages"));
        Runnable restorePool = () -> write(pool.resolve("nr_hugepages"), Long.toString(before));
        if (got < pages) {
            restorePool.run();
        }
        assumeTrue(got >= pages, "needs " + pages + " free huge pages of " + (pageSize >> 10)
                + " kB; the kernel could provide only " + got + " (memory too fragmented?)");
        Path dir = mountPoint("hugetlbfs");
        if (!run("mount", "-t", "hugetlbfs", "-o", "pagesize=" + (pageSize >> 10) + "K", "none", dir.toString())) {
            restorePool.run();
            deleteQuietly(dir);
            assumeTrue(false, "mount -t hugetlbfs -o pagesize=" + (pageSize >> 10) + "K failed");
        }
        return new Mount(dir, () -> {
            run("umount", dir.toString());
            deleteQuietly(dir);
            restorePool.run();
        });
    }

    /** Mounts a tmpfs with {@code options} (e.g. {@code huge=always}). Skips the test if that cannot be done. */
    static Mount tmpfs(String options) {
        assumeTrue(isRoot(), "needs root to mount a tmpfs with " + options + " (run the tests as root)");
        Path dir = mountPoint("tmpfs");
        if (!run("mount", "-t", "tmpfs", "-o", options, "dax4j-test", dir.toString())) {
            deleteQuietly(dir);
            assumeTrue(false, "mount -t tmpfs -o " + options + " failed");
        }
        return new Mount(dir, () -> {
            run("umount", dir.toString());
            deleteQuietly(dir);
        });
    }

    private static Path mountPoint(String kind) {
        try {
            return Files.createTempDirectory("dax4j-" + kind + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long readLong(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a mount point still busy; the temp directory is harmless
        }
    }
}
