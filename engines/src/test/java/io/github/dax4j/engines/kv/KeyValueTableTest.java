package io.github.dax4j.engines.kv;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.testkit.CrashReport;
import io.github.dax4j.testkit.CrashTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key-value table: its operations, and its state after every simulated crash. */
class KeyValueTableTest {

    /** One operation: put {@code key = value} or, with {@code delete}, remove {@code key}. */
    record Op(long key, byte value, boolean delete) {
        byte[] bytes() {
            byte[] b = new byte[KeyValueTable.VALUE_BYTES];
            Arrays.fill(b, value);
            return b;
        }
    }

    @Test
    void putGetUpdateDeleteAndReopen() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-kv-", ".img");
        Files.delete(device);
        MapOptions options = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();
        try (DaxMapping pmem = DaxMapping.open(device, options)) {
            KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8);
            table.put(1, new byte[] {1});
            table.put(9, new byte[] {9});
            table.put(1, new byte[] {2});
            assertEquals(2, table.get(1).orElseThrow()[0]);
            assertTrue(table.delete(9));
            assertFalse(table.delete(9));
        }
        try (DaxMapping pmem = DaxMapping.open(device, options)) {
            KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8);
            assertEquals(Optional.empty(), table.get(9));
            assertArrayEquals(Arrays.copyOf(new byte[] {2}, KeyValueTable.VALUE_BYTES), table.get(1).orElseThrow());
            for (long k = 100; k < 107; k++) {
                table.put(k, new byte[] {(byte) k});
            }
            assertEquals(8, table.entries().size());
        } finally {
            Files.deleteIfExists(device);
        }
    }

    @Test
    void aSlotStateTheFormatDoesNotHaveIsDamageNeverData() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-kv-", ".img");
        Files.delete(device);
        MapOptions options = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();
        try {
            long stateAt;
            try (DaxMapping pmem = DaxMapping.open(device, options)) {
                KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8);
                table.put(1, new byte[] {1});
                stateAt = Directory.open(pmem).find("kv").orElseThrow().offset(); // slot 0 of the table
            }
            for (long forged : new long[] {2, 6, 8, 0x7f, -1}) {
                try (DaxMapping pmem = DaxMapping.open(device, options)) {
                    long slot0 = pmem.getLongAtomic(stateAt);
                    pmem.putLongAtomicAndPersist(stateAt, forged);
                    io.github.dax4j.layout.DirectoryException e = org.junit.jupiter.api.Assertions.assertThrows(
                            io.github.dax4j.layout.DirectoryException.class,
                            () -> KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8));
                    assertEquals(io.github.dax4j.layout.DirectoryException.Reason.CORRUPTED, e.reason());
                    assertTrue(e.getMessage().contains("slot 0 of table 'kv'")
                            && e.getMessage().contains("state 0x" + Long.toHexString(forged)), e.getMessage());
                    pmem.putLongAtomicAndPersist(stateAt, slot0);
                }
            }
            try (DaxMapping pmem = DaxMapping.open(device, options)) {
                KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8);
                for (long slot = 0; slot < 8; slot++) {
                    pmem.putLongAtomicAndPersist(stateAt + slot * 64, 6); // damaged after the open
                }
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                        () -> table.get(1));
                assertTrue(e.getMessage().contains("state 0x6"), e.getMessage());
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, table::entries);
            }
        } finally {
            Files.deleteIfExists(device);
        }
    }

    static CrashReport check(CrashTest test, List<Op> ops) {
        return test.run((pmem, acks) -> {
            acks.checkCrashes(false);
            KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem, 4), "kv", 8);
            acks.checkCrashes(true);
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                acks.begin(i + 1);
                if (op.delete()) {
                    table.delete(op.key());
                } else {
                    table.put(op.key(), op.bytes());
                }
                acks.acknowledge(i + 1);
            }
        }, pmem -> KeyValueTable.open(pmem, Directory.open(pmem, 4), "kv", 8).entries(),
           (entries, acked, inFlight) -> {
               int done = acked.isEmpty() ? 0 : (Integer) acked.getLast();
               return same(entries, model(ops, done)) || !inFlight.isEmpty() && same(entries, model(ops, done + 1));
           });
    }

    private static Map<Long, byte[]> model(List<Op> ops, int count) {
        Map<Long, byte[]> model = new HashMap<>();
        for (Op op : ops.subList(0, Math.min(count, ops.size()))) {
            if (op.delete()) {
                model.remove(op.key());
            } else {
                model.put(op.key(), op.bytes());
            }
        }
        return model;
    }

    private static boolean same(Map<Long, byte[]> a, Map<Long, byte[]> b) {
        return a.size() == b.size() && a.entrySet().stream()
                .allMatch(e -> b.containsKey(e.getKey()) && Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    @Test
    void everyCrashOfInsertUpdateDeleteLeavesTheOldOrTheNewState() {
        List<Op> ops = List.of(new Op(1, (byte) 1, false), new Op(2, (byte) 2, false), new Op(1, (byte) 3, false),
                new Op(2, (byte) 0, true), new Op(2, (byte) 4, false));
        CrashReport report = check(CrashTest.onDevice(64 * 1024).budget(100_000), ops);
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
    }

    @Provide
    Arbitrary<List<Op>> workloads() {
        return Combinators.combine(Arbitraries.longs().between(1, 5), Arbitraries.bytes().between((byte) 1, (byte) 9),
                Arbitraries.of(true, false, false)).as(Op::new).list().ofMaxSize(12);
    }

    @Property(tries = 40)
    void randomWorkloadsSurviveEveryCrash(@ForAll("workloads") List<Op> ops) {
        check(CrashTest.onDevice(64 * 1024).budget(512), ops).assertNoFailure();
    }

    @Test
    void putUpdateAndDeleteWasteNoFlushOrFence() {
        List<io.github.dax4j.testkit.PerformanceFinding> found = CrashTest.onDevice(64 * 1024).reportPerformance(true)
                .budget(1).run((pmem, acks) -> {
                    KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem, 4), "kv", 8);
                    table.put(1, new byte[] {1});
                    table.put(1, new byte[] {2});
                    table.put(2, new byte[] {3});
                    table.delete(1);
                    table.put(1, new byte[] {4});
                }, pmem -> 0, (recovered, acked, inFlight) -> true).performance();
        assertEquals(List.of(), found, "flushes or fences that buy nothing");
    }

    /** The table's open writes nothing, so a crash during it changes nothing; checked all the same. */
    @Test
    void aCrashDuringRecoveryLeavesTheOldOrTheNewState() {
        List<Op> ops = List.of(new Op(1, (byte) 1, false), new Op(1, (byte) 3, false), new Op(1, (byte) 0, true));
        CrashReport report = check(CrashTest.onDevice(64 * 1024).crashDuringRecovery(1), ops);
        report.assertNoFailure();
        assertTrue(report.exhaustive(), report.toString());
    }
}
