package io.github.dax4j.internal.map;

import io.github.dax4j.*;
import io.github.dax4j.internal.posix.Libc;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reserve-and-place: the arithmetic of {@link Placement} over random reservations, and {@link AlignedMapper} on
 * the real address space: the result is aligned, the source is mapped exactly there, and neither the mapping nor
 * the reservation's slack outlives {@code munmap}.
 */
class PlacementProperties {

    @Provide
    Arbitrary<Long> alignments() {
        return Arbitraries.of(Alignment.PAGE_4K.bytes(), Alignment.HUGE_2M.bytes(), Alignment.HUGE_1G.bytes());
    }

    @Property(tries = 3000)
    void thePlacementIsAlignedAndInsideTheReservation(
            @ForAll("alignments") long alignment,
            @ForAll @LongRange(min = 1, max = 1L << 34) long pages,
            @ForAll @LongRange(min = 1, max = (1L << 46) / 4096) long reservationPage) {
        long length = pages * 4096;
        long reservation = reservationPage * 4096; // mmap returns page-aligned addresses below 2^47
        long reservationLength = Placement.reservationLength(length, alignment);
        Placement p = Placement.inside(reservation, reservationLength, length, alignment);
        assertEquals(0, p.address() % alignment, "aligned");
        assertTrue(p.address() >= reservation, "not before the reservation");
        assertTrue(p.address() + length <= reservation + reservationLength, "not past the reservation");
        assertTrue(p.headSlack() < alignment, "the first aligned address");
        assertEquals(reservationLength, p.headSlack() + length + p.tailSlack(), "slack and mapping fill it");
        assertTrue(p.tailSlack() >= 0);
    }

    private static Path file;
    private static int fd;
    private static final long FILE_BYTES = 8L << 20;

    @BeforeContainer
    static void createFile() throws IOException {
        file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-place-", ".img");
        Files.write(file, new byte[(int) FILE_BYTES]);
        fd = Libc.open(file.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
    }

    @AfterContainer
    static void deleteFile() throws IOException {
        Libc.close(fd);
        Files.delete(file);
    }

    @Property(tries = 200)
    void realMappingsAreAlignedAndLeaveNothingBehind(@ForAll("alignments") long alignment,
                                                     @ForAll @LongRange(min = 1, max = 2048) long pages)
                                                             throws Exception {
        long length = pages * 4096;
        Placement p = AlignedMapper.place(fd, 0, length, alignment, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_SHARED, file.toString());
        try {
            assertEquals(0, p.address() % alignment, "aligned to " + alignment);
            List<String> mapped = ProcMaps.linesOverlapping(p.address(), p.address() + length);
            assertEquals(1, mapped.size(), "exactly one mapping over the range: " + mapped);
            assertTrue(mapped.getFirst().startsWith(Long.toHexString(p.address()) + "-"
                    + Long.toHexString(p.address() + length) + " rw-s 00000000 "), mapped.getFirst());
            assertTrue(mapped.getFirst().endsWith(file.toString()), mapped.getFirst());
            // the reservation's slack went back to the kernel: no PROT_NONE reservation is left on either side
            List<String> slack = new ArrayList<>(ProcMaps.linesOverlapping(p.reservation(), p.address()));
            slack.addAll(ProcMaps.linesOverlapping(p.address() + length, p.reservation() + p.reservationLength()));
            assertEquals(List.of(), slack.stream().filter(line -> line.contains(" ---p 00000000 00:00 0")).toList(),
                    "reservation slack left mapped");
        } finally {
            Libc.munmap(p.address(), length);
        }
        assertEquals(List.of(), ProcMaps.linesOverlapping(p.address(), p.address() + length).stream()
                .filter(line -> line.endsWith(file.toString())).toList(), "unmapped");
    }
}
