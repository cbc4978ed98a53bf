package io.github.dax4j;

import io.github.dax4j.device.BadBlock;
import io.github.dax4j.device.DaxDevice;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.NvdimmRegion;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.internal.map.InFlightCalls;
import io.github.dax4j.internal.map.MappingLifecycle;
import io.github.dax4j.internal.map.MappingOpener;
import io.github.dax4j.internal.map.MappingPlan;
import io.github.dax4j.internal.map.OpenedMapping;
import io.github.dax4j.internal.map.ReadOnlyMappingException;
import io.github.dax4j.internal.persist.Durability;
import io.github.dax4j.internal.persist.MemoryFault;
import io.github.dax4j.internal.persist.MsyncPersister;
import io.github.dax4j.internal.persist.LineEvictor;
import io.github.dax4j.internal.persist.Persister;
import io.github.dax4j.internal.persist.Persisters;
import io.github.dax4j.internal.posix.ErrnoException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ReadOnlyBufferException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A shared mapping of a persistent-memory source (a device-DAX instance or a file), and the means to make stores
 * to it durable.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(2L << 20).createIfAbsent().emulateMapSync();
 * try (DaxMapping pmem = DaxMapping.open(Path.of("/dev/shm/pmem0"), options)) {   // throws IOException
 *     pmem.putLong(0, 42L);
 *     pmem.persist(0, Long.BYTES);          // durable when this returns
 * }
 * }</pre>
 *
 * <p>Invariants, the device-DAX driver's own, kept for every source:
 * <ol>
 *   <li>The mapping is shared ({@code MAP_SHARED_VALIDATE}, or {@code MAP_SHARED} where {@code MAP_SYNC} is
 *       refused and {@link MapOptions#emulateMapSync()} allows it); dax4j has no private mappings. It is marked
 *       {@code MADV_DONTFORK}: a forked child never inherits it.</li>
 *   <li>Offset, length and address are multiples of {@link #alignment()}, checked before anything is mapped (see
 *       {@link Alignment} for the rules per source). {@link #faultSize()} is the largest page the source can fault
 *       at; a {@linkplain MapOptions#strict(boolean) strict} mapping guarantees it is at least the alignment.</li>
 *   <li>{@link #segment()} covers exactly the mapped bytes, read-only for a read-only mapping. Its bounds never
 *       change.</li>
 *   <li>{@link #isSynchronous()} and {@link #persistMechanism()} are fixed for the life of the mapping.</li>
 *   <li>The mapping may be used from any thread. {@link #close()} unmaps it; afterwards accesses through
 *       {@link #segment()} and calls to {@link #persist} throw {@link IllegalStateException}, never crash the JVM.
 *       Closing twice is harmless. (A {@linkplain #simulate simulated} device's segment is the caller's memory,
 *       which only the caller's arena ends.)</li>
 *   <li>The source's descriptor stays open (and its {@linkplain MapOptions#exclusive() lock} held) for the life of
 *       the mapping and is closed with it.</li>
 *   <li>A failed {@link #open} leaves nothing behind: no descriptor, no mapping, no reserved address space, no
 *       file it created.</li>
 * </ol>
 *
 * <p>Run with {@code --enable-native-access=io.github.dax4j} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path, so the JVM allows dax4j's native calls without a
 * warning.
 *
 * <p>What a fault of the memory does, whatever its cause (a file truncated by another process, a page its file
 * system could not back, a poisoned line of persistent memory): the kernel raises {@code SIGBUS} at the access.
 * In dax4j's own code (the cache-line flushes of {@link #persist} and {@link #flush} and the non-temporal stores of
 * {@link #copy}, {@link #fill} and {@link #move}, with a CPU mechanism) a handler chained before the JVM's stops the
 * call at the faulting access and it throws a {@link MemoryFaultException} naming the mapping, the offset and the
 * cause. In the JVM's accesses ({@link #segment()}, {@code put*}, {@code get*}, {@link #write}, {@link #read},
 * {@link #crc32cMatches}, and the ordinary
 * stores of a copy or fill: below the non-temporal threshold, the unaligned head and tail above it, all of them with
 * {@code MSYNC}) the JVM throws {@link InternalError}, as for any mapped file. With {@code MSYNC}, a persist of
 * pages truncated away returns normally: {@code msync} reports nothing for them, so their stores are lost without
 * an error. The rest of the mapping stays usable. Holes are refused before any of this: every page of
 * a writable file mapping is backed ({@code fallocate}) when it is opened, and a file system that cannot back
 * them refuses the open with {@code ENOSPC}. dax4j checks the size when it opens the file and keeps it open, but
 * cannot stop another process from truncating it; an {@linkplain MapOptions#exclusive() exclusive} mapping keeps
 * out the processes that ask for the lock.
 *
 * <p>How {@link #close()} and native calls meet: every method that runs dax4j's native code on the memory marks
 * its thread as inside a call on this mapping (two plain stores and a load, on a line of the thread's own, so that
 * threads sharing a mapping do not contend), and {@code close()} waits for the calls that entered before it began;
 * see {@link #close()}.
 */
public final class DaxMapping implements AutoCloseable {

    private final Source source;
    private final MappingPlan plan;
    private final boolean readOnly;
    private final Optional<ErrnoException> mapSyncRefusal;
    private final PersistenceDomain persistenceDomain;
    private final MemorySegment segment;
    private final MemorySegment writable;
    private final String mechanismReason;
    private final Durability durability;
    private final MappingLifecycle lifecycle;

    /** Reads and writes of aligned longs: single-copy atomic, as the x86 and Arm ISAs give. */
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** No flags, shared: a varargs call without arguments would allocate an empty array on every copy. */
    private static final PersistFlag[] NO_FLAGS = {};

    private DaxMapping(OpenedMapping opened) {
        this.source = opened.source();
        this.plan = opened.plan();
        this.readOnly = opened.readOnly();
        this.mapSyncRefusal = opened.mapSyncRefusal();
        this.persistenceDomain = opened.domain();
        this.segment = opened.segment();
        this.writable = opened.writable();
        this.mechanismReason = opened.reason();
        this.durability = opened.durability();
        this.lifecycle = new MappingLifecycle(opened.arena(), opened.segment().scope(), opened.release(),
                opened.source().describe());
    }

    /**
     * A simulated device over {@code memory}: the same API as a real mapping, but no file, no kernel and no cache
     * flush. Every store made through this class's methods ({@code put*}, {@link #write}, {@link #copy},
     * {@link #fill}, {@link #move}), every flush and every fence is reported to {@code observer} (a crash
     * simulator), classified exactly as a real mapping with a cache-line mechanism and non-temporal stores executes
     * it: which ranges are ordinary and which non-temporal stores, which lines are flushed. Its non-temporal
     * threshold is a real mapping's default ({@code -Ddax4j.nonTemporalThreshold}, else 256). The memory stays the
     * caller's, in the caller's arena and confinement: {@link #segment()} is {@code memory} itself, and closing the
     * mapping ends only this class's methods on it.
     *
     * @param granularity {@link Granularity#CACHE_LINE} (ADR: flushes and fences matter) or {@link Granularity#BYTE}
     *                    (eADR: stores are durable in program order)
     * @throws IllegalArgumentException if {@code memory} is not native, is read-only, is empty, does not start at a
     *                                  multiple of {@code alignment} or is not a multiple of it long, or
     *                                  {@code granularity} is PAGE
     */
    public static DaxMapping simulate(String name, MemorySegment memory, Alignment alignment, Granularity granularity,
                                      SimulatedSource.Observer observer) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(alignment, "alignment");
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(observer, "observer");
        return new DaxMapping(MappingOpener.simulated(name, memory, alignment, granularity, observer));
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
     * @throws java.nio.file.NoSuchFileException     if the path does not exist and is not to be created
     * @throws java.nio.file.AccessDeniedException   if the file may not be opened as asked ({@code EACCES},
     *                                               {@code EPERM})
     * @throws java.nio.file.FileSystemException   if another system call fails, e.g. {@code open} with
     *                                      {@code EROFS} for a read-write mapping on a read-only file system, or
     *                                      {@code mmap} with {@code ENOMEM}; its reason names the call and the errno
     * @throws AlignmentException           if an alignment rule is broken (see {@link Alignment})
     * @throws SourceRangeException         if the source is shorter than the offset plus the length to map, or that
     *                                      sum is past the largest file offset ({@code Long.MAX_VALUE})
     * @throws UnsupportedSourceException   if {@code path} is not of the default file system (e.g. a zip file
     *                                      system's path), or is neither a regular file nor device-DAX
     * @throws MapSyncUnavailableException  if the kernel refuses {@code MAP_SYNC} and the options do not
     *                                      {@linkplain MapOptions#emulateMapSync() emulate} it
     * @throws SourceInUseException         if {@linkplain MapOptions#exclusive() exclusive} and another open holds
     *                                      the source's lock
     * @throws DaxException                 if the persist mechanism asked for cannot work for this source (e.g.
     *                                      {@code MSYNC} on device-DAX, or {@code FENCE_ONLY} without eADR unless
     *                                      {@link MapOptions#acceptNonDurableStores()})
     * @throws IllegalArgumentException     if a system property default ({@code dax4j.persist},
     *                                      {@code dax4j.nonTemporalThreshold}) has a bad value
     */
    public static DaxMapping open(Path path, MapOptions options) throws IOException {
        return open(path, options, DaxDevices.system());
    }

    /** {@link #open(Path, MapOptions)}, with device-DAX instances looked up in {@code devices}. */
    static DaxMapping open(Path path, MapOptions options, DaxDevices devices) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        if (path.getFileSystem() != FileSystems.getDefault()) {
            // another provider's path of the same string names another file: map what it means or nothing
            throw new UnsupportedSourceException(path + " is a path of " + path.getFileSystem().provider()
                    .getScheme() + ":" + " file system " + path.getFileSystem() + ", not of the default one: dax4j"
                    + " maps the default file system's files and device-DAX instances only");
        }
        if (options.length().isPresent() && options.length().getAsLong() > Long.MAX_VALUE - options.offset()) {
            throw new SourceRangeException("cannot map " + options.length().getAsLong() + " bytes at offset "
                    + options.offset() + " of " + path + ": they end past the largest file offset "
                    + Long.MAX_VALUE + ", so no source has them");
        }
        try {
            return new DaxMapping(MappingOpener.open(path, options, devices));
        } catch (ErrnoException e) {
            throw e.asPublic();
        }
    }

    /**
     * {@return the mapped memory} Its bounds are the mapping's; accessing it after {@link #close()} throws
     * {@link IllegalStateException}. Read-only for a read-only mapping (a write to it throws the JDK's
     * {@link IllegalArgumentException}, where dax4j's own methods throw {@link ReadOnlyBufferException}).
     *
     * @apiNote Stores made directly through this segment are invisible to a {@linkplain #simulate simulated}
     * device's observer, which can then only infer them (the testkit compares memory with a shadow copy at each
     * flush and fence). Code that is to be crash-checked exactly writes through this class's {@code put*},
     * {@link #write}, {@link #copy}, {@link #fill} and {@link #move}. Loads through it are invisible too: the
     * observer is told the segment was {@linkplain SimulatedSource.Observer#exposed handed out}, and a crash
     * simulator then has to decide every byte before recovery runs instead of when it is read. Code whose recovery
     * is to be explored lazily reads through {@code get*}, {@link #read} and {@link #crc32cMatches}.
     */
    public MemorySegment segment() {
        durability.exposed();
        return segment;
    }

    /**
     * Makes the stores to {@code [offset, offset + length)} durable, and returns only when they are: a
     * {@link #flush} and a {@link #drain} in one call.
     *
     * <p>What "durable" costs depends on {@link #persistMechanism()}: the whole pages touching the range for
     * {@code MSYNC}, every 64-byte line overlapping it for the CPU mechanisms, a fence for {@code FENCE_ONLY}. An
     * empty range costs only the fence (or nothing).
     *
     * @throws IndexOutOfBoundsException if {@code offset < 0}, {@code length < 0} or
     *                                   {@code offset + length > byteSize()}
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only: it cannot have stores to persist
     * @throws VolatileMemoryException  if the mapping is of volatile device-DAX (see {@link #persistenceDomain()})
     * @throws UncheckedIOException      wrapping the {@code FileSystemException}, if the kernel reports a write-back
     *                                   failure (e.g. {@code EIO} from msync), as {@code MappedByteBuffer.force} does
     * @throws MemoryFaultException     if the memory faults under dax4j's own code (see the class comment)
     */
    public void persist(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        if (length == 0) {
            // touches no memory (a fence at most), so it needs no guard, whose store the fence would wait for
            ensureWritable("persist");
            durability.persist(writable, offset, 0);
            return;
        }
        InFlightCalls.Marker call = enterWritable("persist");
        try {
            durability.persist(writable, offset, length);
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Starts making {@code [offset, offset + length)} durable without waiting: the stores are durable after the
     * next {@link #drain()} by this thread. Flush several ranges, then drain once.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     * @throws VolatileMemoryException  if the mapping is of volatile device-DAX (see {@link #persistenceDomain()})
     * @throws UncheckedIOException      if {@code msync} fails ({@code MSYNC} flushes synchronously)
     * @throws MemoryFaultException     if the memory faults under dax4j's own code (see the class comment)
     */
    public void flush(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        InFlightCalls.Marker call = enterWritable("flush");
        try {
            durability.flush(writable, offset, length);
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Writes back and invalidates every cache line overlapping {@code [offset, offset + length)} ({@code CLFLUSHOPT},
     * else {@code CLFLUSH}), then fences with {@code MFENCE}: on return, this host's stores to the range are written
     * back, the lines are no longer cached, and no later load of this thread has run ahead of the invalidation.
     * A line may still be fetched again before the other host's next store reaches memory (a speculative or
     * prefetching load), so a protocol must check what it read (the ring's CRC does). For memory that another host
     * shares without coherence (CXL memory in two hosts, two virtual machines on one backing file): the writer
     * evicts what it wrote before it publishes, the reader evicts what it will read before it reads (see
     * {@link io.github.dax4j.layout.SharedRing}). Whatever the {@link #persistMechanism()} (CLWB may keep the line
     * cached, and a fence alone
     * evicts nothing); on persistent memory the range is durable too. Allowed on a read-only mapping (it writes
     * nothing) and on volatile device-DAX. A simulated device reports it as a persist.
     *
     * @throws IndexOutOfBoundsException     if the range is not inside the mapping
     * @throws IllegalStateException         if the mapping is closed
     * @throws UnsupportedOperationException if dax4j's CPU code cannot run here (the reason says why)
     * @throws MemoryFaultException         if the memory faults under dax4j's own code (see the class comment)
     */
    public void evict(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        InFlightCalls.Marker call = lifecycle.enter();
        try {
            if (source instanceof SimulatedSource) {
                durability.persist(writable, offset, length);
            } else {
                LineEvictor.get().orElseThrow(() -> new UnsupportedOperationException("cannot evict lines of "
                        + source.describe() + ": " + PersistMechanism.whyNoCpuCacheFlush().orElse("no CLFLUSHOPT or"
                        + " CLFLUSH"))).evict(writable, offset, length);
            }
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Waits until every {@link #flush} and non-temporal store this thread issued before is durable. On a
     * read-only mapping it only fences.
     *
     * @throws IllegalStateException    if the mapping is closed
     * @throws VolatileMemoryException if the mapping is of volatile device-DAX (see {@link #persistenceDomain()})
     */
    public void drain() {
        ensureOpen();
        durability.drain();
    }

    /**
     * Persists the range, then flushes the memory controller's write queues where the platform offers it:
     * {@link io.github.dax4j.device.NvdimmRegion#flushWriteQueues()} for device-DAX on an NVDIMM region, {@code msync}
     * for a file (which on a DAX file system reaches the same flush). For data that must survive even an ADR
     * failure; costs microseconds.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     * @throws VolatileMemoryException  if the mapping is of volatile device-DAX (see {@link #persistenceDomain()})
     * @throws IOException               if the deep flush attribute cannot be read or written (writing needs
     *                                   root); the stores are persisted then, only the deep flush is missing
     */
    public void deepFlush(long offset, long length) throws IOException {
        Objects.checkFromIndexSize(offset, length, plan.length());
        ensureWritable("deepFlush");
        persist(offset, length);
        switch (source) {
            case DeviceDaxSource dax -> {
                Optional<NvdimmRegion> region = dax.device().region();
                if (region.isPresent()) {
                    try {
                        region.get().flushWriteQueues();
                    } catch (IOException e) {
                        throw new DaxException("deep flush of " + source.describe() + " failed: cannot read or "
                                + "write 1 to " + region.get().deepFlush().orElseThrow() + ": " + e, e);
                    }
                }
            }
            case SimulatedSource simulated -> {
            }
            case FileSource file -> {
                if (durability.mechanism() != PersistMechanism.MSYNC) {
                    InFlightCalls.Marker call = enterWritable("deepFlush");
                    try {
                        MsyncPersister.forBasePages().persist(writable, offset, length);
                    } finally {
                        call.leave();
                    }
                }
            }
        }
    }

    /**
     * Copies all of {@code source} into the mapping at {@code offset} and makes it durable, choosing ordinary or
     * non-temporal stores by size (see {@link #nonTemporalThreshold()}) as libpmem2's {@code memcpy_fn} does: from
     * the threshold on, the whole 64-byte lines of the destination are written with non-temporal stores and its
     * unaligned head and tail with ordinary stores that are flushed.
     *
     * @throws IndexOutOfBoundsException if the destination range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed, or {@code source}'s arena is
     * @throws ReadOnlyBufferException   if the mapping is read-only
     * @throws MemoryFaultException     if the memory faults under dax4j's own code (see the class comment)
     */
    public void copy(long offset, MemorySegment source) {
        copy(offset, source, NO_FLAGS);
    }

    /**
     * {@link #copy(long, MemorySegment)} with libpmem2-style {@code flags}.
     *
     * @throws IllegalArgumentException if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public void copy(long offset, MemorySegment source, PersistFlag... flags) {
        Objects.checkFromIndexSize(offset, source.byteSize(), plan.length());
        InFlightCalls.Marker call = enterWritable("copy");
        try {
            durability.copy(writable, offset, source, flags);
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Sets {@code [offset, offset + length)} to {@code value} and makes it durable (split as {@link #copy} splits).
     *
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     * @throws MemoryFaultException     if the memory faults under dax4j's own code (see the class comment)
     */
    public void fill(long offset, long length, byte value) {
        fill(offset, length, value, NO_FLAGS);
    }

    /**
     * {@link #fill(long, long, byte)} with libpmem2-style {@code flags}.
     *
     * @throws IllegalArgumentException if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public void fill(long offset, long length, byte value, PersistFlag... flags) {
        Objects.checkFromIndexSize(offset, length, plan.length());
        InFlightCalls.Marker call = enterWritable("fill");
        try {
            durability.fill(writable, offset, length, value, flags);
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Copies {@code [from, from + length)} to {@code [to, to + length)} inside the mapping, correctly where they
     * overlap (then with ordinary stores only), and makes the destination durable.
     *
     * @throws IndexOutOfBoundsException if either range is not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     * @throws IllegalArgumentException  if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     * @throws MemoryFaultException     if the memory faults under dax4j's own code (see the class comment)
     */
    public void move(long from, long to, long length, PersistFlag... flags) {
        Objects.checkFromIndexSize(from, length, plan.length());
        Objects.checkFromIndexSize(to, length, plan.length());
        InFlightCalls.Marker call = enterWritable("move");
        try {
            durability.loading(from, length); // a move reads its source: a simulated device's observer is told
            durability.move(writable, from, to, length, flags);
        } catch (MemoryFault fault) {
            throw faulted(fault);
        } finally {
            call.leave();
        }
    }

    /**
     * Stores {@code value} at {@code offset} with a plain store (any alignment; not yet durable, no ordering with
     * other threads' accesses). A {@linkplain #simulate simulated} device sees the store as an ordinary one.
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     */
    public void putLong(long offset, long value) {
        ensureWritable("putLong");
        writable.set(JAVA_LONG_UNALIGNED, offset, value);
        durability.stored(offset, Long.BYTES);
    }

    /** {@link #putLong} for an {@code int}. */
    public void putInt(long offset, int value) {
        ensureWritable("putInt");
        writable.set(JAVA_INT_UNALIGNED, offset, value);
        durability.stored(offset, Integer.BYTES);
    }

    /** {@link #putLong} for a {@code byte}. */
    public void putByte(long offset, byte value) {
        ensureWritable("putByte");
        writable.set(JAVA_BYTE, offset, value);
        durability.stored(offset, 1);
    }

    /**
     * Writes all of {@code source} at {@code offset} with plain stores, not yet durable: {@link #putLong} for a
     * range of bytes.
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     */
    public void write(long offset, MemorySegment source) {
        ensureWritable("write");
        MemorySegment.copy(source, 0, writable, offset, source.byteSize());
        durability.stored(offset, source.byteSize());
    }

    /**
     * {@return the 8 bytes at {@code offset}, read with a plain load (any alignment)}
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public long getLong(long offset) {
        loading(offset, Long.BYTES);
        return segment.get(JAVA_LONG_UNALIGNED, offset);
    }

    /** {@link #getLong} for an {@code int}. */
    public int getInt(long offset) {
        loading(offset, Integer.BYTES);
        return segment.get(JAVA_INT_UNALIGNED, offset);
    }

    /** {@link #getLong} for a {@code byte}. */
    public byte getByte(long offset) {
        loading(offset, 1);
        return segment.get(JAVA_BYTE, offset);
    }

    /**
     * Copies {@code destination.byteSize()} bytes from {@code offset} into {@code destination} (heap or native)
     * with plain loads: {@link #getLong} for a range of bytes, the counterpart of {@link #write}.
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws IllegalArgumentException  if {@code destination} is read-only
     */
    public void read(long offset, MemorySegment destination) {
        Objects.requireNonNull(destination, "destination");
        if (destination.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment: " + destination);
        }
        loading(offset, destination.byteSize());
        MemorySegment.copy(segment, offset, destination, 0, destination.byteSize());
    }

    /**
     * {@return whether the CRC32C (Castagnoli, as {@link java.util.zip.CRC32C}) of {@code [offset, offset +
     * length)} is {@code expected}} The bytes go through a small heap buffer, 64 KiB at a time, so that a fault of
     * the memory is the JVM's {@link InternalError} (as for {@code get*}), never a crash in the CRC stub. Made for checksummed records: a {@linkplain #simulate simulated} device's observer
     * learns that only match or mismatch is observed, so a crash simulator explores "the record is whole" and "it
     * is torn" instead of every way it could be torn.
     *
     * @throws IndexOutOfBoundsException if the bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public boolean crc32cMatches(long offset, long length, int expected) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        ensureOpen();
        durability.checking(offset, length, expected);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        // through a heap copy, 64 KiB at a time: the JDK's CRC instruction stub reading the mapping directly
        // crashes the JVM with SIGBUS on a page the file no longer has (tested in a child JVM), where the copy's
        // fault is the JVM's InternalError, as for get* and read
        byte[] chunk = new byte[(int) Math.min(length, 64 * 1024)];
        MemorySegment heap = MemorySegment.ofArray(chunk);
        for (long at = offset; at < offset + length; at += chunk.length) {
            int n = (int) Math.min(chunk.length, offset + length - at);
            MemorySegment.copy(segment, at, heap, 0, n);
            crc.update(chunk, 0, n);
        }
        return (int) crc.getValue() == expected;
    }

    /**
     * Tells a simulated device's observer of a load, once its range is known to be inside the mapping and the
     * mapping open (a simulated device's memory outlives the mapping: without this, its loads would not fail).
     */
    private void loading(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        ensureOpen();
        durability.loading(offset, length);
    }

    /**
     * Stores {@code value} at {@code offset} as one single-copy-atomic 8-byte write, an <em>opaque</em> store in
     * the terms of {@link VarHandle#setOpaque}: after a crash the eight bytes hold either the old or the new value,
     * never a mix, and the store is not reordered with this thread's other accesses to the same bytes. Not yet
     * durable: {@link #persist} the line (or use {@link #putLongAtomicAndPersist}). Plain {@code
     * segment().set(JAVA_LONG, ...)} at an aligned offset compiles to the same single store on x86-64 and aarch64,
     * but the Java memory model does not promise it; this does.
     *
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 8
     * @throws IndexOutOfBoundsException if the eight bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     * @throws ReadOnlyBufferException   if the mapping is read-only
     */
    public void putLongAtomic(long offset, long value) {
        ensureWritable("putLongAtomic");
        LONG.setOpaque(writable, offset, value);
        durability.stored(offset, Long.BYTES);
    }

    /** {@link #putLongAtomic}, then {@link #persist} of its line: the publish step of most update protocols. */
    public void putLongAtomicAndPersist(long offset, long value) {
        ensureWritable("putLongAtomicAndPersist");
        putLongAtomic(offset, value);
        persist(offset, Long.BYTES);
    }

    /**
     * {@return the 8 bytes at {@code offset}, read in one single-copy-atomic opaque load}
     *
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 8
     * @throws IndexOutOfBoundsException if the eight bytes are not inside the mapping
     * @throws IllegalStateException     if the mapping is closed
     */
    public long getLongAtomic(long offset) {
        loading(offset, Long.BYTES);
        return (long) LONG.getOpaque(segment, offset);
    }

    /** {@return how {@link #persist} makes stores durable: fixed for the life of the mapping} */
    public PersistMechanism persistMechanism() {
        return durability.mechanism();
    }

    /**
     * {@return how far a store must travel to survive power loss, for the memory mapped}: a device-DAX instance's
     * {@linkplain io.github.dax4j.device.DaxDevice#persistenceDomain() domain}; for a file with {@code MAP_SYNC}, that
     * of the libnvdimm region its block device is in ({@code UNKNOWN} if none); {@code NONE} for a file in RAM
     * (tmpfs, hugetlbfs, ramfs: an emulation, whose persist calls run as on the real memory but protect nothing);
     * {@code UNKNOWN} for the page cache of any other file (msync reaches a disk dax4j does not see). For a
     * simulated device, {@code CPU_CACHE} at {@link Granularity#BYTE}, {@code MEMORY_CONTROLLER} at
     * {@link Granularity#CACHE_LINE}. Fixed for the life of the mapping; {@link #persistMechanism()} follows
     * from it ({@code FENCE_ONLY} only for {@code CPU_CACHE}; on volatile device-DAX, {@code NONE}, and persist
     * calls throw {@link VolatileMemoryException} unless {@link MapOptions#acceptNonDurableStores()})
     *
     * <pre>{@code
     * if (pmem.persistenceDomain() == PersistenceDomain.NONE) {
     *     throw new IllegalStateException(pmem.path() + " is volatile: a log there would not survive power loss");
     * }
     * }</pre>
     */
    public PersistenceDomain persistenceDomain() {
        return persistenceDomain;
    }

    /**
     * {@return the known media errors this mapping covers, as offsets of the mapping, read now} For device-DAX,
     * the instance's region {@code badblocks} cut to the mapped range ({@link DaxDevice#badBlocks(long, long)});
     * reading such a run raises {@link MemoryFaultException} in dax4j's code, {@link InternalError} in the JVM's.
     * Empty for files (a file system on persistent memory refuses its bad blocks itself, with {@code EIO}) and
     * simulated devices. Works on a closed mapping: it reads sysfs, not the memory.
     *
     * <pre>{@code
     * for (BadBlock bad : pmem.badBlocks()) {
     *     log.warning("media error at " + bad + ": rewrite or skip it");
     * }
     * }</pre>
     *
     * @throws java.nio.file.AccessDeniedException if the region lists bad blocks but placing them needs root
     * @throws IOException                          if sysfs cannot be read or holds something unexpected
     */
    public List<BadBlock> badBlocks() throws IOException {
        return source instanceof DeviceDaxSource dax ? dax.device().badBlocks(plan.offset(), plan.length())
                : List.of();
    }

    /** {@return why {@link #persistMechanism()} was chosen, in words for a log line} */
    public String persistMechanismReason() {
        return mechanismReason;
    }

    /** {@return the unit {@link #persist} makes durable: page, cache line or byte} */
    public Granularity granularity() {
        return durability.mechanism().granularity();
    }

    /** {@return the size from which {@link #copy} and {@link #fill} use non-temporal stores} */
    public long nonTemporalThreshold() {
        return durability.threshold();
    }

    /**
     * {@return whether stores need only a CPU cache flush to be durable}: the kernel granted {@code MAP_SYNC}, or
     * the source is device-DAX
     */
    public boolean isSynchronous() {
        return mapSyncRefusal.isEmpty();
    }

    /** {@return the kernel's refusal of {@code MAP_SYNC}, when it refused and
     * {@link MapOptions#emulateMapSync()} fell back} */
    public Optional<FileSystemException> mapSyncRefusal() {
        return mapSyncRefusal.map(ErrnoException::asPublic);
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

    /** {@return whether {@link #close()} has begun: from then on new calls are refused} */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    /**
     * Unmaps the memory and closes the source's descriptor, releasing its lock. Stores not yet
     * {@linkplain #persist persisted} may or may not be durable.
     *
     * <p>Truthful under any concurrency: when it returns normally the mapping is closed. From the moment it begins,
     * this class's methods refuse new calls with {@link IllegalStateException}, and accesses through
     * {@link #segment()} fail the same way once the memory is unmapped (the shared arena's close). A native call
     * already in flight on another thread (a {@link #persist}, {@link #copy}, ...) is waited for before anything is
     * unmapped: each is a loop over at most the mapping's bytes or one {@code msync}, so the wait lasts as long as
     * the longest such call then running, and never more. Concurrent closers all return after the mapping is
     * closed; closing again does nothing.
     *
     * <p>The guard behind that costs callers no atomic instruction: a call stores the mapping's id into its thread's
     * marker, checks that the mapping is open, and clears the marker when it leaves; {@code close()} first marks the
     * mapping closing, then makes every thread of the process pass a full memory barrier
     * ({@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)}: tens of microseconds, up to about half a millisecond on
     * a busy 2-core VM), then waits for each marker that still holds the id. Where the kernel lacks that command (before Linux 4.14) every call pays a full fence
     * instead.
     *
     * <p>A mapping that becomes unreachable without being closed (with every segment of it) is released by a
     * {@link java.lang.ref.Cleaner}, with a warning in the log: a safety net, not the way to close.
     *
     * @throws UncheckedIOException wrapping the {@code FileSystemException}, if {@code munmap} or {@code close} fails;
     *                              the mapping is closed all the same
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /**
     * Enters a native call on the memory (see {@code MappingLifecycle}): {@link #close()} waits for it to leave
     * before it unmaps. Every method that runs dax4j's native code on the mapping brackets it so, in a
     * {@code try}/{@code finally}.
     *
     * @throws IllegalStateException   if the mapping is closed
     * @throws ReadOnlyBufferException if it is read-only
     */
    private InFlightCalls.Marker enterWritable(String operation) {
        InFlightCalls.Marker call = lifecycle.enter();
        if (readOnly) {
            call.leave();
            throw new ReadOnlyMappingException(source.describe(), operation);
        }
        return call;
    }

    /** {@return the public exception for a fault of dax4j's code, naming the mapping and the offset} */
    private MemoryFaultException faulted(MemoryFault fault) {
        long offset = fault.address() - segment.address();
        return new MemoryFaultException(source.describe(), offset >= 0 && offset < plan.length() ? offset : -1,
                fault.address(), fault.code());
    }

    private void ensureWritable(String operation) {
        ensureOpen();
        if (readOnly) {
            throw new ReadOnlyMappingException(source.describe(), operation);
        }
    }

    private void ensureOpen() {
        lifecycle.checkOpen();
    }

    @Override
    public String toString() {
        return "DaxMapping[" + source.describe() + ", " + plan.length() + " bytes at offset " + plan.offset()
                + ", " + plan.alignment() + " aligned" + (plan.strict() ? " (strict)" : "") + ", faults at "
                + source.faultSize() + (readOnly ? ", read-only" : "") + ", "
                + (mapSyncRefusal.isEmpty() ? "synchronous" : "MAP_SHARED (MAP_SYNC refused: "
                + mapSyncRefusal.get().errnoSymbol() + ")") + ", persistence domain " + persistenceDomain
                + ", persist by " + persistMechanism() + " ("
                + persistMechanism().description() + "; " + mechanismReason + ")"
                + (isClosed() ? ", closed" : "") + "]";
    }
}
