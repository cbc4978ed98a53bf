package io.github.dax4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Emulated persistent memory with huge pages for the fault benchmark: tmpfs mounted {@code huge=always} and
 * hugetlbfs with reserved pages. Needs root; {@link #unavailable} says why a backing cannot be had.
 */
final class BenchMounts {

    private BenchMounts() {
    }

    /** A mount, undone (and huge pages given back) by {@link #close()}. */
    record Mount(Path directory, Runnable undo) implements AutoCloseable {
        @Override
        public void close() {
            undo.run();
        }
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(line -> line.startsWith("Uid:") && line.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return why hugetlbfs with {@code pages} free pages of {@code pageSize} cannot be had, or empty} */
    static Optional<String> hugetlbfsUnavailable(long pageSize, int pages) {
        if (!isRoot()) {
            return Optional.of("needs root to reserve huge pages and mount hugetlbfs");
        }
        Path pool = pool(pageSize);
        if (!Files.isDirectory(pool)) {
            return Optional.of("the kernel offers no " + (pageSize >> 10) + " kB huge pages");
        }
        try {
            hugetlbfs(pageSize, pages).close(); // mounted and unmounted: the pages are there
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Path pool(long pageSize) {
        return Path.of("/sys/kernel/mm/hugepages/hugepages-" + (pageSize >> 10) + "kB");
    }

    /** Mounts hugetlbfs with {@code pageSize} pages, {@code pages} of them free. */
    static Mount hugetlbfs(long pageSize, int pages) {
        Path pool = pool(pageSize);
        long before = read(pool.resolve("nr_hugepages"));
        long free = read(pool.resolve("free_hugepages"));
        write(pool.resolve("nr_hugepages"), before + Math.max(0, pages - free));
        Runnable restore = () -> write(pool.resolve("nr_hugepages"), before);
        if (read(pool.resolve("free_hugepages")) < pages) {
            restore.run();
            throw new IllegalStateException("the kernel could not provide " + pages + " free huge pages of "
                    + (pageSize >> 10) + " kB");
        }
        Path dir = mount("hugetlbfs", "pagesize=" + (pageSize >> 10) + "K", restore);
        return new Mount(dir, () -> {
            unmount(dir);
            restore.run();
        });
    }

    /** Mounts a tmpfs with {@code huge=always}. */
    static Mount tmpfsHuge(long size) {
        Path dir = mount("tmpfs", "huge=always,size=" + (size + (4L << 20)), () -> { });
        return new Mount(dir, () -> unmount(dir));
    }

    private static Path mount(String type, String options, Runnable onFailure) {
        try {
            Path dir = Files.createTempDirectory("dax4j-bench-" + type + "-");
            if (!run("mount", "-t", type, "-o", options, "dax4j-bench", dir.toString())) {
                Files.deleteIfExists(dir);
                onFailure.run();
                throw new IllegalStateException("mount -t " + type + " -o " + options + " failed");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unmount(Path dir) {
        run("umount", dir.toString());
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a busy mount point stays behind as an empty temp directory
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, long value) {
        try {
            Files.writeString(file, Long.toString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
