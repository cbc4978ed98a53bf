package io.github.dax4j.internal.map;

import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.internal.posix.ErrnoException;
import io.github.dax4j.FileSource;
import io.github.dax4j.FileSystemKind;
import io.github.dax4j.MapOptions;
import io.github.dax4j.Source;
import io.github.dax4j.UnsupportedSourceException;
import io.github.dax4j.Alignment;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.internal.posix.Errno;
import io.github.dax4j.internal.posix.FileStatus;
import io.github.dax4j.internal.posix.FileSystemStatus;
import io.github.dax4j.internal.posix.Libc;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a path and tells what it is, without a window between check and use.
 *
 * <p>An existing path is opened {@code O_PATH} first (which neither blocks on a FIFO nor fails on a directory or
 * socket), classified with {@code fstat} on that descriptor, and only then reopened for reading or writing through
 * {@code /proc/self/fd}: the file mapped is the file checked, whatever happens to its path meanwhile. Symbolic
 * links are resolved once, by that first open.
 */
public final class SourceOpener {

    private static final int CREATE_MODE = 0600;
    private static final Path PROC_MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage");

    /** An open source: the descriptor to map, whether this open created the file, and what it is. */
    public record Opened(int fd, boolean created, Source source) {
    }

    private SourceOpener() {
    }

    /**
     * Opens {@code path} as {@code options} ask, creating it if asked and absent.
     *
     * @throws ErrnoException              if a system call fails (e.g. {@code ENOENT}, {@code EACCES}, {@code EROFS})
     * @throws UnsupportedSourceException  if the path is neither a regular file nor a device-DAX instance
     */
    public static Opened open(Path path, MapOptions options, DaxDevices devices)
            throws IOException, UnsupportedSourceException {
        String name = path.toString();
        if (options.isCreateIfAbsent()) { // never read-only: MapOptions refuses that combination
            int fd = createExclusively(name);
            if (fd >= 0) {
                try {
                    long size = Math.addExact(options.offset(), options.length().orElseThrow());
                    return new Opened(fd, true, fileSource(path, realPath(path, fd), fd, size));
                } catch (IOException | RuntimeException | Error e) {
                    closeQuietly(fd, e);
                    deleteQuietly(path, e);
                    throw e;
                }
            }
        }
        int pathFd = Libc.open(name, Libc.O_PATH | Libc.O_CLOEXEC, 0);
        try {
            FileStatus status = Libc.fstat(pathFd, name);
            Path realPath = realPath(path, pathFd);
            DeviceDaxSource dax = null;
            if (status.isCharacterDevice()) {
                dax = devices.byDeviceNumber(FileStatus.major(status.rdev()), FileStatus.minor(status.rdev()))
                        .map(device -> new DeviceDaxSource(path, realPath, device))
                        .orElseThrow(() -> new UnsupportedSourceException(describe(path, realPath) + " is "
                                + status.describeType() + " that is not device-DAX (sysfs has no dax subsystem"
                                + " for it)"));
            } else if (!status.isRegularFile()) {
                throw new UnsupportedSourceException(describe(path, realPath) + " is " + status.describeType()
                        + ": dax4j maps regular files and device-DAX instances only");
            }
            int fd = Libc.reopen(pathFd, (options.isReadOnly() ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_CLOEXEC, name);
            try {
                Source source = dax != null ? dax : fileSource(path, realPath, fd, status.size());
                return new Opened(fd, false, source);
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(fd, e);
                throw e;
            }
        } finally {
            Libc.close(pathFd);
        }
    }

    /** {@return a descriptor of the file this call created, or -1 if the path exists already} */
    private static int createExclusively(String name) throws FileSystemException {
        try {
            return Libc.open(name, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_CREAT | Libc.O_EXCL, CREATE_MODE);
        } catch (FileAlreadyExistsException e) {
            return -1;
        }
    }

    private static FileSource fileSource(Path path, Path realPath, int fd, long size) throws FileSystemException {
        String name = path.toString();
        FileSystemStatus fs = Libc.fstatfs(fd, name);
        FileSystemKind kind = FileSystemKind.ofMagic(fs.type());
        long faultSize = switch (kind) {
            case HUGETLBFS -> fs.blockSize();
            case TMPFS -> tmpfsServesHugePages(Libc.fstat(fd, name)) ? pmdSize() : Libc.pageSize();
            default -> Libc.pageSize();
        };
        return new FileSource(path, realPath, kind, size, faultSize);
    }

    /**
     * Whether the tmpfs holding a file allocates transparent huge pages for it: the mount has {@code huge=always}
     * or {@code huge=within_size}, or the administrator forces huge pages on every tmpfs ({@code shmem_enabled}
     * is {@code force}).
     */
    private static boolean tmpfsServesHugePages(FileStatus status) {
        String shmemEnabled = readOrEmpty(THP.resolve("shmem_enabled"));
        if (shmemEnabled.contains("[force]")) {
            return true;
        }
        if (shmemEnabled.contains("[deny]")) {
            return false;
        }
        String device = status.devName();
        for (String line : linesOrEmpty(PROC_MOUNTINFO)) {
            String[] fields = line.split(" ");
            int separator = line.indexOf(" - ");
            if (fields.length > 2 && fields[2].equals(device) && separator >= 0) {
                String[] tail = line.substring(separator + 3).split(" ");
                String superOptions = tail.length > 2 ? "," + tail[2] + "," : "";
                return superOptions.contains(",huge=always,") || superOptions.contains(",huge=within_size,");
            }
        }
        return false;
    }

    private static long pmdSize() {
        String size = readOrEmpty(THP.resolve("hpage_pmd_size"));
        return size.isEmpty() ? Alignment.HUGE_2M.bytes() : Long.parseLong(size);
    }

    private static Path realPath(Path path, int pathFd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + pathFd));
        } catch (IOException | UnsupportedOperationException e) {
            return path.toAbsolutePath(); // no /proc: name the source as given
        }
    }

    private static String describe(Path path, Path realPath) {
        return realPath.equals(path) || realPath.equals(path.toAbsolutePath()) ? path.toString()
                : path + " -> " + realPath;
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> linesOrEmpty(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void closeQuietly(int fd, Throwable failure) {
        try {
            Libc.close(fd);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes a file this open created; an undo step. */
    static void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    private static void deleteQuietly(Path path, Throwable failure) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
