package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A mapping dropped without {@code close()} is released once neither it nor any segment of it can be reached, as
 * {@code FileChannel.map} releases its buffers; while a segment is still reachable, the memory stays mapped.
 */
class UnreachableMappingTest {

    @Test
    void fiftyForgottenMappingsAreReleasedAfterTheyBecomeUnreachable() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-leak-", ".img");
        try {
            Files.write(device, new byte[1 << 20]);
            List<DaxMapping> forgotten = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                forgotten.add(DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync()));
                forgotten.getLast().putLong(8 * i, i);
            }
            assertEquals(50, NativeResources.mappingsOf(device).size(), "all open before they are dropped");
            // the safety net's warnings, caught here instead of fifty lines on the build's console
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.github.dax4j");
            List<String> warned = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.logging.Handler capture = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord record) {
                    warned.add(record.getLevel() + " " + record.getMessage());
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            logger.addHandler(capture);
            logger.setUseParentHandlers(false);
            try {
                forgotten.clear();
                assertEquals(List.of(), awaitReleased(device), "descriptors and mappings left behind");
                assertEquals(50, warned.stream().filter(w -> w.startsWith("WARNING the mapping of " + device)
                        && w.contains("was never closed")).count(), "each forgotten mapping is named once: " + warned);
            } finally {
                logger.removeHandler(capture);
                logger.setUseParentHandlers(true);
            }
        } finally {
            Files.deleteIfExists(device);
        }
    }

    @Test
    void aReachableSegmentKeepsItsMemoryMapped() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-leak-", ".img");
        try {
            Files.write(device, new byte[1 << 20]);
            MemorySegment kept = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync()).segment();
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertFalse(NativeResources.mappingsOf(device).isEmpty(), "unmapped under a live segment");
            kept.set(JAVA_LONG, 0, 7L); // would crash the JVM if the Cleaner had unmapped it
            assertEquals(7L, kept.get(JAVA_LONG, 0));
        } finally {
            Files.deleteIfExists(device);
        }
    }

    /** {@return what is still open or mapped of {@code device} after collecting garbage for up to ten seconds} */
    private static List<String> awaitReleased(Path device) throws InterruptedException {
        List<String> left = List.of();
        for (int round = 0; round < 100 && !(left = stillHeld(device)).isEmpty(); round++) {
            System.gc();
            Thread.sleep(100);
        }
        return left;
    }

    private static List<String> stillHeld(Path device) {
        List<String> held = new java.util.ArrayList<>(NativeResources.mappingsOf(device));
        NativeResources.descriptorsOn(device).forEach(fd -> held.add(fd.toString()));
        return held;
    }
}
