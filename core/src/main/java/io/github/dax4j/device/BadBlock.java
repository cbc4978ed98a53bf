package io.github.dax4j.device;

/**
 * A run of known media errors, in bytes of a device-DAX instance or of a mapping: reading it raises a machine
 * check ({@code SIGBUS}, {@code MemoryFaultException} in dax4j's own code), and only writing the whole run (after
 * the platform has cleared it) makes it usable again.
 *
 * <p>The kernel lists them per libnvdimm region in {@code badblocks}, as {@code sector count} lines in 512-byte
 * sectors from the region's start; a run here is that list placed in the instance and cut to it, so offset and
 * length are multiples of 512.
 *
 * @param offset the first bad byte, from the start of the instance or mapping
 * @param length the bad bytes from there, positive
 */
public record BadBlock(long offset, long length) {

    /** @throws IllegalArgumentException if {@code offset < 0} or {@code length <= 0} */
    public BadBlock {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("a bad block needs offset >= 0 and length > 0: " + offset + ", "
                    + length);
        }
    }

    /** {@return the first byte past the run} */
    public long end() {
        return offset + length;
    }

    @Override
    public String toString() {
        return "[" + offset + ", " + end() + ")";
    }
}
