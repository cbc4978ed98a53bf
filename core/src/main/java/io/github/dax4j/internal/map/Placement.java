package io.github.dax4j.internal.map;

/**
 * Where an aligned mapping goes inside a reservation of address space.
 *
 * <p>{@code mmap} only promises page alignment. To place a mapping of {@code length} bytes on a multiple of a
 * larger {@code alignment}, dax4j reserves {@code length + alignment} bytes of address space ({@code PROT_NONE},
 * anonymous, no memory behind it), maps the source with {@code MAP_FIXED} at the first aligned address inside, and
 * returns the slack before and after to the kernel.
 *
 * <p>Invariants: {@code address} is a multiple of the alignment; {@code reservation <= address};
 * {@code address + length <= reservation + reservationLength}; the head slack is less than the alignment; head
 * slack, length and tail slack add up to the reservation.
 *
 * @param reservation       the start of the reserved address space
 * @param reservationLength its length
 * @param address           the aligned address of the mapping
 * @param length            the mapping's length
 */
public record Placement(long reservation, long reservationLength, long address, long length) {

    /**
     * {@return how much address space to reserve for an aligned mapping of {@code length} bytes}
     *
     * @throws ArithmeticException if that does not fit in a {@code long}
     */
    static long reservationLength(long length, long alignment) {
        return Math.addExact(length, alignment);
    }

    /** {@return the placement of {@code length} bytes at the first multiple of {@code alignment} in the reservation} */
    static Placement inside(long reservation, long reservationLength, long length, long alignment) {
        long address = Math.addExact(reservation, alignment - 1) & -alignment;
        if (address + length > reservation + reservationLength) {
            throw new IllegalArgumentException("a reservation of " + reservationLength + " bytes at 0x"
                    + Long.toHexString(reservation) + " cannot hold " + length + " bytes aligned to " + alignment);
        }
        return new Placement(reservation, reservationLength, address, length);
    }

    /** {@return the bytes of the reservation before the mapping} */
    long headSlack() {
        return address - reservation;
    }

    /** {@return the bytes of the reservation after the mapping} */
    long tailSlack() {
        return reservation + reservationLength - (address + length);
    }
}
