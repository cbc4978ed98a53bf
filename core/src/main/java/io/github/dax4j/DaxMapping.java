package io.github.dax4j;

import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.internal.posix.Errno;
import io.github.dax4j.internal.posix.Libc;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.persist.Granularity;
import io.github.dax4j.persist.ObservedPersister;
import io.github.dax4j.persist.PersistenceObserver;
import io.github.dax4j.persist.Persisters;
import io.github.dax4j.persist.MechanismSelector;
import io.github.dax4j.persist.PersistFlag;
import io.github.dax4j.persist.PersistMechanism;
import io.github.dax4j.persist.Persister;
import io.github.dax4j.persist.PersistentCopier;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A shared mapping of a persistent-memory source (a device-DAX instance or a file), and the means to make stores
 * to it durable.
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
 * <p>Invariants, the device-DAX driver's own, kept for every source:
 * <ol>
 *   <li>The mapping is shared ({@code MAP_SHARED_VALIDATE}, or {@code MAP_SHARED} where {@code MAP_SYNC} is
 *       refused and {@link SyncMode#EMULATE} allows it); dax4j has no private mappings. It is marked
 *       {@code MADV_DONTFORK}: a forked child never inherits it.</li>
 *   <li>Offset, length and address are multiples of {@link #alignment()}, checked before anything is mapped (see
 *       {@link Alignment} for the rules per source). {@link #faultSize()} is the largest page the source can fault
 *       at; a {@linkplain MapOptions#strict(boolean) strict} mapping guarantees it is at least the alignment.</li>
 *   <li>{@link #segment()} covers exactly the mapped bytes, read-only for a read-only mapping. Its bounds never
 *       change.</li>
 *   <li>{@link #isSynchronous()} and {@link #persistMechanism()} are fixed for the life of the mapping.</li>
 *   <li>The mapping may be used from any thread. {@link #close()} unmaps it; afterwards accesses through
 *       {@link #segment()} and calls to {@link #persist} throw {@link IllegalStateException}, never crash the JVM.
 *       Closing twice is harmless.</li>
 *   <li>The source's descriptor stays open (and its {@linkplain MapOptions#exclusive() lock} held) for the life of
 *       the mapping and is closed with it.</li>
 *   <li>A failed {@link #open} leaves nothing behind: no descriptor, no mapping, no reserved address space, no
 *       file it created.</li>
 * </ol>
 *
 * <p>Run with {@code --enable-native-access=ALL-UNNAMED} (or the name of the module that holds dax4j) so the JVM
 * allows dax4j's native calls without a warning.
 *
 * @apiNote A file truncated by another process while mapped makes accesses past its new end fail with
 * {@link InternalError} (the JVM's translation of {@code SIGBUS}). dax4j checks the size when it opens the file and
 * keeps it open, but cannot stop another process from truncating it; an {@linkplain MapOptions#exclusive()
 * exclusive} mapping keeps out the processes that ask for the lock.
 */
public final class DaxMapping implements AutoCloseable {

    private final Source source;
    private final MappingPlan plan;
    private final boolean readOnly;
    private final int fd;
    private final long address;
    private final Optional<ErrnoException> mapSyncRefusal;
    private final Arena arena;
    private final MemorySegment segment;
    private final MechanismSelector.Selection selection;
    private final Persister persister;
    private final PersistentCopier copier;
    private final PersistenceObserver observer;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Plain reads and writes of aligned longs: atomic (single-copy) and unordered, as the x86 and Arm ISAs give. */
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** No flags, shared: a varargs call without arguments would allocate an empty array on every copy. */
    private static final PersistFlag[] NO_FLAGS = {};

    /** The system property that sets the non-temporal threshold when the options do not. */
    public static final String NON_TEMPORAL_THRESHOLD_PROPERTY = "dax4j.nonTemporalThreshold";

    private DaxMapping(Source source, MappingPlan plan, boolean readOnly, int fd, long address,
                       Optional<ErrnoException> mapSyncRefusal, Arena arena, MemorySegment segment,
                       MechanismSelector.Selection selection, long nonTemporalThreshold) {
        this(source, plan, readOnly, fd, address, mapSyncRefusal, arena, segment, selection,
                Persisters.forMechanism(selection.mechanism()), nonTemporalThreshold, null);
    }

    private DaxMapping(Source source, MappingPlan plan, boolean readOnly, int fd, long address,
                       Optional<ErrnoException> mapSyncRefusal, Arena arena, MemorySegment segment,
                       MechanismSelector.Selection selection, Persister persister, long nonTemporalThreshold,
                       PersistenceObserver observer) {
        this.source = source;
        this.plan = plan;
        this.readOnly = readOnly;
        this.fd = fd;
        this.address = address;
        this.mapSyncRefusal = mapSyncRefusal;
        this.arena = arena;
        this.segment = segment;
        this.selection = selection;
        this.persister = persister;
        this.copier = new PersistentCopier(persister, nonTemporalThreshold);
        this.observer = observer;
    }

    /**
     * A simulated device over {@code memory}: the same API as a real mapping, but no file, no kernel and no cache
     * flush. Every store made through this class's accessors, every flush and every fence is reported to
     * {@code observer} (a crash simulator), which decides what a power failure could leave. The memory stays the
     * caller's; closing the mapping only ends this view of it.
     *
     * @param granularity {@link Granularity#CACHE_LINE} (ADR: flushes and fences matter) or {@link Granularity#BYTE}
     *                    (eADR: stores are durable in program order)
     * @throws IllegalArgumentException if {@code memory} is not native, is empty, or is not a multiple of
     *                                  {@code alignment} long, or {@code granularity} is PAGE
     */
    public static DaxMapping simulate(String name, MemorySegment memory, Alignment alignment, Granularity granularity,
                                      PersistenceObserver observer) {
        Objects.requireNonNull(observer, "observer");
        if (!memory.isNative() || memory.byteSize() == 0 || !alignment.isAligned(memory.byteSize())) {
            throw new IllegalArgumentException("a simulated device needs native memory, a whole number of "
                    + alignment + " long: " + memory);
        }
        PersistMechanism mechanism = switch (granularity) {
            case CACHE_LINE -> PersistMechanism.SIMULATED_CACHE_LINE;
            case BYTE -> PersistMechanism.SIMULATED_BYTE;
            case PAGE -> throw new IllegalArgumentException("a simulated device is CACHE_LINE or BYTE, not PAGE");
        };
        SimulatedSource source = new SimulatedSource(name, memory.byteSize(), alignment);
        Arena arena = Arena.ofShared();
        MemorySegment view = Libc.view(memory.address(), memory.byteSize(), arena);
        return new DaxMapping(source, new MappingPlan(0, memory.byteSize(), alignment, true), false, -1,
                memory.address(), Optional.empty(), arena, view,
                new MechanismSelector.Selection(mechanism, "a simulated device: its observer decides durability"),
                new ObservedPersister(mechanism, observer), PersistentCopier.DEFAULT_THRESHOLD, observer);
    }

    /**
     * Maps a device-DAX instance or a regular file, shared, asking the kernel for
     * {@code MAP_SHARED_VALIDATE|MAP_SYNC}.
     *
     * <p>With {@link MapOptions#isCreateIfAbsent()}, a missing file is created with mode {@code 0600} and its blocks
     * allocated ({@code fallocate}, or {@code ftruncate} where the file system cannot preallocate); if anything
     * after that fails, the file is deleted again.
     *
     * @param path    the device or file to map; symbolic links are followed once
     * @param options which bytes, how aligned, what to do without {@code MAP_SYNC}, ...
     * @return the established mapping; the caller must close it
     * @throws ErrnoException               if a system call fails, e.g. {@code open} with {@code ENOENT} for a
     *                                      missing file that is not to be created, or {@code EROFS}/{@code EACCES}
     *                                      for a read-write mapping of a file that is read-only
     * @throws UnsupportedSourceException   if {@code path} is neither a regular file nor device-DAX
     * @throws AlignmentException           if an alignment rule is broken (see {@link Alignment})
     * @throws SourceRangeException         if the source is shorter than the offset plus the length to map
     * @throws MapSyncUnavailableException  if {@link SyncMode#REQUIRE} and the kernel refuses {@code MAP_SYNC}
     * @throws SourceInUseException         if {@linkplain MapOptions#exclusive() exclusive} and another open holds
     *                                      the source's lock
     * @throws IllegalArgumentException     if the options both create and map read-only
     */
    public static DaxMapping open(Path path, MapOptions options) {
        return open(path, options, DaxDevices.system());
    }

    /** {@link #open(Path, MapOptions)}, with device-DAX instances looked up in {@code devices}. */
    static DaxMapping open(Path path, MapOptions options, DaxDevices devices) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        SourceOpener.Opened opened = SourceOpener.open(path, options, devices);
        int fd = opened.fd();
        Source source = opened.source();
        String name = path.toString();
        long address = 0;
        long length = 0;
        try {
            MappingPlan plan = MappingPlan.of(source, options);
            length = plan.length();
            if (opened.created()) {
                allocate(fd, name, plan.offset() + plan.length());
            }
            if (options.isExclusive() && !Libc.tryLock(fd, options.isReadOnly(), name)) {
                throw new SourceInUseException(path);
            }

            int prot = options.isReadOnly() ? Libc.PROT_READ : Libc.PROT_READ | Libc.PROT_WRITE;
            long alignment = plan.alignment().bytes();
            Optional<ErrnoException> refusal = Optional.empty();
            try {
                address = AlignedMapper.map(fd, plan.offset(), length, alignment, prot,
                        Libc.MAP_SHARED_VALIDATE | Libc.MAP_SYNC, name);
            } catch (ErrnoException e) {
                // EOPNOTSUPP: no DAX; EINVAL from a kernel older than 4.15, which knows no MAP_SHARED_VALIDATE
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EINVAL) {
                    throw e;
                }
                // device-DAX has no page cache and no file system metadata: MAP_SHARED is just as synchronous
                if (source instanceof FileSource && options.syncMode() == SyncMode.REQUIRE) {
                    throw new MapSyncUnavailableException(path, ((FileSource) source).fileSystem(), e);
                }
                refusal = source instanceof FileSource ? Optional.of(e) : Optional.empty();
                address = AlignedMapper.map(fd, plan.offset(), length, alignment, prot, Libc.MAP_SHARED, name);
            }

            Arena arena = Arena.ofShared();
            MemorySegment segment = Libc.view(address, length, arena);
            Libc.madvise(segment, Libc.MADV_DONTFORK);
            if (options.isPrefault()) {
                prefault(segment, options.isReadOnly(), source.faultSize());
            }
            MechanismSelector.Selection selection = selectMechanism(source, refusal.isEmpty(), options, devices);
            long threshold = options.nonTemporalThreshold().orElseGet(() -> Long.getLong(
                    NON_TEMPORAL_THRESHOLD_PROPERTY, PersistentCopier.DEFAULT_THRESHOLD));
            return new DaxMapping(source, plan, options.isReadOnly(), fd, address, refusal, arena,
                    options.isReadOnly() ? segment.asReadOnly() : segment, selection, threshold);
        } catch (RuntimeException | Error e) {
            if (address != 0) {
                try {
                    Libc.munmap(address, length);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            SourceOpener.closeQuietly(fd, e);
            if (opened.created()) {
                SourceOpener.deleteQuietly(path, e);
            }
            throw e;
        }
    }

    private static MechanismSelector.Selection selectMechanism(Source source, boolean synchronous, MapOptions options,
                                                               DaxDevices devices) {
        boolean deviceDax = source instanceof DeviceDaxSource;
        MechanismSelector.Situation situation = new MechanismSelector.Situation(deviceDax, synchronous,
                synchronous && devices.cachesArePersistent(),
                MechanismSelector.runnable(CpuStubs.get().map(s -> s.features().flushes()).orElse(java.util.Set.of())),
                CpuStubs.unavailableReason(), source.describe());
        try {
            return MechanismSelector.select(situation, options.persistMechanism(),
                    Optional.ofNullable(System.getProperty(MechanismSelector.PROPERTY)));
        } catch (DaxException e) {
            if (options.isReadOnly() && options.persistMechanism().isEmpty()) {
                // nothing will ever be persisted through a read-only mapping: no reason to refuse it
                return new MechanismSelector.Selection(PersistMechanism.NONE, "read-only: " + e.getMessage());
            }
            throw e;
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

    /**
     * Takes every fault now. {@code MADV_POPULATE_*} (Linux 5.14) reports a fault that cannot be served (e.g. no
     * free huge page) as an error; older kernels answer {@code EINVAL}, and then one access per fault-size step
     * faults the pages in, for reading only (a later write still takes a minor fault to mark the page dirty).
     */
    private static void prefault(MemorySegment segment, boolean readOnly, long faultSize) {
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

    /**
     * {@return the mapped memory} Its bounds are the mapping's; accessing it after {@link #close()} throws
     * {@link IllegalStateException}. Read-only for a read-only mapping.
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Makes the stores to {@code [offset, offset + length)} durable, and returns only when they are: a
     * {@link #flush} and a {@link #drain} in one call.
     *
     * <p>What "durable" costs depends on {@link #persistMechanism()}: the whole pages touching the range for
     * {@code MSYNC}, every 64-byte line overlapping it for the CPU mechanisms, a fence for {@code FENCE_ONLY}. An
     * empty range costs only the fence (or nothing). A read-only mapping has nothing to persist.
     *
     * @throws IndexOutOfBoundsException if {@code offset < 0}, {@code length < 0} or
     *                                   {@code offset + length > byteSize()}
     * @throws IllegalStateException     if the mapping is closed
     * @throws ErrnoException            if the kernel reports a write-back failure (e.g. {@code EIO} from msync)
     */
    public void persist(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        ensureOpen();
        if (!readOnly) {
            persister.persist(segment, offset, length);
        }
    }

    /**
     * Starts making {@code [offset, offset + length)} durable without waiting: the stores are durable after the
     * next {@link #drain()} by this thread. Flush several ranges, then drain once.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ErrnoException            if {@code msync} fails ({@code MSYNC} flushes synchronously)
     */
    public void flush(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        ensureOpen();
        if (!readOnly) {
            persister.flush(segment, offset, length);
        }
    }

    /**
     * Waits until every {@link #flush} and non-temporal store this thread issued before is durable.
     *
     * @throws IllegalStateException if the mapping is closed
     */
    public void drain() {
        ensureOpen();
        persister.drain();
    }

    /**
     * Persists the range, then flushes the memory controller's write queues where the platform offers it: a write
     * of {@code 1} to the NVDIMM region's {@code deep_flush} for device-DAX (when it exists and does not read
     * {@code 0}, as libpmem2 does), {@code msync} for a file (which on a
     * DAX file system reaches the same flush). For data that must survive even an ADR failure; costs microseconds.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws DaxException              if the deep flush attribute cannot be written (it needs root)
     */
    public void deepFlush(long offset, long length) {
        persist(offset, length);
        if (readOnly) {
            return;
        }
        switch (source) {
            case DeviceDaxSource dax -> {
                Optional<Path> deepFlush = dax.device().region().flatMap(r -> r.deepFlush());
                if (deepFlush.isPresent()) {
                    try {
                        // it reads 0 where the region has no flush hints: then there is nothing beyond ADR to flush
                        if (!Files.readString(deepFlush.get()).trim().equals("0")) {
                            Files.writeString(deepFlush.get(), "1");
                        }
                    } catch (IOException e) {
                        throw new DaxException("deep flush of " + source.describe() + " failed: cannot read or "
                                + "write 1 to " + deepFlush.get() + ": " + e, e);
                    }
                }
            }
            case SimulatedSource simulated -> {
            }
            case FileSource file -> {
                if (persister.mechanism() != PersistMechanism.MSYNC) {
                    io.github.dax4j.persist.MsyncPersister.forBasePages().persist(segment, offset, length);
                }
            }
        }
    }

    /**
     * Copies all of {@code source} into the mapping at {@code offset} and makes it durable, choosing ordinary or
     * non-temporal stores by size (see {@link PersistentCopier}); {@code flags} adjust that as libpmem2's do.
     *
     * @throws IndexOutOfBoundsException if the destination range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed, or {@code source}'s arena is
     * @throws IllegalArgumentException  if the mapping is read-only, or {@code flags} holds both TEMPORAL and
     *                                   NON_TEMPORAL
     */
    public void copy(long offset, MemorySegment source) {
        copy(offset, source, NO_FLAGS);
    }

    /** {@link #copy(long, MemorySegment)} with libpmem2-style {@code flags}. */
    public void copy(long offset, MemorySegment source, PersistFlag... flags) {
        Objects.checkFromIndexSize(offset, source.byteSize(), plan.length());
        ensureWritable();
        if (observer != null) {
            MemorySegment.copy(source, 0, segment, offset, source.byteSize());
            recorded(offset, source.byteSize(), flags);
            return;
        }
        copier.copy(segment, offset, source, flags);
    }

    /**
     * Sets {@code [offset, offset + length)} to {@code value} and makes it durable.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws IllegalArgumentException  if the mapping is read-only
     */
    public void fill(long offset, long length, byte value) {
        fill(offset, length, value, NO_FLAGS);
    }

    /** {@link #fill(long, long, byte)} with libpmem2-style {@code flags}. */
    public void fill(long offset, long length, byte value, PersistFlag... flags) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        ensureWritable();
        if (observer != null) {
            segment.asSlice(offset, length).fill(value);
            recorded(offset, length, flags);
            return;
        }
        copier.fill(segment, offset, length, value, flags);
    }

    /**
     * Copies {@code [from, from + length)} to {@code [to, to + length)} inside the mapping, correctly where they
     * overlap, and makes the destination durable.
     *
     * @throws IndexOutOfBoundsException if either range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws IllegalArgumentException  if the mapping is read-only
     */
    public void move(long from, long to, long length, PersistFlag... flags) {
        Objects.checkFromIndexSize(from, length, plan.length());
        Objects.checkFromIndexSize(to, length, plan.length());
        ensureWritable();
        if (observer != null) {
            MemorySegment.copy(segment, from, segment, to, length);
            recorded(to, length, flags);
            return;
        }
        copier.move(segment, from, to, length, flags);
    }

    /**
     * Reports a persistent copy, fill or move of a simulated device to its observer as production would make it
     * durable: non-temporal stores (from the threshold on, or asked for) need only the drain; ordinary ones a
     * flush and the drain; {@code NO_FLUSH} and {@code NO_DRAIN} leave those to the caller.
     */
    private void recorded(long offset, long length, PersistFlag[] flags) {
        java.util.Set<PersistFlag> set = flags.length == 0 ? java.util.Set.of() : java.util.EnumSet.copyOf(
                java.util.Arrays.asList(flags));
        boolean nonTemporal = !set.contains(PersistFlag.TEMPORAL)
                && (set.contains(PersistFlag.NON_TEMPORAL) || length >= copier.threshold());
        observer.stored(offset, length, nonTemporal);
        if (!nonTemporal && !set.contains(PersistFlag.NO_FLUSH)) {
            observer.flushed(offset, length);
        }
        if (!set.contains(PersistFlag.NO_DRAIN)) {
            observer.drained();
        }
    }

    /**
     * Stores {@code value} at {@code offset} (not yet durable; any alignment). Through this accessor a
     * {@linkplain #simulate simulated} device sees the store; a raw {@code segment().set} it does not.
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public void putLong(long offset, long value) {
        segment.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
        observe(offset, Long.BYTES);
    }

    /** {@link #putLong} for an {@code int}. */
    public void putInt(long offset, int value) {
        segment.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, offset, value);
        observe(offset, Integer.BYTES);
    }

    /** {@link #putLong} for a {@code byte}. */
    public void putByte(long offset, byte value) {
        segment.set(JAVA_BYTE, offset, value);
        observe(offset, 1);
    }

    /** Writes all of {@code source} at {@code offset}, not yet durable: {@link #putLong} for a range of bytes. */
    public void write(long offset, MemorySegment source) {
        MemorySegment.copy(source, 0, segment, offset, source.byteSize());
        observe(offset, source.byteSize());
    }

    private void observe(long offset, long length) {
        if (observer != null) {
            observer.stored(offset, length, false);
        }
    }

    /**
     * Stores {@code value} at {@code offset} as one single-copy-atomic 8-byte write: after a crash the eight bytes
     * hold either the old or the new value, never a mix. Not yet durable: {@link #persist} the line (or use
     * {@link #putLongAtomicAndPersist}). Plain {@code segment().set(JAVA_LONG, ...)} at an aligned offset compiles
     * to the same single store on x86-64 and aarch64, but the Java memory model does not promise it; this does.
     *
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 8
     * @throws IndexOutOfBoundsException if the eight bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public void putLongAtomic(long offset, long value) {
        LONG.setOpaque(segment, offset, value);
        observe(offset, Long.BYTES);
    }

    /** {@link #putLongAtomic}, then {@link #persist} of its line: the publish step of most update protocols. */
    public void putLongAtomicAndPersist(long offset, long value) {
        LONG.setOpaque(segment, offset, value);
        observe(offset, Long.BYTES);
        persist(offset, Long.BYTES);
    }

    /**
     * {@return the 8 bytes at {@code offset}, read in one single-copy-atomic load}
     *
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 8
     * @throws IndexOutOfBoundsException if the eight bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public long getLongAtomic(long offset) {
        return (long) LONG.getOpaque(segment, offset);
    }

    /** {@return how {@link #persist} makes stores durable: fixed for the life of the mapping} */
    public PersistMechanism persistMechanism() {
        return selection.mechanism();
    }

    /** {@return why {@link #persistMechanism()} was chosen, in words for a log line} */
    public String persistMechanismReason() {
        return selection.reason();
    }

    /** {@return the unit {@link #persist} makes durable: page, cache line or byte} */
    public Granularity granularity() {
        return selection.mechanism().granularity();
    }

    /** {@return the size from which {@link #copy} and {@link #fill} use non-temporal stores} */
    public long nonTemporalThreshold() {
        return copier.threshold();
    }

    /**
     * {@return whether stores need only a CPU cache flush to be durable}: the kernel granted {@code MAP_SYNC}, or
     * the source is device-DAX
     */
    public boolean isSynchronous() {
        return mapSyncRefusal.isEmpty();
    }

    /** {@return the kernel's refusal of {@code MAP_SYNC}, when it refused and {@link SyncMode#EMULATE} fell back} */
    public Optional<ErrnoException> mapSyncRefusal() {
        return mapSyncRefusal;
    }

    /** {@return what is mapped: a device-DAX instance or a file, as it was when opened} */
    public Source source() {
        return source;
    }

    /** {@return the mapped path, as given to {@link #open}} */
    public Path path() {
        return source.path();
    }

    /** {@return the offset into the source where the mapping starts} */
    public long offset() {
        return plan.offset();
    }

    /** {@return the number of bytes mapped} */
    public long byteSize() {
        return plan.length();
    }

    /** {@return the alignment of the mapping's offset, length and address} */
    public Alignment alignment() {
        return plan.alignment();
    }

    /** {@return whether the source was required to fault at the mapping's alignment} */
    public boolean isStrict() {
        return plan.strict();
    }

    /** {@return the largest page size the kernel can fault this mapping in at} */
    public long faultSize() {
        return source.faultSize();
    }

    /** {@return whether the mapping is read-only} */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** {@return the file system that holds the source; {@link FileSystemKind#OTHER} for device-DAX} */
    public FileSystemKind fileSystem() {
        return source instanceof FileSource file ? file.fileSystem() : FileSystemKind.OTHER;
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Unmaps the memory and closes the source's descriptor, releasing its lock. Stores not yet
     * {@linkplain #persist persisted} may or may not be durable. Does nothing if already closed.
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
        if (source instanceof SimulatedSource) {
            return; // the memory is the simulator's: nothing mapped, nothing open
        }
        try {
            Libc.munmap(address, plan.length());
        } finally {
            Libc.close(fd);
        }
    }

    private void ensureWritable() {
        ensureOpen();
        if (readOnly) {
            throw new IllegalArgumentException("the mapping of " + source.path() + " is read-only");
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the mapping of " + source.path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "DaxMapping[" + source.describe() + ", " + plan.length() + " bytes at offset " + plan.offset()
                + ", " + plan.alignment() + " aligned" + (plan.strict() ? " (strict)" : "") + ", faults at "
                + source.faultSize() + (readOnly ? ", read-only" : "") + ", "
                + (mapSyncRefusal.isEmpty() ? "synchronous" : "MAP_SHARED (MAP_SYNC refused: "
                + mapSyncRefusal.get().errnoSymbol() + ")") + ", persist by " + persistMechanism() + " ("
                + persistMechanism().description() + "; " + selection.reason() + ")"
                + (isClosed() ? ", closed" : "") + "]";
    }
}
