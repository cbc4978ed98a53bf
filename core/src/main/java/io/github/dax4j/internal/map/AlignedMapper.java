package io.github.dax4j.internal.map;

import io.github.dax4j.internal.posix.Errno;
import io.github.dax4j.internal.posix.ErrnoException;
import io.github.dax4j.internal.posix.Libc;

import java.nio.file.FileSystemException;

/**
 * Maps a source at an address that is a multiple of its alignment (see {@link Placement}), or not at all: on any
 * failure the reservation is released whole, so nothing is left in the address space.
 */
public final class AlignedMapper {

    private AlignedMapper() {
    }

    /**
     * {@return the address of a new mapping of {@code [offset, offset + length)} of {@code fd}, a multiple of
     * {@code alignment}}
     *
     * @throws ErrnoException if reserving or mapping fails; nothing stays mapped
     */
    public static long map(int fd, long offset, long length, long alignment, int prot, int flags, String name)
            throws FileSystemException {
        return place(fd, offset, length, alignment, prot, flags, name).address();
    }

    /** {@link #map}, returning the whole placement: where the reservation was, and where the mapping went. */
    public static Placement place(int fd, long offset, long length, long alignment, int prot, int flags, String name)
            throws FileSystemException {
        if (alignment <= Libc.pageSize()) {
            long address = Libc.mmap(0, length, prot, flags, fd, offset, name);
            return new Placement(address, length, address, length);
        }
        if (length > Long.MAX_VALUE - alignment) {
            // what mmap itself says of a length no address space holds, as it does for the unreserved ones above
            throw new ErrnoException(name, "mmap(0x0, " + length + " + " + alignment + ", PROT_NONE, MAP_PRIVATE|"
                    + "MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) (address space reservation)", Errno.ENOMEM, "ENOMEM",
                    "Cannot allocate memory: no address space holds " + length + " bytes plus an alignment of "
                    + alignment);
        }
        long reservationLength = Placement.reservationLength(length, alignment);
        long reservation = Libc.mmap(0, reservationLength, Libc.PROT_NONE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0, "(address space reservation)");
        Placement placement = Placement.inside(reservation, reservationLength, length, alignment);
        try {
            Libc.mmap(placement.address(), length, prot, flags | Libc.MAP_FIXED, fd, offset, name);
            if (placement.headSlack() > 0) {
                Libc.munmap(reservation, placement.headSlack());
            }
            if (placement.tailSlack() > 0) {
                Libc.munmap(placement.address() + length, placement.tailSlack());
            }
            return placement;
        } catch (FileSystemException | RuntimeException | Error e) {
            try {
                Libc.munmap(reservation, reservationLength); // whatever of it is still mapped, the source included
            } catch (FileSystemException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
