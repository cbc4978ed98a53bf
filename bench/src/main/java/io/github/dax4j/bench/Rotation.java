package io.github.dax4j.bench;

/**
 * Walks ranges through a region larger than the last-level cache, wrapping to the start, so that each operation
 * meets memory the previous ones did not just warm.
 */
final class Rotation {

    private final long region;
    private final long step;
    private final long length;
    private long offset = -1;

    /** Ranges of {@code length} bytes, {@code step} bytes apart, inside {@code region} bytes. */
    Rotation(long region, long step, long length) {
        this.region = region;
        this.step = step;
        this.length = length;
    }

    /** {@return the offset of the next range} */
    long next() {
        offset = offset < 0 ? 0 : offset + step;
        if (offset + length > region) {
            offset = 0;
        }
        return offset;
    }
}
