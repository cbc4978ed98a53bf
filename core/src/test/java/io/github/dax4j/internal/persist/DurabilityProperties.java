package io.github.dax4j.internal.persist;

import io.github.dax4j.*;
import io.github.dax4j.internal.cpu.CpuStubs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Persistent copy, fill and move against a reference: for every size class (below, at and above the non-temporal
 * threshold, around cache-line multiples), every destination and source alignment, every flag combination, and
 * every mechanism this machine runs, the destination holds exactly the reference and nothing around it changes.
 */
class DurabilityProperties {

    private static final int REGION = 1 << 18;
    private static Arena arena;
    private static MemorySegment memory;

    @BeforeContainer
    static void allocate() {
        arena = Arena.ofShared();
        memory = arena.allocate(REGION, 4096);
    }

    @AfterContainer
    static void free() {
        arena.close();
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, 7, 8, 63, 64, 65, 127, 128, 255, 256, 257, 511, 4095, 4096, 4097, 65_536 + 13),
                Arbitraries.integers().between(0, 100_000));
    }

    @Provide
    Arbitrary<PersistMechanism> mechanisms() {
        return Arbitraries.of(EnumSet.of(PersistMechanism.MSYNC, PersistMechanism.CLWB, PersistMechanism.CLFLUSHOPT,
                PersistMechanism.CLFLUSH, PersistMechanism.FENCE_ONLY, PersistMechanism.NONE).stream()
                .filter(m -> Mechanisms.instruction(m).isEmpty() || CpuStubs.get()
                        .map(s -> s.features().has(Mechanisms.instruction(m).get())).orElse(false))
                .toList());
    }

    @Provide
    Arbitrary<Set<PersistFlag>> flagSets() {
        return Arbitraries.of(PersistFlag.class).set().ofMaxSize(3)
                .filter(f -> !(f.contains(PersistFlag.TEMPORAL) && f.contains(PersistFlag.NON_TEMPORAL)));
    }

    private static Durability copier(PersistMechanism mechanism, int threshold) {
        Persister persister = mechanism == PersistMechanism.MSYNC ? new MsyncPersister(4096)
                : Persisters.forMechanism(mechanism);
        return new Durability(persister, threshold);
    }

    @Property(tries = 600)
    void copyWritesExactlyTheSource(@ForAll("mechanisms") PersistMechanism mechanism,
                                    @ForAll("sizes") int size,
                                    @ForAll @IntRange(min = 0, max = 127) int destination,
                                    @ForAll @IntRange(min = 0, max = 63) int sourceOffset,
                                    @ForAll("flagSets") Set<PersistFlag> flags,
                                    @ForAll @IntRange(min = 0, max = 512) int threshold,
                                    @ForAll boolean heapSource) {
        if (mechanism == PersistMechanism.MSYNC) {
            return; // msync needs a file mapping; the contract suite covers it
        }
        Durability copier = copier(mechanism, threshold);
        byte[] bytes = new byte[size + sourceOffset];
        new SplittableRandom(size * 131L + destination).nextBytes(bytes);
        MemorySegment source = heapSource ? MemorySegment.ofArray(bytes) : Arena.ofAuto().allocate(bytes.length + 1);
        if (!heapSource) {
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, source, 0, bytes.length);
        }
        byte[] before = memory.toArray(JAVA_BYTE);

        boolean nonTemporal = copier.copy(memory, destination, source.asSlice(sourceOffset, size),
                flags.toArray(PersistFlag[]::new));

        byte[] expected = before.clone();
        System.arraycopy(bytes, sourceOffset, expected, destination, size);
        assertArrayEquals(expected, memory.toArray(JAVA_BYTE));
        assertEquals(expectNonTemporal(copier, size, threshold, flags), nonTemporal, "the path taken");
    }

    /** Non-temporal where the CPU can, unless TEMPORAL; from the threshold on, or always with NON_TEMPORAL. */
    private static boolean expectNonTemporal(Durability copier, int size, int threshold, Set<PersistFlag> flags) {
        return copier.hasNonTemporalStores() && !flags.contains(PersistFlag.TEMPORAL)
                && (flags.contains(PersistFlag.NON_TEMPORAL) || size >= threshold);
    }

    @Property(tries = 400)
    void fillWritesExactlyTheValue(@ForAll("mechanisms") PersistMechanism mechanism,
                                   @ForAll("sizes") int size,
                                   @ForAll @IntRange(min = 0, max = 127) int destination,
                                   @ForAll byte value,
                                   @ForAll("flagSets") Set<PersistFlag> flags,
                                   @ForAll @IntRange(min = 0, max = 512) int threshold) {
        if (mechanism == PersistMechanism.MSYNC) {
            return;
        }
        byte[] before = memory.toArray(JAVA_BYTE);
        Durability copier = copier(mechanism, threshold);
        boolean nonTemporal = copier.fill(memory, destination, size, value, flags.toArray(PersistFlag[]::new));
        byte[] expected = before.clone();
        Arrays.fill(expected, destination, destination + size, value);
        assertArrayEquals(expected, memory.toArray(JAVA_BYTE));
        assertEquals(expectNonTemporal(copier, size, threshold, flags), nonTemporal, "the path taken");
    }

    @Property(tries = 400)
    void moveIsCorrectWhereRangesOverlap(@ForAll("mechanisms") PersistMechanism mechanism,
                                         @ForAll @IntRange(min = 0, max = 20_000) int size,
                                         @ForAll @IntRange(min = 0, max = 30_000) int from,
                                         @ForAll @IntRange(min = 0, max = 30_000) int to,
                                         @ForAll("flagSets") Set<PersistFlag> flags) {
        if (mechanism == PersistMechanism.MSYNC) {
            return;
        }
        byte[] random = new byte[REGION];
        new SplittableRandom(size + 31L * from + to).nextBytes(random);
        MemorySegment.copy(MemorySegment.ofArray(random), 0, memory, 0, REGION);
        Durability copier = copier(mechanism, 0);
        boolean nonTemporal = copier.move(memory, from, to, size, flags.toArray(PersistFlag[]::new));
        byte[] expected = random.clone();
        System.arraycopy(random, from, expected, to, size);
        assertArrayEquals(expected, memory.toArray(JAVA_BYTE));
        boolean overlap = size > 0 && from < to + size && to < from + size;
        assertEquals(expectNonTemporal(copier, size, 0, flags) && !overlap, nonTemporal, "the path taken");
    }

    @Property(tries = 10)
    void theNonTemporalPathExistsOnThisMachine(@ForAll("mechanisms") PersistMechanism mechanism) {
        boolean cpuSide = mechanism != PersistMechanism.MSYNC && mechanism != PersistMechanism.NONE;
        if (cpuSide && CpuStubs.get().isPresent()) {
            assertTrue(copier(mechanism, 0).hasNonTemporalStores(), mechanism + " copies non-temporally");
        }
    }
}
