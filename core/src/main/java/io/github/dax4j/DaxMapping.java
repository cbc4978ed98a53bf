package io.github.dax4j;

import io.github.dax4j.internal.posix.Errno;
import io.github.dax4j.internal.posix.FileStatus;
import io.github.dax4j.internal.posix.Libc;
import io.github.dax4j.persist.MsyncPersister;
import io.github.dax4j.persist.PersistMechanism;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shared mapping of a persistent-memory source, and the means to make stores to it durable.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(2L << 20).createIfAbsent().syncMode(SyncMode.EMULATE);
 * try (DaxMapping pmem = DaxMapping.open(Path.of("/dev/shm/pmem0"), options)) {
 *     MemorySegment memory = pmem.segment();
 *     memory.set(ValueLayout.JAVA_LONG, 0, 42L);
 *     pmem.persist(0, Long.BYTES);          // durable when this returns
 * }
 * }</pre>
 *
 * <p>Invariants:
 * <ol>
 *   <li>The mapping is {@code MAP_SHARED} (never private): stores reach the source, and every process mapping the
 *       same source sees them. It is marked {@code MADV_DONTFORK}, so a forked child never inherits it.</li>
 *   <li>{@link #segment()} covers exactly the mapped bytes, starts on a page boundary and is a whole number of
 *       pages long. Its bounds never change.</li>
 *   <li>{@link #isSynchronous()} says whether the kernel granted {@code MAP_SYNC}; {@link #persistMechanism()} says
 *       how {@link #persist} makes stores durable. Both are fixed for the life of the mapping.</li>
 *   <li>The mapping may be used from any thread. {@link #close()} unmaps it; afterwards {@link #segment()}'s accesses
 *       and {@link #persist} throw {@link IllegalStateException}. Closing twice is harmless. Closing while another
 *       thread is inside a {@link #persist} call fails with {@link IllegalStateException} and leaves the mapping
 *       open.</li>
 *   <li>The source's file descriptor stays open for the life of the mapping and is closed with it.</li>
 * </ol>
 *
 * <p>Run with {@code --enable-native-access=ALL-UNNAMED} (or the name of the module that holds dax4j) so the JVM
 * allows dax4j's native calls without a warning.
 *
 * @apiNote A source truncated by another process while mapped makes accesses past its new end fail with
 * {@link InternalError} (the JVM's translation of {@code SIGBUS}); dax4j cannot prevent that for files it does not
 * own.
 */
public final class DaxMapping implements AutoCloseable {

    private static final int CREATE_MODE = 0600;

    private final Path path;
    private final int fd;
    private final long address;
    private final long length;
    private final FileSystemKind fileSystem;
    private final Optional<ErrnoException> mapSyncRefusal;
    private final Arena arena;
    private final MemorySegment segment;
    private final MsyncPersister persister;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DaxMapping(Path path, int fd, long address, long length, FileSystemKind fileSystem,
                       Optional<ErrnoException> mapSyncRefusal, Arena arena, MemorySegment segment,
                       MsyncPersister persister) {
        this.path = path;
        this.fd = fd;
        this.address = address;
        this.length = length;
        this.fileSystem = fileSystem;
        this.mapSyncRefusal = mapSyncRefusal;
        this.arena = arena;
        this.segment = segment;
        this.persister = persister;
    }

    /**
     * Maps a regular file read-write and shared, asking the kernel for {@code MAP_SHARED_VALIDATE|MAP_SYNC}.
     *
     * <p>With {@link MapOptions#isCreateIfAbsent()}, a missing file is created with mode {@code 0600} and its blocks
     * allocated ({@code fallocate}, or {@code ftruncate} where the file system cannot preallocate); if anything
     * after that fails, the file is deleted again.
     *
     * @param path    the file to map
     * @param options how many bytes, whether to create, what to do without {@code MAP_SYNC}
     * @return the established mapping; the caller must close it
     * @throws ErrnoException               if a system call fails, e.g. {@code open} with {@code ENOENT} for a
     *                                      missing file that is not to be created
     * @throws UnsupportedSourceException   if {@code path} is not a regular file
     * @throws AlignmentException           if the length to map is not a multiple of the page size
     * @throws SourceRangeException         if the file is shorter than the length to map
     * @throws MapSyncUnavailableException  if {@link SyncMode#REQUIRE} and the kernel refuses {@code MAP_SYNC}
     */
    public static DaxMapping open(Path path, MapOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        String name = path.toString();
        boolean created = false;
        int fd;
        if (options.isCreateIfAbsent()) {
            try {
                fd = Libc.open(name, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_CREAT | Libc.O_EXCL, CREATE_MODE);
                created = true;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
                fd = Libc.open(name, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
            }
        } else {
            fd = Libc.open(name, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        }
        long address = 0;
        long length = 0;
        try {
            FileStatus status = Libc.fstat(fd, name);
            if (!status.isRegularFile()) {
                throw new UnsupportedSourceException(path + " is " + describe(status) + ", not a regular file");
            }
            FileSystemKind fileSystem = FileSystemKind.ofMagic(Libc.fstatfs(fd, name).type());
            long pageSize = Libc.pageSize();
            length = options.length().orElse(status.size());
            if (length == 0) {
                throw new SourceRangeException(path + " is empty: there is nothing to map");
            }
            if (length % pageSize != 0) {
                throw new AlignmentException("cannot map " + length + " bytes of " + path
                        + ": the length is not a multiple of the page size " + pageSize);
            }
            if (created) {
                allocate(fd, name, length);
            } else if (status.size() < length) {
                throw new SourceRangeException("cannot map " + length + " bytes of " + path + ": the file has only "
                        + status.size() + " bytes (dax4j never grows an existing source)");
            }

            Optional<ErrnoException> refusal = Optional.empty();
            int prot = Libc.PROT_READ | Libc.PROT_WRITE;
            try {
                address = Libc.mmap(0, length, prot, Libc.MAP_SHARED_VALIDATE | Libc.MAP_SYNC, fd, 0, name);
            } catch (ErrnoException e) {
                // EOPNOTSUPP: file system without DAX; EINVAL: a kernel older than 4.15 knows no MAP_SHARED_VALIDATE
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EINVAL) {
                    throw e;
                }
                if (options.syncMode() == SyncMode.REQUIRE) {
                    throw new MapSyncUnavailableException(path, fileSystem, e);
                }
                refusal = Optional.of(e);
                address = Libc.mmap(0, length, prot, Libc.MAP_SHARED, fd, 0, name);
            }

            Arena arena = Arena.ofShared();
            MemorySegment segment = Libc.view(address, length, arena);
            Libc.madvise(segment, Libc.MADV_DONTFORK);
            return new DaxMapping(path, fd, address, length, fileSystem, refusal, arena, segment,
                    MsyncPersister.forBasePages());
        } catch (RuntimeException | Error e) {
            undo(e, path, fd, address, length, created);
            throw e;
        }
    }

    /** The whole undo of a failed {@link #open}: each step runs even when an earlier one fails. */
    private static void undo(Throwable failure, Path path, int fd, long address, long length, boolean created) {
        if (address != 0) {
            try {
                Libc.munmap(address, length);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        try {
            Libc.close(fd);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        if (created) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void allocate(int fd, String name, long length) {
        try {
            Libc.fallocate(fd, 0, length, name);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            Libc.ftruncate(fd, length, name);
        }
    }

    private static String describe(FileStatus status) {
        return switch (status.mode() & 0170000) {
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0140000 -> "a socket";
            case 0060000 -> "a block device";
            case 0020000 -> "a character device (" + status.rdevMajor() + ":" + status.rdevMinor() + ")";
            case 0120000 -> "a symbolic link";
            default -> "of unknown type (st_mode 0" + Integer.toOctalString(status.mode()) + ")";
        };
    }

    /**
     * {@return the mapped memory} Its bounds are the mapping's; accessing it after {@link #close()} throws
     * {@link IllegalStateException}.
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Makes the stores to {@code [offset, offset + length)} durable, and returns only when they are.
     *
     * <p>With {@link PersistMechanism#MSYNC} the whole pages touching the range are written back. An empty range
     * does nothing.
     *
     * @throws IndexOutOfBoundsException if {@code offset < 0}, {@code length < 0} or
     *                                   {@code offset + length > byteSize()}
     * @throws IllegalStateException     if the mapping is closed
     * @throws ErrnoException            if the kernel reports a write-back failure (e.g. {@code EIO})
     */
    public void persist(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, this.length);
        ensureOpen();
        persister.persist(segment, offset, length);
    }

    /** {@return how {@link #persist} makes stores durable} */
    public PersistMechanism persistMechanism() {
        return PersistMechanism.MSYNC;
    }

    /** {@return whether the kernel granted {@code MAP_SYNC}: stores need only a CPU cache flush to be durable} */
    public boolean isSynchronous() {
        return mapSyncRefusal.isEmpty();
    }

    /** {@return the kernel's refusal of {@code MAP_SYNC}, when it refused and {@link SyncMode#EMULATE} fell back} */
    public Optional<ErrnoException> mapSyncRefusal() {
        return mapSyncRefusal;
    }

    /** {@return the mapped path, as given to {@link #open}} */
    public Path path() {
        return path;
    }

    /** {@return the number of bytes mapped} */
    public long byteSize() {
        return length;
    }

    /** {@return the file system that holds the source} */
    public FileSystemKind fileSystem() {
        return fileSystem;
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Unmaps the memory and closes the source's descriptor. Stores not yet {@linkplain #persist persisted} may or
     * may not be durable. Does nothing if already closed.
     *
     * @throws IllegalStateException if another thread is inside a native call on this mapping (e.g. {@link #persist});
     *                               the mapping stays open
     * @throws ErrnoException        if {@code munmap} or {@code close} fails; the mapping counts as closed
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            closed.set(false);
            throw e;
        }
        try {
            Libc.munmap(address, length);
        } finally {
            Libc.close(fd);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the mapping of " + path + " is closed");
        }
    }

    @Override
    public String toString() {
        return "DaxMapping[" + path + ", " + length + " bytes on " + fileSystem.displayName() + ", "
                + (isSynchronous() ? "MAP_SYNC" : "MAP_SHARED (MAP_SYNC refused: "
                + mapSyncRefusal.get().errnoSymbol() + ")") + ", persist by " + persistMechanism().description()
                + (isClosed() ? ", closed" : "") + "]";
    }
}
