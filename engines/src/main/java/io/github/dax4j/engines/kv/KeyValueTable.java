package io.github.dax4j.engines.kv;

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
import java.util.zip.CRC32C;

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
 * live one, {@code copy} (bit 1) naming the current value copy; a live state's high 32 bits are the CRC32C of the
 * key and the current value, so that one 8-byte store publishes both the choice of copy and its checksum.
 *
 * <p>The table's invariants, checked by every {@link #open} (and so by {@code dax4j check}), which refuses a table
 * that breaks one with {@code CORRUPTED} naming it and the slot:
 * <ol>
 *   <li>K1: every state's low 32 bits are one of 0, 1, 3 and 4, and the high 32 bits of 0 and 4 are zero.</li>
 *   <li>K2: a live state's high 32 bits are the CRC32C of its slot's key and current value.</li>
 *   <li>K3: no two live slots hold the same key.</li>
 *   <li>K4: every live slot is on its key's probe path: no never-used slot lies between the slot its key hashes to
 *       and it (a lookup stops at the first never-used slot, so it would never find it).</li>
 * </ol>
 * A state, key or value damaged after the open makes the call that meets it throw {@link IllegalStateException}
 * (K1 and K2 are checked again on every slot a call reads); neither reads the slot as data. Bytes other than the states, keys of live slots and current values are not checked: a crash
 * may leave a key and value written in a slot whose state was never published.
 *
 * <p>Protocol, each step persisted before the next:
 * <ol>
 *   <li>Insert into an empty or deleted slot: write the key and value copy 0; persist them. Publish
 *       {@code state = crc << 32 | LIVE} (copy 0) with one aligned 8-byte store; persist it.</li>
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
            // "stateAndCrc": the slot's format is its layout's signature (the region records it); the field was
            // "state" before the CRC joined it, so a table of that format is LAYOUT_MISMATCH, never misread
            JAVA_LONG.withName("stateAndCrc"), JAVA_LONG.withName("key"),
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
     * @throws DirectoryException {@code CORRUPTED} if the table breaks an invariant (K1-K4), naming it and the slot;
     *                            {@code FULL} if a new table of {@code capacity} slots does not fit
     */
    public static KeyValueTable open(DaxMapping pmem, Directory directory, String name, long capacity)
            throws DirectoryException {
        FixedRegion slots = directory.openOrCreate(name, SLOT, capacity, RegionAlignment.CACHE_LINE, true);
        KeyValueTable table = new KeyValueTable(pmem, slots);
        table.checkInvariants();
        return table;
    }

    /** Checks K1-K4 in two passes over the slots. */
    private void checkInvariants() throws DirectoryException {
        long count = slots.count();
        // K4 needs the nearest never-used slot before each slot, cyclically: one in the table's end counts as
        // (slot - count) for the slots at its start
        long lastEmpty = Long.MIN_VALUE;
        for (long slot = count - 1; slot >= 0 && lastEmpty == Long.MIN_VALUE; slot--) {
            lastEmpty = pmem.getLongAtomic(slots.elementOffset(slot)) == 0 ? slot - count : Long.MIN_VALUE;
        }
        Map<Long, Long> live = new java.util.HashMap<>();
        for (long slot = 0; slot < count; slot++) {
            long state = pmem.getLongAtomic(slots.elementOffset(slot));
            if (!isValid(state)) {
                throw corrupted("K1", damaged(slot, state));
            }
            if (state == 0) {
                lastEmpty = slot;
            } else if ((state & LIVE) != 0) {
                if (!checksumMatches(slot, state)) {
                    throw corrupted("K2", checksumMismatch(slot, state));
                }
                long key = key(slot);
                Long other = live.putIfAbsent(key, slot);
                if (other != null) {
                    throw corrupted("K3", "slots " + other + " and " + slot + " of " + where() + " both hold key "
                            + key);
                }
                long start = start(key, count);
                long distance = Math.floorMod(slot - start, count);
                if (lastEmpty != Long.MIN_VALUE && distance >= slot - lastEmpty) {
                    throw corrupted("K4", "slot " + slot + " of " + where() + " holds key " + key + ", which hashes to "
                            + "slot " + start + ", but never-used slot " + Math.floorMod(lastEmpty, count)
                            + " lies between them: a lookup stops there");
                }
            }
        }
    }

    private static DirectoryException corrupted(String invariant, String message) {
        return new DirectoryException(DirectoryException.Reason.CORRUPTED, "breaks " + invariant + ": " + message);
    }

    private String where() {
        return "table '" + slots.info().name() + "' in " + pmem.path();
    }

    private static long start(long key, long capacity) {
        return Math.floorMod(Long.hashCode(key) * 0x9E3779B9L, capacity);
    }

    private static boolean isValid(long state) {
        long kind = state & 0xFFFF_FFFFL;
        return state == 0 || state == TOMBSTONE || kind == LIVE || kind == (LIVE | COPY);
    }

    /** {@return the state that publishes {@code key} with {@code value} (24 bytes) in value copy {@code copy}} */
    static long published(long key, MemorySegment value, long copy) {
        return (long) checksum(key, value) << 32 | LIVE | copy << 1;
    }

    private static int checksum(long key, MemorySegment value) {
        CRC32C crc = new CRC32C();
        crc.update(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(0, key));
        crc.update(value.asByteBuffer());
        return (int) crc.getValue();
    }

    private boolean checksumMatches(long slot, long state) {
        return (int) (state >>> 32) == checksum(key(slot), value(slot, state));
    }

    private String checksumMismatch(long slot, long state) {
        return "slot " + slot + " of " + where() + " holds key " + key(slot) + " and a value whose CRC32C 0x"
                + Integer.toHexString(checksum(key(slot), value(slot, state))) + " is not the 0x"
                + Integer.toHexString((int) (state >>> 32)) + " its state records";
    }

    /**
     * {@return the current value of live {@code slot}, a heap copy} Read through the mapping's accessors, never
     * {@code segment()}: a crash simulator then decides those bytes only when the table reads them.
     */
    private MemorySegment value(long slot, long state) {
        MemorySegment value = MemorySegment.ofArray(new byte[VALUE_BYTES]);
        pmem.read(valueAt(slot, (state & COPY) >> 1), value);
        return value;
    }

    private String damaged(long slot, long state) {
        return "slot " + slot + " of " + where() + " has state 0x"
                + Long.toHexString(state) + ": neither empty (0), deleted (4) nor live (1, 3)";
    }

    /**
     * {@return the state of {@code slot}, once checked against K1 and, for a live slot, K2}
     *
     * @throws IllegalStateException if it breaks one: damage since the open
     */
    private long state(long slot) {
        long state = pmem.getLongAtomic(slots.elementOffset(slot));
        if (!isValid(state)) {
            throw new IllegalStateException(damaged(slot, state));
        }
        if ((state & LIVE) != 0 && !checksumMatches(slot, state)) {
            throw new IllegalStateException(checksumMismatch(slot, state));
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
        long start = start(key, capacity);
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
            pmem.putLongAtomicAndPersist(slots.elementOffset(slot), published(key, MemorySegment.ofArray(padded),
                    next >> 1));
            return;
        }
        slot = -1 - slot;                                         // step 1: insert
        long base = slots.elementOffset(slot);
        pmem.putLong(base + 8, key);
        pmem.write(valueAt(slot, 0), MemorySegment.ofArray(padded));
        pmem.persist(base + 8, 8 + VALUE_BYTES);
        pmem.putLongAtomicAndPersist(base, published(key, MemorySegment.ofArray(padded), 0));
    }

    /** {@return the value of {@code key}, if it is in the table} */
    public Optional<byte[]> get(long key) {
        long slot = find(key);
        if (slot < 0) {
            return Optional.empty();
        }
        return Optional.of(value(slot, state(slot)).toArray(JAVA_BYTE));
    }

    /**
     * Removes {@code key}, durably (step 3).
     *
     * @return whether it was there
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
                entries.put(key(slot), value(slot, state).toArray(JAVA_BYTE));
            }
        }
        return entries;
    }
}
