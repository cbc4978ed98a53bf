package io.github.dax4j;

/**
 * Sees every store, flush and fence made through the API of a {@linkplain io.github.dax4j.DaxMapping#simulate
 * simulated} mapping, in program order: what a crash simulator needs to know which bytes could be durable when.
 *
 * <p>Stores made through {@code DaxMapping}'s accessors ({@code putLong}, {@code putInt}, {@code putByte},
 * {@code write}, {@code copy}, {@code fill}, {@code move}, {@code putLongAtomic}) are reported one by one, after
 * the bytes are in memory. Raw writes to {@code segment()} are not: an observer that cares must find them itself,
 * e.g. by comparing memory with a shadow copy when {@link #flushed} or {@link #drained} is called.
 */
public interface PersistenceObserver {

    /** {@code [offset, offset + length)} was written; the new bytes are in the mapping's memory now. */
    void stored(long offset, long length, boolean nonTemporal);

    /** A flush of {@code [offset, offset + length)} was issued (durable after the next {@link #drained()}). */
    void flushed(long offset, long length);

    /** A fence: everything flushed before, and every non-temporal store, is durable now. */
    void drained();
}
