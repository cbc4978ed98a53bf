package io.github.dax4j.persist;

import io.github.dax4j.internal.cpu.CpuStubs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.EnumSet;
import java.util.Set;

/**
 * Persistent copy, fill and move into a mapping, as libpmem2's {@code memcpy_fn}/{@code memset_fn}/
 * {@code memmove_fn}: the bytes are written and made durable in one operation.
 *
 * <p>Small operations use ordinary stores, then flush the lines written. From {@link #threshold()} bytes on (and
 * with {@link PersistFlag#NON_TEMPORAL}), the 64-byte-aligned middle of the destination is written with
 * non-temporal stores, which bypass the caches and need no flush; the unaligned head and tail use ordinary stores
 * and a flush. A drain ends the operation unless {@link PersistFlag#NO_DRAIN}. With {@link PersistMechanism#MSYNC}
 * the bytes are copied and the pages {@code msync}ed; with {@link PersistMechanism#NONE} they are only copied.
 * Overlapping source and destination always take the ordinary path, which handles overlap.
 */
public final class PersistentCopier {

    /** libpmem2's threshold; {@code PersistBenchmark}'s copy rows measure the crossover on a given machine. */
    public static final long DEFAULT_THRESHOLD = 256;

    private final Persister persister;
    private final MethodHandle copyNonTemporal;
    private final MethodHandle fillNonTemporal;
    private final long threshold;

    /**
     * @param threshold the size from which non-temporal stores are used
     */
    public PersistentCopier(Persister persister, long threshold) {
        if (threshold < 0) {
            throw new IllegalArgumentException("negative non-temporal threshold: " + threshold);
        }
        this.persister = persister;
        this.threshold = threshold;
        boolean cpuSide = persister instanceof CpuCachePersister || persister instanceof FencePersister;
        CpuStubs stubs = cpuSide ? CpuStubs.get().orElse(null) : null;
        this.copyNonTemporal = stubs == null ? null : stubs.copyNonTemporal().orElse(null);
        this.fillNonTemporal = stubs == null ? null : stubs.fillNonTemporal().orElse(null);
    }

    /** {@return the size from which copies and fills use non-temporal stores} */
    public long threshold() {
        return threshold;
    }

    /** {@return whether this copier can use non-temporal stores at all} */
    public boolean hasNonTemporalStores() {
        return copyNonTemporal != null;
    }

    /**
     * Copies all of {@code source} to {@code [offset, offset + source.byteSize())} of {@code mapping}, durably.
     *
     * @return whether non-temporal stores wrote the middle of the destination
     */
    public boolean copy(MemorySegment mapping, long offset, MemorySegment source, Set<PersistFlag> flags) {
        long length = source.byteSize();
        MemorySegment destination = mapping.asSlice(offset, length);
        if (nonTemporal(length, flags, copyNonTemporal) && destination.asOverlappingSlice(source).isEmpty()) {
            long head = Math.min(length, -destination.address() & 63);
            long middle = (length - head) & -64;
            long tail = length - head - middle;
            MemorySegment.copy(source, 0, destination, 0, head);
            MemorySegment.copy(source, head + middle, destination, head + middle, tail);
            try {
                copyNonTemporal.invokeExact(mapping, offset + head, source, head, middle);
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
            finishEdges(mapping, offset, head, middle, tail, flags);
            return true;
        }
        MemorySegment.copy(source, 0, destination, 0, length);
        finish(mapping, offset, length, flags);
        return false;
    }

    /**
     * Sets {@code [offset, offset + length)} of {@code mapping} to {@code value}, durably.
     *
     * @return whether non-temporal stores wrote the middle of the range
     */
    public boolean fill(MemorySegment mapping, long offset, long length, byte value, Set<PersistFlag> flags) {
        MemorySegment destination = mapping.asSlice(offset, length);
        if (nonTemporal(length, flags, fillNonTemporal)) {
            long head = Math.min(length, -destination.address() & 63);
            long middle = (length - head) & -64;
            long tail = length - head - middle;
            destination.asSlice(0, head).fill(value);
            destination.asSlice(head + middle, tail).fill(value);
            long pattern = (value & 0xffL) * 0x0101010101010101L;
            try {
                fillNonTemporal.invokeExact(mapping, offset + head, pattern, middle);
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
            finishEdges(mapping, offset, head, middle, tail, flags);
            return true;
        }
        destination.fill(value);
        finish(mapping, offset, length, flags);
        return false;
    }

    /**
     * Copies {@code [from, from + length)} of {@code mapping} to {@code [to, to + length)}, durably; may overlap.
     *
     * @return whether non-temporal stores wrote the middle of the destination (never where the ranges overlap)
     */
    public boolean move(MemorySegment mapping, long from, long to, long length, Set<PersistFlag> flags) {
        return copy(mapping, to, mapping.asSlice(from, length), flags);
    }

    private boolean nonTemporal(long length, Set<PersistFlag> flags, MethodHandle stub) {
        if (flags.contains(PersistFlag.NON_TEMPORAL) && flags.contains(PersistFlag.TEMPORAL)) {
            throw new IllegalArgumentException("TEMPORAL and NON_TEMPORAL exclude each other");
        }
        return stub != null && !flags.contains(PersistFlag.TEMPORAL)
                && (flags.contains(PersistFlag.NON_TEMPORAL) || length >= threshold);
    }

    /** Flushes the ordinarily stored head and tail; the non-temporal middle needs only the drain. */
    private void finishEdges(MemorySegment mapping, long offset, long head, long middle, long tail,
                             Set<PersistFlag> flags) {
        if (!flags.contains(PersistFlag.NO_FLUSH)) {
            if (head > 0) {
                persister.flush(mapping, offset, head);
            }
            if (tail > 0) {
                persister.flush(mapping, offset + head + middle, tail);
            }
        }
        if (!flags.contains(PersistFlag.NO_DRAIN)) {
            persister.drain();
        }
    }

    private void finish(MemorySegment mapping, long offset, long length, Set<PersistFlag> flags) {
        boolean flush = !flags.contains(PersistFlag.NO_FLUSH);
        boolean drain = !flags.contains(PersistFlag.NO_DRAIN);
        if (flush && drain) {
            persister.persist(mapping, offset, length);
        } else if (flush) {
            persister.flush(mapping, offset, length);
        } else if (drain) {
            persister.drain();
        }
    }

    /** {@return the flags as a set, empty for none} */
    public static Set<PersistFlag> flags(PersistFlag... flags) {
        return flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags);
    }
}
