package io.github.dax4j.engines.kv;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables forged slot by slot, states from the format's four (live ones mostly sealed with a valid checksum) plus
 * damage, keys from a small range so that they collide: {@code open} either refuses the table as {@code CORRUPTED} or returns one whose {@code get} and
 * {@code entries} agree on every key.
 */
class ForgedTableProperties {

    private static final int SLOTS = 8;
    private static final MapOptions OPTIONS = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();

    /**
     * One forged slot: its state (for a live one, sealed with the checksum K2 asks for unless {@code sealed} is
     * false), key and the byte its value copies are filled with.
     */
    record Slot(long state, long key, byte value, boolean sealed) {
    }

    private Path device;

    @BeforeProperty
    void newDevice() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-kv-forged-", ".img");
        Files.delete(device);
    }

    @AfterProperty
    void deleteDevice() throws Exception {
        Files.deleteIfExists(device);
    }

    @Provide
    Arbitrary<List<Slot>> tables() {
        Arbitrary<Long> states = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(0L)), net.jqwik.api.Tuple.of(4, Arbitraries.just(1L)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(3L)), net.jqwik.api.Tuple.of(2, Arbitraries.just(4L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
        Arbitrary<Slot> slot = Combinators.combine(states, Arbitraries.longs().between(0, 2), Arbitraries.bytes(),
                Arbitraries.integers().between(0, 20).map(i -> i > 0)).as(Slot::new);
        return slot.list().ofSize(SLOTS);
    }

    /** Writes {@code table} over the slots of table "kv" and returns the region's offset. */
    private static long forge(DaxMapping pmem, List<Slot> table) throws DirectoryException {
        KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS);
        long at = Directory.open(pmem).find("kv").orElseThrow().offset();
        for (int i = 0; i < table.size(); i++) {
            Slot slot = table.get(i);
            byte[] line = new byte[64];
            Arrays.fill(line, 16, 64, slot.value());
            MemorySegment bytes = MemorySegment.ofArray(line);
            boolean live = slot.state() == KeyValueTable.LIVE || slot.state() == (KeyValueTable.LIVE | 2);
            bytes.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, live && slot.sealed()
                    ? KeyValueTable.published(slot.key(), bytes.asSlice(16, KeyValueTable.VALUE_BYTES),
                    slot.state() >> 1) : slot.state());
            bytes.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, slot.key());
            pmem.copy(at + 64L * i, bytes);
        }
        return at;
    }

    @Property(tries = 300)
    void aForgedTableIsRefusedOrConsistent(@ForAll("tables") List<Slot> table) throws Exception {
        Files.deleteIfExists(device);
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            forge(pmem, table);
            KeyValueTable opened;
            try {
                opened = KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS);
            } catch (DirectoryException e) {
                assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
                assertTrue(e.getMessage().matches("breaks K[1-4]: .*slot.*"), e.getMessage());
                Statistics.label("outcome").collect("refused " + e.getMessage().substring(7, 9));
                return;
            }
            Map<Long, byte[]> entries = opened.entries();
            for (long key = 0; key <= 3; key++) {
                Optional<byte[]> got = opened.get(key);
                assertEquals(entries.containsKey(key), got.isPresent(), "key " + key + " in " + table);
                if (got.isPresent()) {
                    assertArrayEquals(entries.get(key), got.get(), "key " + key + " in " + table);
                }
            }
            long live = table.stream().filter(s -> (s.state() & 0xFFFF_FFFFL) == 1 || (s.state() & 0xFFFF_FFFFL) == 3)
                    .count();
            assertEquals(live, entries.size(), "every live slot is an entry, none hidden: " + table);
            Statistics.label("outcome").collect("opened");
        }
        // neither outcome may pass vacuously: each of the four invariants is broken by some tables, others hold
        Statistics.label("outcome").coverage(c -> {
            for (String outcome : List.of("opened", "refused K1", "refused K2", "refused K3", "refused K4")) {
                c.check(outcome).percentage(p -> p > 1);
            }
        });
    }

    @Example
    void twoLiveSlotsWithOneKeyBreakK3() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS).put(3, new byte[] {3});
            long at = Directory.open(pmem).find("kv").orElseThrow().offset();
            long slot = firstLiveSlot(pmem, at);
            long next = (slot + 1) % SLOTS; // the next slot on key 3's probe path: K3 holds, K2 does not
            pmem.copy(at + 64 * next, pmem.segment().asSlice(at + 64 * slot, 64));
            DirectoryException e = assertThrows(DirectoryException.class,
                    () -> KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS));
            assertTrue(e.getMessage().startsWith("breaks K3") && e.getMessage().contains("key 3"), e.getMessage());
        }
    }

    @Example
    void aLiveSlotALookupCannotReachBreaksK4() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS).put(3, new byte[] {3});
            long at = Directory.open(pmem).find("kv").orElseThrow().offset();
            long slot = firstLiveSlot(pmem, at);
            long moved = (slot + 2) % SLOTS; // past the never-used slot after its home
            pmem.copy(at + 64 * moved, pmem.segment().asSlice(at + 64 * slot, 64));
            pmem.fill(at + 64 * slot, 64, (byte) 0);
            DirectoryException e = assertThrows(DirectoryException.class,
                    () -> KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS));
            assertTrue(e.getMessage().startsWith("breaks K4") && e.getMessage().contains("slot " + moved)
                    && e.getMessage().contains("hashes to slot " + slot), e.getMessage());
        }
    }

    @Example
    void aValueOrKeyChangedUnderItsChecksumBreaksK2AndIsNeverReturned() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, OPTIONS)) {
            KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS);
            table.put(3, new byte[] {3, 3, 3});
            long at = Directory.open(pmem).find("kv").orElseThrow().offset();
            long slot = firstLiveSlot(pmem, at);
            pmem.putByte(at + 64 * slot + 17, (byte) 4); // the value's second byte, after the open
            IllegalStateException later = assertThrows(IllegalStateException.class, () -> table.get(3));
            assertTrue(later.getMessage().contains("key 3") && later.getMessage().contains("CRC32C"),
                    later.getMessage());
            assertThrows(IllegalStateException.class, table::entries);
            DirectoryException reopened = assertThrows(DirectoryException.class,
                    () -> KeyValueTable.open(pmem, Directory.open(pmem), "kv", SLOTS));
            assertTrue(reopened.getMessage().startsWith("breaks K2: slot " + slot), reopened.getMessage());
        }
    }

    /** {@return the index of the first slot with a state in the table whose slots start at {@code at}} */
    private static long firstLiveSlot(DaxMapping pmem, long at) {
        long slot = 0;
        while (pmem.getLong(at + 64 * slot) == 0) {
            slot++;
        }
        return slot;
    }
}
