package io.github.dax4j;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to map a source: how many bytes, whether to create the source, and what to do when {@code MAP_SYNC} is
 * refused. Immutable; every {@code with}-style method returns a new instance.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(64L << 20)   // map exactly 64 MiB
 *         .createIfAbsent()                            // make a 64 MiB file when none exists
 *         .syncMode(SyncMode.EMULATE);                  // tmpfs is fine: fall back to msync
 * }</pre>
 *
 * <p>Defaults: the whole existing source, never created, {@link SyncMode#REQUIRE}.
 */
public final class MapOptions {

    private static final long WHOLE_SOURCE = -1;
    private static final MapOptions WHOLE = new MapOptions(WHOLE_SOURCE, false, SyncMode.REQUIRE);

    private final long length;
    private final boolean createIfAbsent;
    private final SyncMode syncMode;

    private MapOptions(long length, boolean createIfAbsent, SyncMode syncMode) {
        this.length = length;
        this.createIfAbsent = createIfAbsent;
        this.syncMode = syncMode;
    }

    /** {@return options that map the whole of an existing source} */
    public static MapOptions wholeSource() {
        return WHOLE;
    }

    /**
     * {@return options that map exactly {@code length} bytes from the start of the source}
     *
     * @throws IllegalArgumentException if {@code length <= 0}
     */
    public static MapOptions ofLength(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length must be positive: " + length);
        }
        return new MapOptions(length, false, SyncMode.REQUIRE);
    }

    /**
     * {@return these options, plus: create the source as a file of exactly {@link #length()} bytes when it does not
     * exist} An existing source is used as it is, never grown or shrunk.
     *
     * @throws IllegalStateException if these options map the {@linkplain #wholeSource() whole source}, which has no
     *                               size to create
     */
    public MapOptions createIfAbsent() {
        if (length == WHOLE_SOURCE) {
            throw new IllegalStateException("createIfAbsent() needs a length: use MapOptions.ofLength(bytes)");
        }
        return new MapOptions(length, true, syncMode);
    }

    /** {@return these options with {@code syncMode}} */
    public MapOptions syncMode(SyncMode syncMode) {
        return new MapOptions(length, createIfAbsent, Objects.requireNonNull(syncMode, "syncMode"));
    }

    /** {@return the number of bytes to map, or empty for the whole source} */
    public OptionalLong length() {
        return length == WHOLE_SOURCE ? OptionalLong.empty() : OptionalLong.of(length);
    }

    /** {@return whether a missing source is created} */
    public boolean isCreateIfAbsent() {
        return createIfAbsent;
    }

    /** {@return what happens when the kernel refuses {@code MAP_SYNC}} */
    public SyncMode syncMode() {
        return syncMode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions other && length == other.length && createIfAbsent == other.createIfAbsent
                && syncMode == other.syncMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(length, createIfAbsent, syncMode);
    }

    @Override
    public String toString() {
        return "MapOptions[length=" + (length == WHOLE_SOURCE ? "whole source" : length)
                + ", createIfAbsent=" + createIfAbsent + ", syncMode=" + syncMode + "]";
    }
}
