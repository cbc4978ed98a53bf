package io.github.dax4j;

import io.github.dax4j.internal.persist.Mechanisms;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.Granularity;
import io.github.dax4j.PersistFlag;
import io.github.dax4j.PersistMechanism;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One contract, every mechanism: the same behaviour is required of MSYNC, CLWB, CLFLUSHOPT, CLFLUSH, FENCE_ONLY and
 * NONE, each asked for explicitly on an emulated device in tmpfs. (Whether stores survive power loss cannot be
 * observed here; what can be is that every operation writes exactly what it should, reports what it is, refuses
 * what it must, and never faults.)
 */
class PersistContractTest {

    private static final long SIZE = 1L << 20;

    abstract static class Contract {

        abstract PersistMechanism mechanism();

        Path device;
        DaxMapping pmem;

        @BeforeEach
        void map() throws IOException {
            assumeTrue(Mechanisms.instruction(mechanism()).isEmpty() || CpuStubs.get().map(s -> s.features()
                            .has(Mechanisms.instruction(mechanism()).get())).orElse(false),
                    "this CPU cannot run " + mechanism());
            device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-contract-", ".img");
            Files.delete(device);
            pmem = DaxMapping.open(device, MapOptions.ofLength(SIZE).createIfAbsent().emulateMapSync()
                    .persistMechanism(mechanism()).acceptNonDurableStores()); // FENCE_ONLY here: not durable
        }

        @AfterEach
        void unmap() throws IOException {
            if (pmem != null) {
                pmem.close();
            }
            if (device != null) {
                Files.deleteIfExists(device);
            }
        }

        @Test
        void reportsTheMechanismItUses() {
            assertEquals(mechanism(), pmem.persistMechanism());
            assertEquals(mechanism().granularity(), pmem.granularity());
            assertTrue(pmem.toString().contains("persist by " + mechanism()), pmem.toString());
        }

        @Test
        void persistedStoresAreThereAfterReopen() throws Exception {
            for (long at = 0; at < SIZE; at += 4096 + 8) {
                pmem.segment().set(JAVA_LONG, at & -8, at);
                pmem.persist(at & -8, 8);
            }
            pmem.close();
            try (DaxMapping again = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
                for (long at = 0; at < SIZE; at += 4096 + 8) {
                    assertEquals(at, again.segment().get(JAVA_LONG, at & -8));
                }
            }
        }

        @Test
        void flushesThenOneDrain() {
            for (long at = 0; at < 64 * 1024; at += 1000) {
                pmem.segment().set(JAVA_BYTE, at, (byte) at);
                pmem.flush(at, 1);
            }
            pmem.drain();
            pmem.flush(SIZE, 0);
            pmem.persist(0, 0);
            pmem.persist(0, SIZE);
            assertEquals((byte) 3000, pmem.segment().get(JAVA_BYTE, 3000));
        }

        @Test
        void copyFillAndMoveWriteExactlyTheirRanges() {
            byte[] source = new byte[10_000];
            new java.util.SplittableRandom(7).nextBytes(source);
            pmem.fill(0, 20_000, (byte) 0x7f);
            pmem.copy(13, MemorySegment.ofArray(source));
            assertArrayEquals(source, pmem.segment().asSlice(13, source.length).toArray(JAVA_BYTE));
            assertEquals((byte) 0x7f, pmem.segment().get(JAVA_BYTE, 12));
            assertEquals((byte) 0x7f, pmem.segment().get(JAVA_BYTE, 13 + source.length));

            pmem.move(13, 113, source.length); // overlapping, forwards
            assertArrayEquals(source, pmem.segment().asSlice(113, source.length).toArray(JAVA_BYTE));
            pmem.fill(5, 3, (byte) 1, PersistFlag.TEMPORAL);
            pmem.fill(4096, 8192, (byte) 2, PersistFlag.NON_TEMPORAL, PersistFlag.NO_DRAIN);
            pmem.drain();
            assertEquals((byte) 2, pmem.segment().get(JAVA_BYTE, 4096 + 8191));
            assertEquals((byte) 1, pmem.segment().get(JAVA_BYTE, 7));
        }

        @Test
        void atomicLongsAreAlignedAndPersisted() {
            pmem.putLongAtomicAndPersist(64, 0x0123456789abcdefL);
            assertEquals(0x0123456789abcdefL, pmem.getLongAtomic(64));
            assertThrows(IllegalArgumentException.class, () -> pmem.putLongAtomic(60, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> pmem.putLongAtomic(SIZE, 1));
        }

        @Test
        void conflictingFlagsAndOutOfRangeCopiesAreRefused() {
            assertThrows(IllegalArgumentException.class,
                    () -> pmem.fill(0, 64, (byte) 0, PersistFlag.TEMPORAL, PersistFlag.NON_TEMPORAL));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> pmem.copy(SIZE - 4, MemorySegment.ofArray(new byte[8])));
            assertThrows(IndexOutOfBoundsException.class, () -> pmem.move(0, SIZE - 4, 8));
        }

        @Test
        void afterCloseEveryOperationFailsCleanly() {
            pmem.close();
            assertThrows(IllegalStateException.class, () -> pmem.persist(0, 64));
            assertThrows(IllegalStateException.class, () -> pmem.flush(0, 64));
            assertThrows(IllegalStateException.class, () -> pmem.drain());
            assertThrows(IllegalStateException.class, () -> pmem.fill(0, 64, (byte) 0));
            assertThrows(IllegalStateException.class, () -> pmem.copy(0, MemorySegment.ofArray(new byte[8])));
            assertThrows(IllegalStateException.class, () -> pmem.putLongAtomic(0, 1));
        }
    }

    @Nested
    class Msync extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.MSYNC;
        }

        @Test
        void isPageGranular() {
            assertEquals(Granularity.PAGE, pmem.granularity());
        }
    }

    @Nested
    class Clwb extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.CLWB;
        }
    }

    @Nested
    class Clflushopt extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.CLFLUSHOPT;
        }
    }

    @Nested
    class Clflush extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.CLFLUSH;
        }
    }

    @Nested
    class FenceOnly extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.FENCE_ONLY;
        }
    }

    @Nested
    class None extends Contract {
        @Override
        PersistMechanism mechanism() {
            return PersistMechanism.NONE;
        }
    }
}
