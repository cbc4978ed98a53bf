package io.github.dax4j;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link DaxMapping#persist} on a real mapping: every range inside the mapping persists (the page-rounded
 * {@code msync} never reaches past the mapping, which the kernel would answer with {@code ENOMEM}), and every range
 * outside it is refused before any native call.
 */
class DaxMappingPersistProperties {

    private static final long PAGES = 37; // odd, so rounding up at the end is exercised against the real end
    private static final long SIZE = PAGES * 4096;

    private static Path device;
    private static DaxMapping pmem;

    @BeforeContainer
    static void map() throws IOException {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-persist-", ".img");
        Files.delete(device);
        pmem = DaxMapping.open(device, MapOptions.ofLength(SIZE).createIfAbsent().emulateMapSync());
    }

    @AfterContainer
    static void unmap() throws IOException {
        pmem.close();
        Files.deleteIfExists(device);
    }

    @Property(tries = 500)
    void everyRangeInsideTheMappingPersists(@ForAll @LongRange(min = 0, max = SIZE) long offset,
                                            @ForAll @LongRange(min = 0, max = SIZE) long length) {
        long inside = Math.min(length, SIZE - offset);
        if (inside > 0) {
            pmem.segment().set(JAVA_BYTE, offset, (byte) offset);
        }
        pmem.persist(offset, inside);
        if (inside > 0) {
            assertEquals((byte) offset, pmem.segment().get(JAVA_BYTE, offset));
        }
    }

    @Property(tries = 500)
    void everyRangeReachingPastTheEndIsRefused(@ForAll @LongRange(min = 0, max = SIZE) long offset,
                                               @ForAll @LongRange(min = 1, max = Long.MAX_VALUE / 2) long beyond) {
        long length = SIZE - offset + beyond;
        assertThrows(IndexOutOfBoundsException.class, () -> pmem.persist(offset, length));
    }
}
