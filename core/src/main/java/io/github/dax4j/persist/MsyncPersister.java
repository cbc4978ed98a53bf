package io.github.dax4j.persist;

import io.github.dax4j.internal.posix.Libc;

import java.lang.foreign.MemorySegment;

/**
 * Makes ranges of a mapping durable with {@code msync(MS_SYNC)}, the mechanism of mappings without {@code MAP_SYNC}.
 *
 * <p>{@code msync} works on whole pages, so each range is widened to the {@link PageSpan} that covers it; the span
 * never leaves the mapping when the mapping is page-aligned and a multiple of the page size long, which every
 * dax4j mapping is. Stateless and thread-safe.
 */
public final class MsyncPersister {

    private final long pageSize;

    public MsyncPersister(long pageSize) {
        this.pageSize = pageSize;
    }

    /** {@return a persister for the machine's base page size} */
    public static MsyncPersister forBasePages() {
        return new MsyncPersister(Libc.pageSize());
    }

    /**
     * Writes back {@code [offset, offset + length)} of {@code mapping} and waits until it is durable.
     *
     * @param mapping the whole mapping, page-aligned and a multiple of the page size long
     * @throws IndexOutOfBoundsException if the range is not inside {@code mapping}
     * @throws IllegalStateException if the mapping's arena is closed
     * @throws io.github.dax4j.ErrnoException if {@code msync} fails
     */
    public void persist(MemorySegment mapping, long offset, long length) {
        PageSpan span = PageSpan.covering(offset, length, pageSize);
        if (span.length() == 0) {
            return;
        }
        Libc.msync(mapping.asSlice(span.offset(), span.length()), Libc.MS_SYNC);
    }
}
