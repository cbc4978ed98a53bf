package io.github.dax4j;

import io.github.dax4j.SimulatedSource;
import io.github.dax4j.internal.persist.Durability;
import io.github.dax4j.internal.persist.Persisters;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a simulated device accepts, real hardware does too: the same operations on a real mapping with the CPU's
 * cache-line mechanism and on a simulated device write the same bytes, take the same path (non-temporal or not),
 * and the simulated device reports every byte of an operation stored exactly once, non-temporal exactly on the
 * whole 64-byte lines of the destination that the real copier streams, ordinary elsewhere.
 */
class SimulatedDeviceEquivalenceProperties {

    private static final long SIZE = 2L << 20;

    enum Kind { COPY, FILL, MOVE, WRITE, PUT_LONG }

    record Op(Kind kind, int offset, int length, int from, Set<PersistFlag> flags) {
    }

    record Store(long offset, long length, boolean nonTemporal) {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Set<PersistFlag>> flags = Arbitraries.of(PersistFlag.class).set().ofMaxSize(3)
                .filter(f -> !(f.contains(PersistFlag.TEMPORAL) && f.contains(PersistFlag.NON_TEMPORAL)));
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.of(0, 1, 63, 64, 65, 255, 256, 257, 4096),
                Arbitraries.integers().between(0, 2000));
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 8192), lengths,
                Arbitraries.integers().between(0, 8192), flags).as(Op::new).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300)
    void theSimulatorClassifiesEveryStoreAsTheRealCopierExecutesIt(@ForAll("operations") List<Op> ops,
            @ForAll("thresholds") long threshold) throws IOException {
        PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElse(null);
        assumeTrue(cpu != null, "needs a CPU cache-line mechanism: " + PersistMechanism.whyNoCpuCacheFlush());
        Path file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-equivalence-", ".img");
        Files.delete(file);
        List<Store> stores = new ArrayList<>();
        SimulatedSource.Observer recorder = new SimulatedSource.Observer() {
            @Override
            public void stored(long offset, long length, boolean nonTemporal) {
                stores.add(new Store(offset, length, nonTemporal));
            }

            @Override
            public void flushed(long offset, long length) {
            }

            @Override
            public void drained() {
            }
        };
        // the threshold's default, which both kinds of mapping take: the real one by its options, the simulated one
        String before = System.setProperty("dax4j.nonTemporalThreshold", Long.toString(threshold));
        try (Arena arena = Arena.ofConfined();
             DaxMapping real = DaxMapping.open(file, MapOptions.ofLength(SIZE).createIfAbsent()
                     .emulateMapSync().persistMechanism(cpu).acceptNonDurableStores()); // tmpfs: not durable
             DaxMapping simulated = DaxMapping.simulate("equivalence", arena.allocate(SIZE, 4096),
                     Alignment.PAGE_4K, Granularity.CACHE_LINE, recorder)) {
            assertEquals(threshold, real.nonTemporalThreshold());
            assertEquals(real.nonTemporalThreshold(), simulated.nonTemporalThreshold());
            // a durability object like the real mapping's (same mechanism and threshold) over its memory, called
            // directly so that its choice of stores can be seen: DaxMapping does not return it
            Durability realCopier = new Durability(Persisters.forMechanism(cpu), real.nonTemporalThreshold());
            assertEquals(0, real.segment().address() % 64);
            assertEquals(0, simulated.segment().address() % 64);
            for (Op op : ops) {
                stores.clear();
                PersistFlag[] flags = op.flags().toArray(PersistFlag[]::new);
                byte[] data = new byte[op.length()];
                java.util.Arrays.fill(data, (byte) (op.offset() * 31 + op.length()));
                MemorySegment source = MemorySegment.ofArray(data);
                boolean realNonTemporal = switch (op.kind()) {
                    case COPY -> {
                        simulated.copy(op.offset(), source, flags);
                        yield realCopier.copy(real.segment(), op.offset(), source, flags);
                    }
                    case FILL -> {
                        simulated.fill(op.offset(), op.length(), (byte) op.length(), flags);
                        yield realCopier.fill(real.segment(), op.offset(), op.length(), (byte) op.length(), flags);
                    }
                    case MOVE -> {
                        simulated.move(op.from(), op.offset(), op.length(), flags);
                        yield realCopier.move(real.segment(), op.from(), op.offset(), op.length(), flags);
                    }
                    case WRITE -> {
                        simulated.write(op.offset(), source);
                        real.write(op.offset(), source);
                        yield false;
                    }
                    case PUT_LONG -> {
                        simulated.putLong(op.offset(), op.length());
                        real.putLong(op.offset(), op.length());
                        yield false;
                    }
                };
                long start = op.offset();
                long length = op.kind() == Kind.PUT_LONG ? Long.BYTES : op.length();
                String context = op + " -> " + stores;

                // every byte of the destination stored exactly once, in ranges that tile it in order of address
                // or head, tail, then middle (the copier's order)
                long covered = stores.stream().mapToLong(Store::length).sum();
                assertEquals(length, covered, "every byte once: " + context);
                for (Store s : stores) {
                    assertTrue(s.offset() >= start && s.offset() + s.length() <= start + length, context);
                }
                boolean simulatedNonTemporal = stores.stream().anyMatch(Store::nonTemporal);
                long headEnd = Math.min(start + length, (start + 63) & -64);
                long tailStart = Math.max(headEnd, (start + length) & -64);
                boolean wholeLines = tailStart > headEnd;
                assertEquals(realNonTemporal && wholeLines, simulatedNonTemporal, "the same path: " + context);
                for (Store s : stores) {
                    if (s.nonTemporal()) {
                        assertEquals(headEnd, s.offset(), "streams from the first whole line: " + context);
                        assertEquals(tailStart - headEnd, s.length(), "to the last whole line: " + context);
                    } else if (realNonTemporal) {
                        assertTrue(s.offset() + s.length() <= headEnd || s.offset() >= tailStart,
                                "ordinary stores only in the partial head and tail lines: " + context);
                    }
                }
            }
            assertArrayEquals(real.segment().toArray(JAVA_BYTE), simulated.segment().toArray(JAVA_BYTE),
                    "the same bytes");
        } finally {
            if (before == null) {
                System.clearProperty("dax4j.nonTemporalThreshold");
            } else {
                System.setProperty("dax4j.nonTemporalThreshold", before);
            }
            Files.deleteIfExists(file);
        }
    }

    @Provide
    Arbitrary<Long> thresholds() {
        return Arbitraries.of(0L, 1L, 64L, 100L, 256L, 1024L, 5000L);
    }

    @Property(tries = 50)
    void conflictingFlagsAreRefusedByBothBeforeAnythingIsWritten(@ForAll("operations") List<Op> ops) {
        Set<PersistFlag> both = EnumSet.of(PersistFlag.TEMPORAL, PersistFlag.NON_TEMPORAL);
        PersistFlag[] flags = both.toArray(PersistFlag[]::new);
        try (Arena arena = Arena.ofConfined();
             DaxMapping simulated = DaxMapping.simulate("flags", arena.allocate(SIZE, 4096), Alignment.PAGE_4K,
                     Granularity.CACHE_LINE, new SimulatedSource.Observer() {
                         @Override
                         public void stored(long offset, long length, boolean nonTemporal) {
                             throw new AssertionError("stored before the flags were checked");
                         }

                         @Override
                         public void flushed(long offset, long length) {
                         }

                         @Override
                         public void drained() {
                         }
                     })) {
            Op op = ops.getFirst();
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> simulated.copy(op.offset(), MemorySegment.ofArray(new byte[op.length()]), flags));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> simulated.fill(op.offset(), op.length(), (byte) 1, flags));
        }
    }
}
