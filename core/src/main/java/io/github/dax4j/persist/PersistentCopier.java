package io.github.dax4j.persist;

import io.github.dax4j.internal.cpu.CpuStubs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

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
    private final MethodHandle copyNonTemporalAndDrain;
    private final MethodHandle copyNativeNonTemporalAndDrain;
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
        this.copyNonTemporalAndDrain = stubs == null ? null : stubs.copyNonTemporalAndDrain(true).orElse(null);
        this.copyNativeNonTemporalAndDrain = stubs == null ? null : stubs.copyNonTemporalAndDrain(false).orElse(null);
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
    public boolean copy(MemorySegment mapping, long offset, MemorySegment source, PersistFlag... flags) {
        int bits = bits(flags);
        long length = source.byteSize();
        if (nonTemporal(length, bits, copyNonTemporal) && !overlaps(mapping, offset, source)) {
            long head = Math.min(length, -(mapping.address() + offset) & 63);
            long middle = (length - head) & -64;
            long tail = length - head - middle;
            if (head == 0 && tail == 0 && (bits & NO_DRAIN) == 0) {
                // all of it non-temporal: the stub's own SFENCE is the drain, one native call in all
                try {
                    if (source.isNative()) {
                        copyNativeNonTemporalAndDrain.invokeExact(mapping, offset, source, 0L, middle);
                    } else {
                        copyNonTemporalAndDrain.invokeExact(mapping, offset, source, 0L, middle);
                    }
                } catch (Throwable t) {
                    throw NativeCalls.rethrow(t);
                }
                return true;
            }
            MemorySegment.copy(source, 0, mapping, offset, head);
            MemorySegment.copy(source, head + middle, mapping, offset + head + middle, tail);
            try {
                copyNonTemporal.invokeExact(mapping, offset + head, source, head, middle);
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
            finishEdges(mapping, offset, head, middle, tail, bits);
            return true;
        }
        MemorySegment.copy(source, 0, mapping, offset, length);
        finish(mapping, offset, length, bits);
        return false;
    }

    /** Whether {@code source} shares bytes with {@code [offset, offset + source.byteSize())} of {@code mapping}. */
    private static boolean overlaps(MemorySegment mapping, long offset, MemorySegment source) {
        if (!source.isNative()) {
            return false; // a heap array is never mapped memory
        }
        long start = mapping.address() + offset;
        long length = source.byteSize();
        return length > 0 && source.address() < start + length && start < source.address() + length;
    }

    /**
     * Sets {@code [offset, offset + length)} of {@code mapping} to {@code value}, durably.
     *
     * @return whether non-temporal stores wrote the middle of the range
     */
    public boolean fill(MemorySegment mapping, long offset, long length, byte value, PersistFlag... flags) {
        int bits = bits(flags);
        MemorySegment destination = mapping.asSlice(offset, length);
        if (nonTemporal(length, bits, fillNonTemporal)) {
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
            finishEdges(mapping, offset, head, middle, tail, bits);
            return true;
        }
        destination.fill(value);
        finish(mapping, offset, length, bits);
        return false;
    }

    /**
     * Copies {@code [from, from + length)} of {@code mapping} to {@code [to, to + length)}, durably; may overlap.
     *
     * @return whether non-temporal stores wrote the middle of the destination (never where the ranges overlap)
     */
    public boolean move(MemorySegment mapping, long from, long to, long length, PersistFlag... flags) {
        return copy(mapping, to, mapping.asSlice(from, length), flags);
    }

    private static final int NO_DRAIN = 1 << PersistFlag.NO_DRAIN.ordinal();
    private static final int NO_FLUSH = 1 << PersistFlag.NO_FLUSH.ordinal();
    private static final int NON_TEMPORAL = 1 << PersistFlag.NON_TEMPORAL.ordinal();
    private static final int TEMPORAL = 1 << PersistFlag.TEMPORAL.ordinal();

    /** The flags as bits: no set is allocated on the hot path. */
    private static int bits(PersistFlag[] flags) {
        int bits = 0;
        for (PersistFlag flag : flags) {
            bits |= 1 << flag.ordinal();
        }
        if ((bits & (TEMPORAL | NON_TEMPORAL)) == (TEMPORAL | NON_TEMPORAL)) {
            throw new IllegalArgumentException("TEMPORAL and NON_TEMPORAL exclude each other");
        }
        return bits;
    }

    private boolean nonTemporal(long length, int flags, MethodHandle stub) {
        return stub != null && (flags & TEMPORAL) == 0 && ((flags & NON_TEMPORAL) != 0 || length >= threshold);
    }

    /** Flushes the ordinarily stored head and tail; the non-temporal middle needs only the drain. */
    private void finishEdges(MemorySegment mapping, long offset, long head, long middle, long tail, int flags) {
        if ((flags & NO_FLUSH) == 0) {
            if (head > 0) {
                persister.flush(mapping, offset, head);
            }
            if (tail > 0) {
                persister.flush(mapping, offset + head + middle, tail);
            }
        }
        if ((flags & NO_DRAIN) == 0) {
            persister.drain();
        }
    }

    private void finish(MemorySegment mapping, long offset, long length, int flags) {
        boolean flush = (flags & NO_FLUSH) == 0;
        boolean drain = (flags & NO_DRAIN) == 0;
        if (flush && drain) {
            persister.persist(mapping, offset, length);
        } else if (flush) {
            persister.flush(mapping, offset, length);
        } else if (drain) {
            persister.drain();
        }
    }

}
