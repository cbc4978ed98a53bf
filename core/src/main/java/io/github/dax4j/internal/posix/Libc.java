package io.github.dax4j.internal.posix;


import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Every C library call dax4j makes, and nothing else.
 *
 * <p>Invariants:
 * <ol>
 *   <li>Each wrapper makes its call through {@code call}, the one helper that allocates the capture state, invokes,
 *       checks the result and, on failure, throws an {@link ErrnoException} naming the call, its arguments (the path
 *       or the address range), the errno symbol and {@code strerror}'s text. No wrapper returns an error code, and
 *       the text of a call is built only when the call has failed.</li>
 *   <li>{@code errno} is captured by the linker ({@code Linker.Option.captureCallState("errno")}) right after the
 *       call, so nothing the JVM does in between can overwrite it.</li>
 *   <li>The restricted methods of {@code java.lang.foreign} ({@code downcallHandle}, {@code reinterpret}) are
 *       called in this package only.</li>
 *   <li>Calls on a mapping's memory take it as a {@link MemorySegment}, so the arena that owns the mapping is also
 *       kept alive for the duration of the call (besides the mapping's own guard): closing the mapping cannot unmap
 *       memory under a running {@code msync}.</li>
 *   <li>A C struct is read through a {@link StructLayout} that names every field and spells out every padding, never
 *       at a hand-counted offset: the layout is the one statement of the ABI, and building it checks each field's
 *       alignment.</li>
 * </ol>
 *
 * <p>Struct layouts and constants are Linux's for x86-64 and aarch64.
 */
@SuppressWarnings("restricted") // this package is where dax4j's restricted FFM calls live, on purpose and alone
public final class Libc {

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_SYNC = 0x80000;

    public static final int MS_ASYNC = 1;
    public static final int MS_INVALIDATE = 2;
    public static final int MS_SYNC = 4;

    public static final int MADV_DONTFORK = 10;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;

    /** {@code membarrier(2)} commands: which the kernel supports, and the expedited barrier of this process. */
    public static final int MEMBARRIER_CMD_QUERY = 0;
    public static final int MEMBARRIER_CMD_PRIVATE_EXPEDITED = 1 << 3;
    public static final int MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    public static final int SIGBUS = 7;
    /** {@code sa_flags}: the handler takes {@code (int, siginfo_t *, void *)}. */
    public static final int SA_SIGINFO = 4;

    private static final int F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final long FLOCK_SIZE = 32; // struct flock: l_type, l_whence, l_start at 8, l_len at 16, l_pid at 24

    private static final int SC_PAGESIZE = 30;
    private static final int STAT_VERSION_X86_64 = 1;

    /** {@code mmap}'s {@code MAP_FAILED}, {@code (void *) -1}. */
    private static final long MAP_FAILED = -1L;

    // The struct layouts come before ARCH, which picks one of them while the class is being initialized.

    /** {@code struct timespec}: {@code tv_sec}, {@code tv_nsec}, both longs on the 64-bit ABIs. */
    private static final StructLayout TIMESPEC = structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    /**
     * {@code struct stat} of x86-64, 144 bytes: {@code st_nlink} is a long and comes before {@code st_mode}, and
     * {@code st_blksize} is a long. {@code __fxstat} version 1 fills the same struct.
     */
    private static final StructLayout STAT_X86_64 = structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            paddingLayout(Integer.BYTES).withName("__pad0"),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            TIMESPEC.withName("st_atim"),
            TIMESPEC.withName("st_mtim"),
            TIMESPEC.withName("st_ctim"),
            paddingLayout(3 * Long.BYTES).withName("__glibc_reserved"))
            .withName("stat");

    /**
     * {@code struct stat} of aarch64, the asm-generic one, 128 bytes: {@code st_mode} comes before an int
     * {@code st_nlink}, and {@code st_blksize} is an int.
     */
    private static final StructLayout STAT_AARCH64 = structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_nlink"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            JAVA_LONG.withName("st_rdev"),
            paddingLayout(Long.BYTES).withName("__pad1"),
            JAVA_LONG.withName("st_size"),
            JAVA_INT.withName("st_blksize"),
            paddingLayout(Integer.BYTES).withName("__pad2"),
            JAVA_LONG.withName("st_blocks"),
            TIMESPEC.withName("st_atim"),
            TIMESPEC.withName("st_mtim"),
            TIMESPEC.withName("st_ctim"),
            paddingLayout(2 * Integer.BYTES).withName("__glibc_reserved"))
            .withName("stat");

    /** glibc's {@code struct sigaction} on x86-64 and aarch64: the handler, a 1024-bit mask, the flags, the restorer. */
    private static final StructLayout SIGACTION = structLayout(
            JAVA_LONG.withName("sa_handler"),
            sequenceLayout(16, JAVA_LONG).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            paddingLayout(4),
            JAVA_LONG.withName("sa_restorer"));

    /**
     * {@code struct statfs}, the same 120 bytes on x86-64 and aarch64: every field a long except the two ints of
     * {@code f_fsid}. The kernel fills all of it, so all of it is allocated, though dax4j reads two fields.
     */
    private static final StructLayout STATFS = structLayout(
            JAVA_LONG.withName("f_type"),
            JAVA_LONG.withName("f_bsize"),
            JAVA_LONG.withName("f_blocks"),
            JAVA_LONG.withName("f_bfree"),
            JAVA_LONG.withName("f_bavail"),
            JAVA_LONG.withName("f_files"),
            JAVA_LONG.withName("f_ffree"),
            sequenceLayout(2, JAVA_INT).withName("f_fsid"),
            JAVA_LONG.withName("f_namelen"),
            JAVA_LONG.withName("f_frsize"),
            JAVA_LONG.withName("f_flags"),
            paddingLayout(4 * Long.BYTES).withName("f_spare"))
            .withName("statfs");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final Arch ARCH = Arch.current();

    // Each handle reads its field at the width the layout gives it: aarch64's int st_blksize widens to the long read.
    private static final VarHandle ST_DEV = field(ARCH.stat(), "st_dev");
    private static final VarHandle ST_INO = field(ARCH.stat(), "st_ino");
    private static final VarHandle ST_MODE = field(ARCH.stat(), "st_mode");
    private static final VarHandle ST_RDEV = field(ARCH.stat(), "st_rdev");
    private static final VarHandle ST_SIZE = field(ARCH.stat(), "st_size");
    private static final VarHandle ST_BLKSIZE = field(ARCH.stat(), "st_blksize");
    private static final VarHandle F_TYPE = field(STATFS, "f_type");
    private static final VarHandle F_BSIZE = field(STATFS, "f_bsize");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle FSTAT = fstatHandle();
    private static final MethodHandle FSTATFS = downcall("fstatfs",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MPROTECT = downcall("mprotect",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle MSYNC = downcall("msync",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SYSCONF = downcall("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SIGACTION_CALL = downcall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final VarHandle SA_HANDLER = field(SIGACTION, "sa_handler");
    private static final VarHandle SA_FLAGS = field(SIGACTION, "sa_flags");
    private static final MethodHandle SYSCALL3 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static final long PAGE_SIZE = pageSizeOrFail();

    private Libc() {
    }

    private static long pageSizeOrFail() {
        try {
            return sysconf(SC_PAGESIZE, "_SC_PAGESIZE");
        } catch (FileSystemException e) {
            throw new IllegalStateException("no page size: " + e.getMessage(), e); // cannot happen on Linux
        }
    }

    /** {@return the size of a base page, {@code sysconf(_SC_PAGESIZE)}} */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    /**
     * {@code open(2)}.
     *
     * @return the new file descriptor
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static int open(String path, int flags, int mode) throws FileSystemException {
        return open(path, flags, mode, path);
    }

    /** {@code open(2)} of {@code path}, failing with a message that names {@code shownPath} instead. */
    private static int open(String path, int flags, int mode, String shownPath) throws FileSystemException {
        return (int) call((state, arena) -> (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode),
                fd -> fd < 0,
                () -> "open(\"" + shownPath + "\", " + openFlags(flags)
                        + ((flags & O_CREAT) != 0 ? ", 0" + Integer.toOctalString(mode) : "") + ")", shownPath);
    }

    /**
     * Opens the file an {@code O_PATH} descriptor refers to, through {@code /proc/self/fd}: the very inode that was
     * checked through {@code pathFd}, whatever has happened to its path since.
     *
     * @param path the path {@code pathFd} was opened from, for the message only
     * @return the new file descriptor
     * @throws FileSystemException when the call fails (see {@link #failure} for the type); the message names
     *                             {@code path}
     */
    public static int reopen(int pathFd, int flags, String path) throws FileSystemException {
        return open("/proc/self/fd/" + pathFd, flags, 0, path);
    }

    /**
     * Tries to take an open-file-description lock on the whole file ({@code fcntl(F_OFD_SETLK)}): a write lock,
     * or a read lock when {@code shared}. Such locks belong to the open file description, not the process, so two
     * opens in one process conflict just as two processes do.
     *
     * @return {@code false} if a conflicting lock is held ({@code EAGAIN} or {@code EACCES})
     * @throws FileSystemException when the call fails (see {@link #failure} for the type) otherwise
     */
    public static boolean tryLock(int fd, boolean shared, String path) throws FileSystemException {
        return call((state, arena) -> {
            MemorySegment flock = arena.allocate(FLOCK_SIZE, 8);
            flock.set(JAVA_SHORT, 0, shared ? F_RDLCK : F_WRLCK); // l_whence SEEK_SET, l_start 0, l_len 0 (to the end), l_pid 0
            int result = (int) FCNTL.invokeExact(state, fd, F_OFD_SETLK, flock);
            if (result == 0) {
                return 1;
            }
            // a lock held elsewhere is an answer, "not now", rather than a failure
            int errno = errno(state);
            return errno == Errno.EAGAIN || errno == Errno.EACCES ? 0 : -1;
        }, result -> result < 0, () -> "fcntl(" + fd + " \"" + path + "\", F_OFD_SETLK, "
                + (shared ? "F_RDLCK" : "F_WRLCK") + ")", path) == 1;
    }

    /**
     * {@code close(2)}. The descriptor is released even when the call reports an error (Linux semantics), so a
     * failure must not be answered with a second close.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static void close(int fd) throws FileSystemException {
        call((state, _) -> (int) CLOSE.invokeExact(state, fd), result -> result != 0, () -> "close(" + fd + ")");
    }

    /**
     * {@code fstat(2)}.
     *
     * @param path the path {@code fd} was opened from, for the message only
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static FileStatus fstat(int fd, String path) throws FileSystemException {
        // the struct is read after the call has been checked, so it outlives the arena of the call
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(ARCH.stat());
            call((state, _) -> ARCH.fstatIsVersioned()
                            ? (int) FSTAT.invokeExact(state, STAT_VERSION_X86_64, fd, stat)
                            : (int) FSTAT.invokeExact(state, fd, stat),
                    result -> result != 0, () -> "fstat(" + fd + " \"" + path + "\")", path);
            return new FileStatus((long) ST_DEV.get(stat, 0L), (long) ST_INO.get(stat, 0L),
                    (int) ST_MODE.get(stat, 0L), (long) ST_RDEV.get(stat, 0L), (long) ST_SIZE.get(stat, 0L),
                    (long) ST_BLKSIZE.get(stat, 0L));
        }
    }

    /**
     * {@code fstatfs(2)}.
     *
     * @param path the path {@code fd} was opened from, for the message only
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static FileSystemStatus fstatfs(int fd, String path) throws FileSystemException {
        // as in fstat, the struct outlives the arena of the call
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment statfs = arena.allocate(STATFS);
            call((state, _) -> (int) FSTATFS.invokeExact(state, fd, statfs),
                    result -> result != 0, () -> "fstatfs(" + fd + " \"" + path + "\")", path);
            return new FileSystemStatus((long) F_TYPE.get(statfs, 0L), (long) F_BSIZE.get(statfs, 0L));
        }
    }

    /**
     * {@code ftruncate(2)}.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static void ftruncate(int fd, long length, String path) throws FileSystemException {
        call((state, _) -> (int) FTRUNCATE.invokeExact(state, fd, length),
                result -> result != 0, () -> "ftruncate(" + fd + " \"" + path + "\", " + length + ")", path);
    }

    /**
     * {@code fallocate(2)} with mode 0: allocates the blocks of {@code [offset, offset + length)} and extends the
     * file size to cover them, so that later stores through a mapping cannot fail for lack of space.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type):
     *                             ({@code EOPNOTSUPP} where the file system cannot preallocate)
     */
    public static void fallocate(int fd, long offset, long length, String path) throws FileSystemException {
        call((state, _) -> (int) FALLOCATE.invokeExact(state, fd, 0, offset, length),
                result -> result != 0,
                () -> "fallocate(" + fd + " \"" + path + "\", 0, " + offset + ", " + length + ")", path);
    }

    /**
     * {@code mmap(2)} of a file.
     *
     * @param path the path {@code fd} was opened from, for the message only
     * @return the address of the new mapping
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static long mmap(long address, long length, int prot, int flags, int fd, long offset, String path)
            throws FileSystemException {
        return call((state, _) -> ((MemorySegment) MMAP.invokeExact(state, MemorySegment.ofAddress(address), length,
                        prot, flags, fd, offset)).address(),
                result -> result == MAP_FAILED,
                () -> "mmap(" + hex(address) + ", " + length + ", " + protection(prot) + ", "
                        + mapFlags(flags) + ", " + fd + " \"" + path + "\", " + offset + ")", fd < 0 ? null : path);
    }

    /**
     * {@code munmap(2)}.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static void munmap(long address, long length) throws FileSystemException {
        call((state, _) -> (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length),
                result -> result != 0, () -> "munmap(" + hex(address) + ", " + length + ")");
    }

    /**
     * {@code mprotect(2)}.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type):
     *                             ({@code EACCES} where policy forbids executable memory)
     */
    public static void mprotect(long address, long length, int prot) throws FileSystemException {
        call((state, _) -> (int) MPROTECT.invokeExact(state, MemorySegment.ofAddress(address), length, prot),
                result -> result != 0,
                () -> "mprotect(" + hex(address) + ", " + length + ", " + protection(prot) + ")");
    }

    /**
     * {@code msync(2)} over the whole of {@code range}, retried on {@code EINTR}.
     *
     * @param range a page-aligned slice of a mapping; its arena is kept alive during the call
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static void msync(MemorySegment range, int flags) throws FileSystemException {
        call((state, _) -> {
            int result;
            do {
                result = (int) MSYNC.invokeExact(state, range, range.byteSize(), flags);
            } while (result != 0 && errno(state) == Errno.EINTR);
            return result;
        }, result -> result != 0, () -> "msync(" + hex(range.address()) + ", " + range.byteSize() + ", "
                + ((flags & MS_SYNC) != 0 ? "MS_SYNC" : "MS_ASYNC")
                + ((flags & MS_INVALIDATE) != 0 ? "|MS_INVALIDATE" : "") + ")");
    }

    /**
     * {@code madvise(2)} over the whole of {@code range}.
     *
     * @throws FileSystemException when the call fails (see {@link #failure} for the type)
     */
    public static void madvise(MemorySegment range, int advice) throws FileSystemException {
        call((state, _) -> (int) MADVISE.invokeExact(state, range, range.byteSize(), advice),
                result -> result != 0,
                () -> "madvise(" + hex(range.address()) + ", " + range.byteSize() + ", " + advice(advice) + ")");
    }

    /**
     * Views {@code length} bytes of native memory at {@code address} as a segment of {@code arena}.
     *
     * <p>The restricted step of mapping: the caller vouches that {@code [address, address + length)} is mapped
     * and stays mapped until {@code arena} is closed.
     */
    public static MemorySegment view(long address, long length, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(length, arena, null);
    }

    /**
     * {@code membarrier(2)}, which the C library does not wrap: {@code syscall(SYS_membarrier, cmd, 0, 0)}.
     *
     * @return the call's result: for {@link #MEMBARRIER_CMD_QUERY} the mask of supported commands, else 0
     * @throws FileSystemException when the call fails ({@code ENOSYS} on kernels before 4.3, {@code EINVAL} for a
     *                             command the kernel lacks, {@code EPERM} for an unregistered expedited one)
     */
    public static long membarrier(int command) throws FileSystemException {
        return call((state, _) -> (long) SYSCALL3.invokeExact(state, ARCH.membarrierNumber(), command, 0, 0),
                result -> result < 0, () -> "membarrier(" + command + ", 0, 0)");
    }

    /**
     * {@return the address of the handler installed for {@code signal}, {@code 0} for {@code SIG_DFL} and {@code 1}
     * for {@code SIG_IGN}, with bit 63 set when it was installed without {@link #SA_SIGINFO}}
     *
     * @throws FileSystemException when {@code sigaction} fails ({@code EINVAL} for an invalid signal)
     */
    public static long signalHandler(int signal) throws FileSystemException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(SIGACTION);
            call((state, _) -> (int) SIGACTION_CALL.invokeExact(state, signal, MemorySegment.NULL, current),
                    result -> result != 0, () -> "sigaction(" + signal + ", NULL, &old)");
            long handler = (long) SA_HANDLER.get(current, 0L);
            return ((int) SA_FLAGS.get(current, 0L) & SA_SIGINFO) != 0 ? handler : handler | Long.MIN_VALUE;
        }
    }

    /**
     * Replaces the handler of {@code signal} with the function at {@code handler}, keeping the mask and the flags
     * of the action installed now (the JVM's): only the function changes, and it must chain to the old one.
     *
     * @throws FileSystemException when {@code sigaction} fails
     */
    public static void replaceSignalHandler(int signal, long handler) throws FileSystemException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(SIGACTION);
            call((state, _) -> (int) SIGACTION_CALL.invokeExact(state, signal, MemorySegment.NULL, action),
                    result -> result != 0, () -> "sigaction(" + signal + ", NULL, &old)");
            SA_HANDLER.set(action, 0L, handler);
            call((state, _) -> (int) SIGACTION_CALL.invokeExact(state, signal, action, MemorySegment.NULL),
                    result -> result != 0, () -> "sigaction(" + signal + ", " + hex(handler) + ", NULL)");
        }
    }

    /** {@return {@code strerror(errno)}: the C library's description of an errno value} */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? "unknown error" : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long sysconf(int name, String symbol) throws FileSystemException {
        // -1 is sysconf's failure whatever errno says; every name dax4j asks for has a value
        return call((state, _) -> (long) SYSCONF.invokeExact(state, name),
                result -> result == -1L, () -> "sysconf(" + symbol + ")");
    }

    /**
     * One downcall for {@link #call} to make: invokes its handle with {@code state} as the capture-state argument,
     * allocates any other arguments in {@code arena}, and returns the result widened to a long.
     */
    @FunctionalInterface
    private interface NativeCall {
        long invoke(MemorySegment state, Arena arena) throws Throwable;
    }

    /**
     * Makes {@code call} and throws an {@link ErrnoException} when {@code failed} holds for its result: the one
     * place a wrapper's call is made. The capture state and {@code call}'s arguments live in a confined arena that
     * is closed when the call has been checked. {@code what} renders the call with its arguments and is asked only
     * on failure, so a successful call formats nothing.
     *
     * @return the call's result, one {@code failed} has let through
     */
    private static long call(NativeCall call, LongPredicate failed, Supplier<String> what)
            throws FileSystemException {
        return call(call, failed, what, null);
    }

    /** {@link #call(NativeCall, LongPredicate, Supplier)} of a call on {@code file}, which the failure names. */
    private static long call(NativeCall call, LongPredicate failed, Supplier<String> what, String file)
            throws FileSystemException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long result = call.invoke(state, arena);
            if (failed.test(result)) {
                throw failure(what.get(), state, file);
            }
            return result;
        } catch (FileSystemException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * {@return the failure of {@code call} as {@code java.nio.file} reports it}: {@code NoSuchFileException} for
     * {@code ENOENT}, {@code AccessDeniedException} for {@code EACCES} and {@code EPERM},
     * {@code FileAlreadyExistsException} for {@code EEXIST}, else an {@link ErrnoException} with the errno. Each
     * names {@code file} and has the call, the errno symbol and {@code strerror}'s text as its reason.
     */
    private static FileSystemException failure(String call, MemorySegment state, String file) {
        int errno = errno(state);
        String symbol = Errno.symbol(errno);
        String reason = call + " failed: " + symbol + " (" + strerror(errno) + ")";
        return switch (errno) {
            case Errno.ENOENT -> new NoSuchFileException(file, null, reason);
            case Errno.EACCES, Errno.EPERM -> new AccessDeniedException(file, null, reason);
            case Errno.EEXIST -> new FileAlreadyExistsException(file, null, reason);
            default -> new ErrnoException(file, call, errno, symbol, strerror(errno));
        };
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a native call", t);
    }

    /** {@return a handle on the field {@code name} of a struct, read as {@code get(segment, 0L)}: base offset 0} */
    private static VarHandle field(StructLayout struct, String name) {
        return struct.varHandle(groupElement(name));
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("the C library has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** glibc before 2.33 exports {@code fstat} only as the inline wrapper around {@code __fxstat}. */
    private static MethodHandle fstatHandle() {
        if (ARCH.fstatIsVersioned()) {
            return downcall("__fxstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
        }
        return downcall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    static String openFlags(int flags) {
        StringJoiner names = new StringJoiner("|");
        names.add((flags & 03) == O_RDWR ? "O_RDWR" : (flags & 03) == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
        if ((flags & O_CREAT) != 0) names.add("O_CREAT");
        if ((flags & O_EXCL) != 0) names.add("O_EXCL");
        if ((flags & O_CLOEXEC) != 0) names.add("O_CLOEXEC");
        if ((flags & O_PATH) != 0) names.add("O_PATH");
        return names.toString();
    }

    static String protection(int prot) {
        if (prot == PROT_NONE) {
            return "PROT_NONE";
        }
        StringJoiner names = new StringJoiner("|");
        if ((prot & PROT_READ) != 0) names.add("PROT_READ");
        if ((prot & PROT_WRITE) != 0) names.add("PROT_WRITE");
        if ((prot & PROT_EXEC) != 0) names.add("PROT_EXEC");
        return names.toString();
    }

    static String mapFlags(int flags) {
        StringJoiner names = new StringJoiner("|");
        names.add(switch (flags & 0x03) {
            case MAP_SHARED -> "MAP_SHARED";
            case MAP_PRIVATE -> "MAP_PRIVATE";
            case MAP_SHARED_VALIDATE -> "MAP_SHARED_VALIDATE";
            default -> "0";
        });
        if ((flags & MAP_FIXED) != 0) names.add("MAP_FIXED");
        if ((flags & MAP_ANONYMOUS) != 0) names.add("MAP_ANONYMOUS");
        if ((flags & MAP_NORESERVE) != 0) names.add("MAP_NORESERVE");
        if ((flags & MAP_POPULATE) != 0) names.add("MAP_POPULATE");
        if ((flags & MAP_SYNC) != 0) names.add("MAP_SYNC");
        return names.toString();
    }

    static String advice(int advice) {
        return switch (advice) {
            case MADV_DONTFORK -> "MADV_DONTFORK";
            case MADV_POPULATE_READ -> "MADV_POPULATE_READ";
            case MADV_POPULATE_WRITE -> "MADV_POPULATE_WRITE";
            default -> Integer.toString(advice);
        };
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    /**
     * The parts of the C ABI that differ between the architectures dax4j runs on: the layout of {@code struct stat},
     * whether {@code fstat} must be reached through {@code __fxstat}, and the number of {@code membarrier}.
     */
    private record Arch(StructLayout stat, boolean fstatIsVersioned, long membarrierNumber) {

        static Arch current() {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!os.equals("Linux")) {
                throw new UnsupportedOperationException("dax4j runs on Linux only, not on " + os);
            }
            boolean oldGlibc = LIBC.find("fstat").isEmpty();
            return switch (arch) {
                case "amd64", "x86_64" -> new Arch(STAT_X86_64, oldGlibc, 324);
                case "aarch64" -> new Arch(STAT_AARCH64, false, 283);
                default -> throw new UnsupportedOperationException(
                        "dax4j runs on Linux x86-64 and aarch64, not on " + arch);
            };
        }
    }
}
