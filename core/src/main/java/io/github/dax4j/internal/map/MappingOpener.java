package io.github.dax4j.internal.map;

import io.github.dax4j.Alignment;
import io.github.dax4j.BadBlockException;
import io.github.dax4j.DaxException;
import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.FileSource;
import io.github.dax4j.Granularity;
import io.github.dax4j.MapOptions;
import io.github.dax4j.MapSyncUnavailableException;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.SimulatedSource;
import io.github.dax4j.Source;
import io.github.dax4j.SourceInUseException;
import io.github.dax4j.device.BadBlock;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.persist.Durability;
import io.github.dax4j.internal.persist.MechanismSelector;
import io.github.dax4j.internal.persist.Persisters;
import io.github.dax4j.internal.persist.SimulatedPersister;
import io.github.dax4j.internal.persist.VolatilePersister;
import io.github.dax4j.internal.posix.Errno;
import io.github.dax4j.internal.posix.ErrnoException;
import io.github.dax4j.internal.posix.FileStatus;
import io.github.dax4j.internal.posix.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The open sequence of a mapping: create -> allocate -> lock -> map -> advise -> prefault -> choose durability.
 *
 * <p>Each step that takes a resource pushes its undo on one stack (delete the created file, close the descriptor,
 * unmap, close the arena) before the next step runs; a failure anywhere runs the stack in reverse and rethrows the
 * first failure with the undo failures suppressed, so a failed open leaves nothing behind. A successful open hands
 * every resource to the {@link OpenedMapping}, whose {@link OpenedMapping#release()} is the only way back.
 */
public final class MappingOpener {

    private MappingOpener() {
    }

    /**
     * Opens and maps {@code path} as {@code options} ask; see {@code DaxMapping.open} for the contract.
     */
    public static OpenedMapping open(Path path, MapOptions options, DaxDevices devices) throws IOException {
        Undo undo = new Undo();
        try {
            SourceOpener.Opened opened = SourceOpener.open(path, options, devices);
            int fd = opened.fd();
            String name = path.toString();
            undo.push(() -> Libc.close(fd));
            if (opened.created()) {
                undo.push(() -> SourceOpener.delete(path));
            }
            Source source = opened.source();
            MappingPlan plan = MappingPlan.of(source, options);
            if (opened.created()) {
                allocate(fd, name, plan.offset() + plan.length());
            } else if (source instanceof FileSource && !options.isReadOnly()) {
                backEveryPage(fd, name, plan.offset(), plan.length());
            }
            if (options.isRefusingBadBlocks() && source instanceof DeviceDaxSource dax) {
                List<BadBlock> covered = dax.device().badBlocks(plan.offset(), plan.length());
                if (!covered.isEmpty()) {
                    throw new BadBlockException(path, plan.offset(), covered);
                }
            }
            if (options.isExclusive() && !Libc.tryLock(fd, options.isReadOnly(), name)) {
                throw new SourceInUseException(path);
            }

            int prot = options.isReadOnly() ? Libc.PROT_READ : Libc.PROT_READ | Libc.PROT_WRITE;
            long length = plan.length();
            long alignment = plan.alignment().bytes();
            Optional<ErrnoException> refusal = Optional.empty();
            long address;
            try {
                address = AlignedMapper.map(fd, plan.offset(), length, alignment, prot,
                        Libc.MAP_SHARED_VALIDATE | Libc.MAP_SYNC, name);
            } catch (ErrnoException e) {
                // EOPNOTSUPP: no DAX; EINVAL from a kernel older than 4.15, which knows no MAP_SHARED_VALIDATE
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EINVAL) {
                    throw e;
                }
                // device-DAX has no page cache and no file system metadata: MAP_SHARED is just as synchronous
                if (source instanceof FileSource file && !options.isEmulatingMapSync()) {
                    throw new MapSyncUnavailableException(path, file.fileSystem(), e.asPublic());
                }
                refusal = source instanceof FileSource ? Optional.of(e) : Optional.empty();
                address = AlignedMapper.map(fd, plan.offset(), length, alignment, prot, Libc.MAP_SHARED, name);
            }
            long mapped = address;
            undo.push(() -> Libc.munmap(mapped, length));

            Arena arena = Arena.ofShared();
            undo.push(arena::close);
            MemorySegment segment = Libc.view(address, length, arena);
            Libc.madvise(segment, Libc.MADV_DONTFORK);
            if (options.isPrefault()) {
                prefault(segment, options.isReadOnly(), source.faultSize());
            }
            PersistenceDomain domain = persistenceDomain(source, refusal.isEmpty(), fd, name, devices);
            MechanismSelector.Selection selection = selectMechanism(source, refusal.isEmpty(), domain, options);
            Durability durability = new Durability(selection.refused() ? new VolatilePersister(source.describe())
                    : Persisters.forMechanism(selection.mechanism()),
                    options.nonTemporalThreshold().orElseGet(SystemDefaults::nonTemporalThreshold));
            OpenedMapping result = new OpenedMapping(source, plan, options.isReadOnly(), refusal, domain, arena,
                    options.isReadOnly() ? segment.asReadOnly() : segment, segment, selection.reason(), durability,
                    () -> {
                        try {
                            Libc.munmap(mapped, length);
                        } finally {
                            Libc.close(fd);
                        }
                    });
            undo.clear();
            return result;
        } catch (IOException | RuntimeException | Error e) {
            undo.run(e);
            throw e;
        }
    }

    /**
     * A simulated device over {@code memory}; see {@code DaxMapping.simulate} for the contract. Nothing is mapped
     * or opened, and {@code memory} is used as given, in its own arena and confinement: no restricted method
     * widens it, so the simulator hands out nothing the caller did not have.
     */
    public static OpenedMapping simulated(String name, MemorySegment memory, Alignment alignment,
                                          Granularity granularity, SimulatedSource.Observer observer) {
        if (!memory.isNative() || memory.byteSize() == 0 || !alignment.isAligned(memory.byteSize())
                || !alignment.isAligned(memory.address())) {
            throw new IllegalArgumentException("a simulated device needs native memory at an address that is a"
                    + " multiple of " + alignment + ", a whole number of " + alignment + " long (as a real mapping"
                    + " is placed): " + memory);
        }
        if (memory.isReadOnly()) {
            throw new IllegalArgumentException("a simulated device needs writable memory: " + memory);
        }
        PersistMechanism mechanism = switch (granularity) {
            case CACHE_LINE -> PersistMechanism.SIMULATED_CACHE_LINE;
            case BYTE -> PersistMechanism.SIMULATED_BYTE;
            case PAGE -> throw new IllegalArgumentException("a simulated device is CACHE_LINE or BYTE, not PAGE");
        };
        SimulatedSource source = new SimulatedSource(name, memory.byteSize(), alignment);
        Arena closes = Arena.ofShared(); // holds nothing: the memory is the caller's, in the caller's arena
        PersistenceDomain domain = granularity == Granularity.BYTE ? PersistenceDomain.CPU_CACHE
                : PersistenceDomain.MEMORY_CONTROLLER;
        return new OpenedMapping(source, new MappingPlan(0, memory.byteSize(), alignment, true), false,
                Optional.empty(), domain, closes, memory, memory, "a simulated device: its observer decides durability",
                new Durability(new SimulatedPersister(mechanism, observer), SystemDefaults.nonTemporalThreshold()),
                () -> {
                });
    }

    /**
     * The domain of the memory mapped: a device's own; RAM for tmpfs, hugetlbfs and ramfs; for a file with
     * {@code MAP_SYNC} (a DAX file system), that of the region its block device belongs to; for the page cache of
     * any other file, {@code UNKNOWN}: msync hands the data to a device dax4j does not see.
     */
    private static PersistenceDomain persistenceDomain(Source source, boolean synchronous, int fd, String name,
                                                       DaxDevices devices) throws IOException {
        return switch (source) {
            case DeviceDaxSource dax -> dax.device().persistenceDomain();
            case FileSource file -> switch (file.fileSystem()) {
                case TMPFS, HUGETLBFS, RAMFS -> PersistenceDomain.NONE;
                default -> {
                    if (!synchronous) {
                        yield PersistenceDomain.UNKNOWN;
                    }
                    long dev = Libc.fstat(fd, name).dev();
                    yield devices.persistenceDomainOfBlockDevice(FileStatus.major(dev), FileStatus.minor(dev));
                }
            };
            case SimulatedSource simulated -> throw new IllegalArgumentException("simulated: " + simulated);
        };
    }

    private static MechanismSelector.Selection selectMechanism(Source source, boolean synchronous,
                                                               PersistenceDomain domain, MapOptions options)
            throws DaxException {
        boolean deviceDax = source instanceof DeviceDaxSource;
        MechanismSelector.Situation situation = new MechanismSelector.Situation(deviceDax, synchronous, domain,
                MechanismSelector.runnable(CpuStubs.get().map(s -> s.features().flushes()).orElse(Set.of())),
                CpuStubs.unavailableReason(), source.describe());
        try {
            // the property is a default: read (and checked) only where the options ask for no mechanism
            Optional<PersistMechanism> property = options.persistMechanism().isPresent() ? Optional.empty()
                    : SystemDefaults.persistMechanism();
            return MechanismSelector.select(situation, options.persistMechanism(), property,
                    options.isAcceptingNonDurableStores() || options.isReadOnly()); // read-only: nothing to persist
        } catch (DaxException e) {
            if (options.isReadOnly() && options.persistMechanism().isEmpty()) {
                // nothing will ever be persisted through a read-only mapping: no reason to refuse it
                return new MechanismSelector.Selection(PersistMechanism.NONE, "read-only: " + e.getMessage());
            }
            throw e;
        }
    }

    private static void allocate(int fd, String name, long length) throws FileSystemException {
        try {
            Libc.fallocate(fd, 0, length, name);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            Libc.ftruncate(fd, length, name);
        }
    }

    /**
     * Allocates the blocks (or huge pages) behind every page of an existing file's mapped range, so that no store
     * through the mapping can meet a hole the file system cannot fill: on a full tmpfs, or a hugetlbfs without free
     * pages, such a store raises {@code SIGBUS}, which the JVM survives in its own accesses but not in dax4j's flush
     * and non-temporal copy code. {@code fallocate} mode 0 keeps the data and the size; pages that are backed already
     * cost nothing. A file system that cannot preallocate ({@code EOPNOTSUPP}) is mapped as it is.
     *
     * @throws FileSystemException with {@code ENOSPC} when the file system cannot back the range: refused at open
     *                             rather than failing later, as a store
     */
    private static void backEveryPage(int fd, String name, long offset, long length) throws FileSystemException {
        try {
            Libc.fallocate(fd, offset, length, name);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
        }
    }

    /**
     * Takes every fault now. {@code MADV_POPULATE_*} (Linux 5.14) reports a fault that cannot be served (e.g. no
     * free huge page) as an error; older kernels answer {@code EINVAL}, and then one access per fault-size step
     * faults the pages in, for reading only (a later write still takes a minor fault to mark the page dirty).
     */
    private static void prefault(MemorySegment segment, boolean readOnly, long faultSize)
            throws FileSystemException {
        try {
            Libc.madvise(segment, readOnly ? Libc.MADV_POPULATE_READ : Libc.MADV_POPULATE_WRITE);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            long step = Math.min(faultSize, Libc.pageSize());
            for (long at = 0; at < segment.byteSize(); at += step) {
                segment.get(JAVA_BYTE, at);
            }
        }
    }

    /** What a failed open must give back, newest first. */
    private static final class Undo {

        interface Step {
            void run() throws Exception;
        }

        private final Deque<Step> steps = new ArrayDeque<>();

        void push(Step step) {
            steps.push(step);
        }

        void clear() {
            steps.clear();
        }

        void run(Throwable failure) {
            while (!steps.isEmpty()) {
                try {
                    steps.pop().run();
                } catch (Exception | Error suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
        }
    }
}
