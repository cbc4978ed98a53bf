package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.posix.ErrnoException;
import io.github.dax4j.internal.posix.Libc;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;

/**
 * {@link PersistMechanism#MSYNC}: {@code msync(MS_SYNC)} over the {@link PageSpan} covering each range. The span
 * never leaves a page-aligned mapping a whole number of pages long, which every dax4j mapping is. {@code msync}
 * waits for the write-back itself, so {@link #flush} is already durable and {@link #drain} has nothing to do.
 */
public final class MsyncPersister implements Persister {

    private static final MsyncPersister BASE_PAGES = new MsyncPersister(Libc.pageSize());

    private final long pageSize;

    MsyncPersister(long pageSize) {
        this.pageSize = pageSize;
    }

    /** {@return the persister for the machine's base page size} */
    public static MsyncPersister forBasePages() {
        return BASE_PAGES;
    }

    @Override
    public PersistMechanism mechanism() {
        return PersistMechanism.MSYNC;
    }

    /**
     * @throws UncheckedIOException wrapping the {@code FileSystemException} if {@code msync} fails (e.g.
     *                              {@code EIO} from write-back)
     */
    @Override
    public void flush(MemorySegment mapping, long offset, long length) {
        PageSpan span = PageSpan.covering(offset, length, pageSize);
        if (span.length() != 0) {
            try {
                Libc.msync(mapping.asSlice(span.offset(), span.length()), Libc.MS_SYNC);
            } catch (ErrnoException e) {
                // the memory path declares no checked exception, as MappedByteBuffer.force does not
                throw new UncheckedIOException(e.asPublic());
            } catch (FileSystemException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void drain() {
    }

    @Override
    public void persist(MemorySegment mapping, long offset, long length) {
        flush(mapping, offset, length);
    }
}
