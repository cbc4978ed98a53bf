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
 * @param signature         the element layout's signature, canonical form included
 */
public record RegionInfo(String name, long offset, long count, long stride, long elementSize, long alignment,
                         boolean cacheLineIsolated, LayoutSignature signature) {

    /** {@return the bytes the region spans: {@code count * stride}} */
    public long byteSize() {
        return count * stride;
    }
}
