package io.github.dax4j.hostile;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The scratch space of one hostile case: a tmpfs directory whose files the case declares as it makes them, the
 * mappings its setup holds (closed before the leak check), and the check itself: what the process still holds of
 * the directory once the case is over ({@code /proc/self/fd}, {@code /proc/self/maps}) and which files appeared that
 * nobody declared.
 */
final class Scratch implements AutoCloseable {

    /** The size of a {@linkplain #device device}: room for a directory, a log and a table. */
    static final long DEVICE = 1L << 20;

    final Path dir;
    private final Set<Path> declared = new HashSet<>();
    private final List<AutoCloseable> holders = new ArrayList<>();

    Scratch() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-campaign-");
    }

    /** {@return a file of {@code size} zero bytes (a hole), declared} */
    Path file(String name, long size) throws IOException {
        Path file = declare(dir.resolve(name));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    /** {@return a path that must not exist when the case ends (the refused call may not create it)} */
    Path absent(String name) {
        return dir.resolve(name);
    }

    /** {@return {@code path}, which the case made (a link, a directory, a fifo) and may leave} */
    Path declare(Path path) {
        declared.add(path);
        return path;
    }

    /** {@return a {@link #DEVICE}-byte file holding a formatted, empty directory} */
    Path device(String name) throws IOException {
        Path file = file(name, DEVICE);
        try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().emulateMapSync())) {
            Directory.open(pmem);
        }
        return file;
    }

    /** {@return a writable mapping of {@code path} that the case holds until it ends} */
    DaxMapping map(Path path) throws IOException {
        return hold(DaxMapping.open(path, MapOptions.wholeSource().emulateMapSync()));
    }

    /** {@return a read-only mapping of {@code path} that the case holds until it ends} */
    DaxMapping mapReadOnly(Path path) throws IOException {
        return hold(DaxMapping.open(path, MapOptions.wholeSource().readOnly().emulateMapSync()));
    }

    <T extends AutoCloseable> T hold(T holder) {
        holders.add(holder);
        return holder;
    }

    /** Closes what the case holds, newest first, so that only what the refused call left stays. */
    void release() throws IOException {
        try {
            for (AutoCloseable holder : holders.reversed()) {
                holder.close();
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            holders.clear();
        }
    }

    /** {@return what the process holds of the directory and the files nobody declared: empty if nothing} */
    List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        String prefix = dir.toString();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(prefix)) {
                        left.add("descriptor " + fd.getFileName());
                    }
                } catch (IOException closed) {
                    // closed between list and readlink: the listing's own descriptor
                }
            }
        }
        long mappings = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(prefix)).count();
        if (mappings > 0) {
            left.add(mappings + " mappings");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> !f.equals(dir) && !declared.contains(f)).forEach(f -> left.add("file " + f.getFileName()));
        }
        return left;
    }

    @Override
    public void close() throws IOException {
        release();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
