package io.github.dax4j;

import java.nio.file.Path;

/**
 * An in-memory device for crash simulation ({@link DaxMapping#simulate}): no file, no kernel, no cache flush; its
 * persist calls go to a {@link Observer}.
 *
 * @param name      a name for messages, e.g. {@code wal}
 * @param size      the bytes of the device
 * @param alignment the alignment it behaves as if configured with
 */
public record SimulatedSource(String name, long size, Alignment alignment) implements Source {

    @Override
    public Path path() {
        return Path.of("simulated:" + name);
    }

    @Override
    public Path realPath() {
        return path();
    }

    @Override
    public long faultSize() {
        return alignment.bytes();
    }

    @Override
    public Alignment naturalAlignment() {
        return alignment;
    }

    /**
     * Sees every store, flush and fence made through the API of a {@linkplain DaxMapping#simulate simulated}
     * mapping, in program order: what a crash simulator needs to know which bytes could be durable when.
     *
     * <p>Stores made through the mapping's methods ({@code putLong}, {@code putInt}, {@code putByte},
     * {@code write}, {@code copy}, {@code fill}, {@code move}, {@code putLongAtomic}) are reported one by one,
     * after the bytes are in memory, as ordinary or non-temporal exactly as a real mapping executes them. Raw
     * writes to {@code segment()} are not: an observer that cares must find them itself, e.g. by comparing memory
     * with a shadow copy when {@link #flushed} or {@link #drained} is called.
     */
    public interface Observer {

        /** {@code [offset, offset + length)} was written; the new bytes are in the mapping's memory now. */
        void stored(long offset, long length, boolean nonTemporal);

        /** A flush of {@code [offset, offset + length)} was issued; durable after the next {@link #drained()}. */
        void flushed(long offset, long length);

        /** A fence: everything flushed before, and every non-temporal store, is durable now. */
        void drained();
    }
}
