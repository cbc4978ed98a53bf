package io.github.dax4j.internal.map;

import io.github.dax4j.*;
import io.github.dax4j.internal.posix.Libc;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Placing a mapping inside a reservation: when the source's own {@code mmap} fails, nothing stays reserved. */
class AlignedMapperTest {

    private static final long ALIGN = 2L << 20;
    private static final long LENGTH = 6L << 20;

    @Test
    void aFailedPlacementReleasesTheWholeReservation() throws Exception {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-placement-", ".img");
        int fd = -1;
        try {
            Files.write(file, new byte[(int) LENGTH]);
            fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            int readOnly = fd;
            // a shared writable mapping of a read-only descriptor: the reservation succeeds, MAP_FIXED gets EACCES
            java.nio.file.AccessDeniedException e = assertThrows(java.nio.file.AccessDeniedException.class,
                    () -> AlignedMapper.place(readOnly, 0, LENGTH, ALIGN,
                            Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, file.toString()));
            assertTrue(e.getReason().contains("failed: EACCES"), e.getMessage());
            Matcher fixed = Pattern.compile("mmap\\(0x([0-9a-f]+), " + LENGTH).matcher(e.getMessage());
            assertTrue(fixed.find(), "the failing call is the MAP_FIXED one, at an address: " + e.getMessage());
            long address = Long.parseUnsignedLong(fixed.group(1), 16);
            assertEquals(0, address % ALIGN, "it was placed on the alignment");
            // the reservation spanned [address - head slack, address + LENGTH + tail slack), within ALIGN either side
            assertEquals(List.of(), ProcMaps.linesOverlapping(address - ALIGN, address + LENGTH + ALIGN),
                    "nothing of the reservation is left around 0x" + Long.toHexString(address));
            assertEquals(List.of(), NativeResources.mappingsOf(file));
        } finally {
            if (fd >= 0) {
                Libc.close(fd);
            }
            Files.deleteIfExists(file);
        }
    }
}
