package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistFlag;
import io.github.dax4j.PersistMechanism;

import java.lang.foreign.MemorySegment;

/**
 * A mapping's durability, chosen once when it is established, as libpmem2's map holds {@code persist_fn},
 * {@code flush_fn}, {@code drain_fn} and {@code memcpy_fn}: flush, drain and persist of ranges, and persistent copy,
 * fill and move. One {@link Persister} supplies the primitive stores, write-backs and fences; this class composes
 * them the same way for every mechanism, the simulated one included, so that a crash simulator sees exactly the
 * stores the CPU executes.
 *
 * <p>How a copy, fill or move of {@code length} bytes is split, for flags {@code f} and threshold {@code T}:
 * <ol>
 *   <li>Non-temporal stores are used when the persister has them, {@code f} lacks {@code TEMPORAL}, {@code f} has
 *       {@code NON_TEMPORAL} or {@code length >= T}, and the source does not overlap the destination.</li>
 *   <li>Then the head up to the first 64-byte boundary of the destination and the tail after the last whole line
 *       are written with ordinary stores, in that order, and the whole lines in between with non-temporal stores.
 *       Unless {@code NO_FLUSH}, the head and the tail are flushed; unless {@code NO_DRAIN}, a drain ends it.</li>
 *   <li>Otherwise all of it is written with ordinary stores, then flushed unless {@code NO_FLUSH} and drained
 *       unless {@code NO_DRAIN} (a persist when both).</li>
 *   <li>{@code TEMPORAL} with {@code NON_TEMPORAL} is refused before anything is written.</li>
 * </ol>
 * Ranges are checked by the caller ({@code DaxMapping}); this class only executes.
 */
public final class Durability {

    /** libpmem2's threshold; {@code PersistBenchmark}'s copy rows measure the crossover on a given machine. */
    public static final long DEFAULT_THRESHOLD = 256;

    private static final int NO_DRAIN = 1 << PersistFlag.NO_DRAIN.ordinal();
    private static final int NO_FLUSH = 1 << PersistFlag.NO_FLUSH.ordinal();
    private static final int NON_TEMPORAL = 1 << PersistFlag.NON_TEMPORAL.ordinal();
    private static final int TEMPORAL = 1 << PersistFlag.TEMPORAL.ordinal();

    private final Persister persister;
    private final boolean nonTemporalStores;
    private final long threshold;

    /**
     * @param threshold the size from which copies and fills use non-temporal stores
     * @throws IllegalArgumentException if {@code threshold < 0}
     */
    public Durability(Persister persister, long threshold) {
        if (threshold < 0) {
            throw new IllegalArgumentException("negative non-temporal threshold: " + threshold);
        }
        this.persister = persister;
        this.nonTemporalStores = persister.hasNonTemporalStores();
        this.threshold = threshold;
    }

    /** {@return the mechanism of this durability} */
    public PersistMechanism mechanism() {
        return persister.mechanism();
    }

    /** {@return the size from which copies and fills use non-temporal stores} */
    public long threshold() {
        return threshold;
    }

    /** {@return whether copies and fills can use non-temporal stores at all} */
    public boolean hasNonTemporalStores() {
        return nonTemporalStores;
    }

    /** See {@link Persister#flush}. */
    public void flush(MemorySegment mapping, long offset, long length) {
        persister.flush(mapping, offset, length);
    }

    /** See {@link Persister#drain}. */
    public void drain() {
        persister.drain();
    }

    /** See {@link Persister#persist}. */
    public void persist(MemorySegment mapping, long offset, long length) {
        persister.persist(mapping, offset, length);
    }

    /** Ordinary stores were just made to {@code [offset, offset + length)} through the mapping's accessors. */
    public void stored(long offset, long length) {
        persister.stored(offset, length);
    }

    /** {@code [offset, offset + length)} is about to be read through the mapping's accessors. */
    public void loading(long offset, long length) {
        persister.loading(offset, length);
    }

    /** The CRC32C of {@code [offset, offset + length)} is about to be compared with {@code expected}. */
    public void checking(long offset, long length, int expected) {
        persister.checking(offset, length, expected);
    }

    /** The mapping's segment was handed out. */
    public void exposed() {
        persister.exposed();
    }

    /**
     * Copies all of {@code source} to {@code [offset, offset + source.byteSize())} of {@code mapping}, durably.
     *
     * @return whether non-temporal stores wrote the middle of the destination
     * @throws IllegalArgumentException if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public boolean copy(MemorySegment mapping, long offset, MemorySegment source, PersistFlag... flags) {
        int bits = bits(flags);
        long length = source.byteSize();
        if (nonTemporal(length, bits) && !overlaps(mapping, offset, source)) {
            long head = Math.min(length, -(mapping.address() + offset) & 63);
            long middle = (length - head) & -64;
            long tail = length - head - middle;
            if (middle > 0 && head == 0 && tail == 0 && (bits & NO_DRAIN) == 0) {
                // all of it non-temporal: the stub's own SFENCE is the drain, one native call in all
                persister.storeNonTemporalAndDrain(mapping, offset, source, 0, middle);
                return true;
            }
            if (head > 0) {
                persister.store(mapping, offset, source, 0, head);
            }
            if (tail > 0) {
                persister.store(mapping, offset + head + middle, source, head + middle, tail);
            }
            if (middle > 0) {
                persister.storeNonTemporal(mapping, offset + head, source, head, middle);
            }
            finishEdges(mapping, offset, head, middle, tail, bits);
            return true;
        }
        if (length > 0) {
            persister.store(mapping, offset, source, 0, length);
        }
        finish(mapping, offset, length, bits);
        return false;
    }

    /**
     * Sets {@code [offset, offset + length)} of {@code mapping} to {@code value}, durably.
     *
     * @return whether non-temporal stores wrote the middle of the range
     * @throws IllegalArgumentException if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public boolean fill(MemorySegment mapping, long offset, long length, byte value, PersistFlag... flags) {
        int bits = bits(flags);
        if (nonTemporal(length, bits)) {
            long head = Math.min(length, -(mapping.address() + offset) & 63);
            long middle = (length - head) & -64;
            long tail = length - head - middle;
            if (head > 0) {
                persister.storeFill(mapping, offset, head, value);
            }
            if (tail > 0) {
                persister.storeFill(mapping, offset + head + middle, tail, value);
            }
            if (middle > 0) {
                persister.fillNonTemporal(mapping, offset + head, (value & 0xffL) * 0x0101010101010101L, middle);
            }
            finishEdges(mapping, offset, head, middle, tail, bits);
            return true;
        }
        if (length > 0) {
            persister.storeFill(mapping, offset, length, value);
        }
        finish(mapping, offset, length, bits);
        return false;
    }

    /**
     * Copies {@code [from, from + length)} of {@code mapping} to {@code [to, to + length)}, durably; may overlap.
     *
     * @return whether non-temporal stores wrote the middle of the destination (never where the ranges overlap)
     * @throws IllegalArgumentException if {@code flags} holds both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public boolean move(MemorySegment mapping, long from, long to, long length, PersistFlag... flags) {
        return copy(mapping, to, mapping.asSlice(from, length), flags);
    }

    /**
     * {@return the flags as bits: no set is allocated on the hot path}
     *
     * @throws IllegalArgumentException if they hold both {@code TEMPORAL} and {@code NON_TEMPORAL}
     */
    public static int bits(PersistFlag[] flags) {
        int bits = 0;
        for (PersistFlag flag : flags) {
            bits |= 1 << flag.ordinal();
        }
        if ((bits & (TEMPORAL | NON_TEMPORAL)) == (TEMPORAL | NON_TEMPORAL)) {
            throw new IllegalArgumentException("PersistFlag.TEMPORAL and NON_TEMPORAL exclude each other");
        }
        return bits;
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

    private boolean nonTemporal(long length, int flags) {
        return nonTemporalStores && (flags & TEMPORAL) == 0 && ((flags & NON_TEMPORAL) != 0 || length >= threshold);
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
