package io.github.dax4j.layout;

/**
 * A region as its directory entry records it.
 *
 * @param name              the region's name, at most 40 bytes of UTF-8
 * @param offset            where element 0 starts, from the start of the mapping
 * @param count             the number of elements
 * @param stride            the distance between elements: the element size, or that rounded up to 64 bytes when
 *                          {@code cacheLineIsolated}
 * @param elementSize       the size of the element layout
 * @param alignment         the alignment the region's offset is a multiple of
 * @param cacheLineIsolated whether every element starts on its own cache line and shares none
 * @param layout            the element layout in canonical form, e.g. {@code struct(long key, long value)}: what
 *                          a region must be opened with (the directory checks it against the 128-bit signature
 *                          stored beside it)
 */
public record RegionInfo(String name, long offset, long count, long stride, long elementSize, long alignment,
                         boolean cacheLineIsolated, String layout) {

    /** {@return the bytes the region spans: {@code count * stride}} */
    public long byteSize() {
        return count * stride;
    }
}
