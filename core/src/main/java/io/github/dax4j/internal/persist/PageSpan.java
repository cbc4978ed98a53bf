package io.github.dax4j.internal.persist;

/**
 * The page-aligned span that covers a byte range: what {@code msync} must be given to write back
 * {@code [offset, offset + length)}.
 *
 * <p>Invariants, for {@code length > 0} and a power-of-two {@code pageSize}: {@code offset()} is a multiple of the
 * page size and not above the range's start; {@code offset() + length()} is the first page boundary at or after the
 * range's end. So the span covers the range, exceeds it by less than a page on each side, and stays inside any
 * page-aligned mapping that holds the range. An empty range gives an empty span.
 *
 * @param offset the first byte of the span, a multiple of the page size
 * @param length the bytes in the span, a multiple of the page size
 */
public record PageSpan(long offset, long length) {

    /**
     * {@return the smallest page-aligned span covering {@code [offset, offset + length)}}
     *
     * @param pageSize a power of two
     * @throws IllegalArgumentException if {@code offset} or {@code length} is negative, or {@code pageSize} is not a
     *                                  power of two
     */
    public static PageSpan covering(long offset, long length, long pageSize) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
        }
        if (Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size is not a power of two: " + pageSize);
        }
        if (length == 0) {
            return new PageSpan(offset & -pageSize, 0);
        }
        long start = offset & -pageSize;
        long end = (offset + length + pageSize - 1) & -pageSize;
        return new PageSpan(start, end - start);
    }
}
