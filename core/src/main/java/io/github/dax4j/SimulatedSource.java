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
     *
     * <p>Loads made through the mapping's methods ({@code getLong}, {@code getInt}, {@code getByte},
     * {@code getLongAtomic}, {@code read}, {@code crc32cMatches}, and the source of a {@code move}) are reported
     * before they read, so that a
     * crash simulator can decide what those bytes hold only when they are read, and only as finely as the reader
     * can tell (Jaaru's lazy exploration). Raw reads of {@code segment()} cannot be seen: {@link #exposed} says
     * when it was handed out.
     */
    public interface Observer {

        /** {@code [offset, offset + length)} was written; the new bytes are in the mapping's memory now. */
        void stored(long offset, long length, boolean nonTemporal);

        /** A flush of {@code [offset, offset + length)} was issued; durable after the next {@link #drained()}. */
        void flushed(long offset, long length);

        /** A fence: everything flushed before, and every non-temporal store, is durable now. */
        void drained();

        /**
         * {@code [offset, offset + length)} is about to be read through the mapping's methods: the observer may
         * still set those bytes. Nothing by default.
         */
        default void loading(long offset, long length) {
        }

        /**
         * The CRC32C of {@code [offset, offset + length)} is about to be compared with {@code expected}
         * ({@code crc32cMatches}), the only use the reader makes of those bytes in that call: the observer may still
         * set them, and need only tell apart contents that match from contents that do not. Nothing by default.
         */
        default void checking(long offset, long length, int expected) {
        }

        /**
         * {@code segment()} was handed out: from now on loads and stores may bypass the mapping's methods, unseen.
         * Nothing by default.
         */
        default void exposed() {
        }
    }
}
