package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A simulated device takes the caller's memory as it is: its scope, its confinement, its placement. It never
 * widens what the caller had (no restricted method runs on it), so a module without native access cannot use it to
 * reach freed or read-only memory.
 */
class SimulatedDeviceTest {

    private static final SimulatedSource.Observer NOTHING = new SimulatedSource.Observer() {
        @Override
        public void stored(long offset, long length, boolean nonTemporal) {
        }

        @Override
        public void flushed(long offset, long length) {
        }

        @Override
        public void drained() {
        }
    };

    @Test
    void itIsTheCallersSegmentSoClosingTheCallersArenaEndsItCleanly() {
        Arena arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(8192, 4096);
        try (DaxMapping device = DaxMapping.simulate("sim", memory, Alignment.PAGE_4K, Granularity.CACHE_LINE,
                NOTHING)) {
            assertSame(memory, device.segment());
            device.putLong(64, 7L);
            assertEquals(7L, memory.get(JAVA_LONG, 64));
            arena.close();
            assertThrows(IllegalStateException.class, () -> device.putLong(64, 8L), "freed memory is not written");
            assertThrows(IllegalStateException.class, () -> device.getLong(64));
        }
    }

    @Test
    void theCallersConfinementHolds() throws Exception {
        try (Arena arena = Arena.ofConfined();
             DaxMapping device = DaxMapping.simulate("sim", arena.allocate(4096, 4096), Alignment.PAGE_4K,
                     Granularity.CACHE_LINE, NOTHING)) {
            Throwable[] seen = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    device.putLong(0, 1L);
                } catch (Throwable t) {
                    seen[0] = t;
                }
            });
            other.join();
            assertTrue(seen[0] instanceof WrongThreadException, String.valueOf(seen[0]));
        }
    }

    @Test
    void readOnlyOrMisplacedMemoryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(3 * 4096, 4096);
            IllegalArgumentException readOnly = assertThrows(IllegalArgumentException.class,
                    () -> DaxMapping.simulate("sim", page.asSlice(0, 4096).asReadOnly(), Alignment.PAGE_4K,
                            Granularity.CACHE_LINE, NOTHING));
            assertTrue(readOnly.getMessage().contains("writable"), readOnly.getMessage());
            // a real mapping starts on its alignment; memory 8 bytes off would split copies differently
            assertThrows(IllegalArgumentException.class, () -> DaxMapping.simulate("sim", page.asSlice(8, 4096),
                    Alignment.PAGE_4K, Granularity.CACHE_LINE, NOTHING));
            MemorySegment twoPages = page.asSlice(0, 2 * 4096);
            assertThrows(IllegalArgumentException.class, () -> DaxMapping.simulate("sim", twoPages,
                    Alignment.HUGE_2M, Granularity.CACHE_LINE, NOTHING), "not 2 MiB long nor placed");
            assertThrows(IllegalArgumentException.class, () -> DaxMapping.simulate("sim",
                    MemorySegment.ofArray(new byte[4096]), Alignment.PAGE_4K, Granularity.CACHE_LINE, NOTHING));
        }
    }
}
