package io.github.dax4j.examples.kv;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A fixed-size key-value table on persistent memory: open addressing over cache-line slots, each change made
 * durable and then published with one aligned 8-byte store.
 *
 * <p>A slot, one cache line, in the directory region {@code <name>}:
 * <pre>
 *  0        8        16                        40                        64
 *  +--------+--------+-------------------------+-------------------------+
 *  | state  | key    | value copy 0 (24 bytes) | value copy 1 (24 bytes) |
 *  +--------+--------+-------------------------+-------------------------+
 * </pre>
 * {@code state} is 0 for a never-used slot, {@link #TOMBSTONE} for a deleted one, and {@code LIVE | copy} for a
 * live one, {@code copy} (bit 1) naming the current value copy. Any other state is damage: {@link #open} refuses
 * the table with {@code CORRUPTED}, and a state damaged later makes the call that meets it throw
 * {@link IllegalStateException}; neither reads the slot as data.
 *
 * <p>Protocol, each step persisted before the next:
 * <ol>
 *   <li>Insert into an empty or deleted slot: write the key and value copy 0; persist them. Publish
 *       {@code state = LIVE} (copy 0) with one aligned 8-byte store; persist it.</li>
 *   <li>Update: write the new value into the copy that is not current; persist it. Publish the state with the copy
 *       bit flipped; persist it. A crash before the publish leaves the old value, after it the new one.</li>
 *   <li>Delete: publish {@code state = TOMBSTONE}; persist it.</li>
 * </ol>
 * Lookups probe linearly from {@code hash(key)} and stop at a never-used slot. Not thread-safe: one writer.
 */
public final class KeyValueTable {

    /** The fixed value size. */
    public static final int VALUE_BYTES = 24;
    static final long LIVE = 1;
    static final long TOMBSTONE = 4;
    private static final long COPY = 2;

    static final StructLayout SLOT = MemoryLayout.structLayout(
            JAVA_LONG.withName("state"), JAVA_LONG.withName("key"),
            MemoryLayout.sequenceLayout(VALUE_BYTES, JAVA_BYTE).withName("value0"),
            MemoryLayout.sequenceLayout(VALUE_BYTES, JAVA_BYTE).withName("value1"));

    private final DaxMapping pmem;
    private final FixedRegion slots;

    private KeyValueTable(DaxMapping pmem, FixedRegion slots) {
        this.pmem = pmem;
        this.slots = slots;
    }

    /**
     * Opens the table {@code name} of {@code directory}, creating it with {@code capacity} slots if absent.
     *
     * @throws DirectoryException {@code CORRUPTED} if a slot's state is none of the format's, naming the slot
     */
    public static KeyValueTable open(DaxMapping pmem, Directory directory, String name, long capacity)
            throws DirectoryException {
        FixedRegion slots = directory.openOrCreate(name, SLOT, capacity, RegionAlignment.CACHE_LINE, true);
        KeyValueTable table = new KeyValueTable(pmem, slots);
        for (long slot = 0; slot < slots.count(); slot++) {
            long state = pmem.getLongAtomic(slots.elementOffset(slot));
            if (!isValid(state)) {
                throw new DirectoryException(DirectoryException.Reason.CORRUPTED, table.damaged(slot, state));
            }
        }
        return table;
    }

    private static boolean isValid(long state) {
        return state == 0 || state == TOMBSTONE || state == LIVE || state == (LIVE | COPY);
    }

    private String damaged(long slot, long state) {
        return "slot " + slot + " of table '" + slots.info().name() + "' in " + pmem.path() + " has state 0x"
                + Long.toHexString(state) + ": neither empty (0), deleted (4) nor live (1, 3)";
    }

    /**
     * @throws IllegalStateException if the state is none of the four the format has: damage since the open
     */
    private long state(long slot) {
        long state = pmem.getLongAtomic(slots.elementOffset(slot));
        if (!isValid(state)) {
            throw new IllegalStateException(damaged(slot, state));
        }
        return state;
    }

    private long key(long slot) {
        return pmem.getLongAtomic(slots.elementOffset(slot) + 8);
    }

    private long valueAt(long slot, long copy) {
        return slots.elementOffset(slot) + 16 + copy * VALUE_BYTES;
    }

    /** The slot holding {@code key}, or -1 - (the first free slot on its probe path), or a full-table marker. */
    private long find(long key) {
        long capacity = slots.count();
        long free = Long.MIN_VALUE;
        long start = Math.floorMod(Long.hashCode(key) * 0x9E3779B9L, capacity);
        for (long i = 0; i < capacity; i++) {
            long slot = (start + i) % capacity;
            long state = state(slot);
            if (state == 0) {
                return -1 - (free == Long.MIN_VALUE ? slot : free);
            }
            if (state == TOMBSTONE) {
                if (free == Long.MIN_VALUE) {
                    free = slot;
                }
            } else if (key(slot) == key) {
                return slot;
            }
        }
        return free == Long.MIN_VALUE ? Long.MIN_VALUE : -1 - free;
    }

    /**
     * Sets {@code key} to {@code value} (at most {@value #VALUE_BYTES} bytes, zero-padded), durably.
     *
     * @throws IllegalStateException if the table is full
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     */
    public void put(long key, byte[] value) {
        if (value.length > VALUE_BYTES) {
            throw new IllegalArgumentException("values are at most " + VALUE_BYTES + " bytes: " + value.length);
        }
        byte[] padded = java.util.Arrays.copyOf(value, VALUE_BYTES);
        long slot = find(key);
        if (slot == Long.MIN_VALUE) {
            throw new IllegalStateException("the table is full: " + slots.count() + " slots");
        }
        if (slot >= 0) {                                          // step 2: update out of place
            long state = state(slot);
            long next = (state & COPY) ^ COPY;
            long at = valueAt(slot, next >> 1);
            pmem.write(at, MemorySegment.ofArray(padded));
            pmem.persist(at, VALUE_BYTES);
            pmem.putLongAtomicAndPersist(slots.elementOffset(slot), LIVE | next);
            return;
        }
        slot = -1 - slot;                                         // step 1: insert
        long base = slots.elementOffset(slot);
        pmem.putLong(base + 8, key);
        pmem.write(valueAt(slot, 0), MemorySegment.ofArray(padded));
        pmem.persist(base + 8, 8 + VALUE_BYTES);
        pmem.putLongAtomicAndPersist(base, LIVE);
    }

    /** {@return the value of {@code key}, if it is in the table} */
    public Optional<byte[]> get(long key) {
        long slot = find(key);
        if (slot < 0) {
            return Optional.empty();
        }
        long copy = (state(slot) & COPY) >> 1;
        return Optional.of(pmem.segment().asSlice(valueAt(slot, copy), VALUE_BYTES).toArray(JAVA_BYTE));
    }

    /**
     * Removes {@code key}, durably (step 3); {@return whether it was there}
     *
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only and the key is there
     */
    public boolean delete(long key) {
        long slot = find(key);
        if (slot < 0) {
            return false;
        }
        pmem.putLongAtomicAndPersist(slots.elementOffset(slot), TOMBSTONE);
        return true;
    }

    /** {@return every live entry, by slot order} */
    public Map<Long, byte[]> entries() {
        Map<Long, byte[]> entries = new LinkedHashMap<>();
        for (long slot = 0; slot < slots.count(); slot++) {
            long state = state(slot);
            if ((state & LIVE) != 0) {
                entries.put(key(slot), pmem.segment().asSlice(valueAt(slot, (state & COPY) >> 1), VALUE_BYTES)
                        .toArray(JAVA_BYTE));
            }
        }
        return entries;
    }
}
