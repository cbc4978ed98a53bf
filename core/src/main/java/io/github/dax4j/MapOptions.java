package io.github.dax4j;

import io.github.dax4j.persist.PersistMechanism;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to map a source: which bytes, at what alignment, how strictly, and what to do when {@code MAP_SYNC} is
 * refused. Immutable; every method that takes an argument returns a new instance.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(64L << 20)   // map exactly 64 MiB
 *         .offset(2L << 20)                            // starting 2 MiB into the source
 *         .alignment(Alignment.HUGE_2M)                // offset, length and address multiples of 2 MiB
 *         .strict(true)                                // refuse a file that cannot fault at 2 MiB
 *         .prefault()                                  // take every page fault now, not on first touch
 *         .exclusive();                                // refuse a source another open already holds
 * }</pre>
 *
 * <p>Defaults: the whole existing source from offset 0, never created, read-write, {@link SyncMode#REQUIRE}, the
 * source's {@linkplain Source#naturalAlignment() natural alignment}, strict for device-DAX and lenient for files,
 * faults on first touch, no lock.
 */
public final class MapOptions {

    private static final long WHOLE_SOURCE = -1;
    private static final MapOptions WHOLE = new MapOptions(0, WHOLE_SOURCE, false, SyncMode.REQUIRE, null, null,
            false, false, false, null, -1);

    private final long offset;
    private final long length;
    private final boolean createIfAbsent;
    private final SyncMode syncMode;
    private final Alignment alignment;
    private final Boolean strict;
    private final boolean prefault;
    private final boolean exclusive;
    private final boolean readOnly;
    private final PersistMechanism persistMechanism;
    private final long nonTemporalThreshold;

    private MapOptions(long offset, long length, boolean createIfAbsent, SyncMode syncMode, Alignment alignment,
                       Boolean strict, boolean prefault, boolean exclusive, boolean readOnly,
                       PersistMechanism persistMechanism, long nonTemporalThreshold) {
        this.offset = offset;
        this.length = length;
        this.createIfAbsent = createIfAbsent;
        this.syncMode = syncMode;
        this.alignment = alignment;
        this.strict = strict;
        this.prefault = prefault;
        this.exclusive = exclusive;
        this.readOnly = readOnly;
        this.persistMechanism = persistMechanism;
        this.nonTemporalThreshold = nonTemporalThreshold;
    }

    /** {@return options that map the whole of an existing source (from {@link #offset()} to its end)} */
    public static MapOptions wholeSource() {
        return WHOLE;
    }

    /**
     * {@return options that map exactly {@code length} bytes, from offset 0 unless {@link #offset(long)} says
     * otherwise}
     *
     * @throws IllegalArgumentException if {@code length <= 0}
     */
    public static MapOptions ofLength(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length must be positive: " + length);
        }
        return new MapOptions(0, length, false, SyncMode.REQUIRE, null, null, false, false, false, null, -1);
    }

    /**
     * {@return these options, starting the mapping {@code offset} bytes into the source} The offset must be a
     * multiple of the alignment; {@link DaxMapping#open} checks that.
     *
     * @throws IllegalArgumentException if {@code offset < 0}
     */
    public MapOptions offset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("mapping offset must not be negative: " + offset);
        }
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, plus: create the source as a file of exactly {@link #offset()} + {@link #length()}
     * bytes when it does not exist} An existing source is used as it is, never grown or shrunk. A created file has
     * mode {@code 0600} and its blocks allocated up front.
     *
     * @throws IllegalStateException if these options map the {@linkplain #wholeSource() whole source}, which has no
     *                               size to create
     */
    public MapOptions createIfAbsent() {
        if (length == WHOLE_SOURCE) {
            throw new IllegalStateException("createIfAbsent() needs a length: use MapOptions.ofLength(bytes)");
        }
        return new MapOptions(offset, length, true, syncMode, alignment, strict,
                prefault, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /** {@return these options with {@code syncMode}} */
    public MapOptions syncMode(SyncMode syncMode) {
        Objects.requireNonNull(syncMode, "syncMode");
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /** {@return these options with the mapping's offset, length and address multiples of {@code alignment}} */
    public MapOptions alignment(Alignment alignment) {
        Objects.requireNonNull(alignment, "alignment");
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, strict or not} A strict mapping refuses a source whose backing cannot fault at the
     * mapping's alignment (e.g. a 2 MiB alignment on a tmpfs without {@code huge=}): what you configure is what
     * the hardware does. Device-DAX is always strict.
     */
    public MapOptions strict(boolean strict) {
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, plus: take every page fault when the mapping is opened}
     * ({@code MADV_POPULATE_WRITE}, or {@code MADV_POPULATE_READ} for a read-only mapping, on Linux 5.14+; a
     * touch of every page before), so that a persistence engine pays no fault on its hot path and learns at open,
     * not with a {@code SIGBUS} later, that hugetlbfs has too few huge pages.
     */
    public MapOptions prefault() {
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                true, exclusive, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, plus: hold an open-file-description lock on the source for the mapping's life} A
     * write lock, or a read lock for a read-only mapping: any number of read-only mappings may share a source, a
     * read-write one excludes all others. A source locked by another open fails with
     * {@link SourceInUseException}. Advisory: only opens that ask for the lock are excluded.
     */
    public MapOptions exclusive() {
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, true, readOnly, persistMechanism, nonTemporalThreshold);
    }

    /** {@return these options, plus: map read-only ({@code O_RDONLY}, {@code PROT_READ}, a read-only segment)} */
    public MapOptions readOnly() {
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict,
                prefault, exclusive, true, persistMechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, asking for {@code mechanism} instead of the automatic choice} Takes precedence over
     * the system property {@code dax4j.persist}. Refused at open where it cannot work ({@code MSYNC} on device-DAX,
     * an instruction the CPU lacks); see {@link io.github.dax4j.persist.MechanismSelector}.
     */
    public MapOptions persistMechanism(PersistMechanism mechanism) {
        Objects.requireNonNull(mechanism, "mechanism");
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict, prefault, exclusive,
                readOnly, mechanism, nonTemporalThreshold);
    }

    /**
     * {@return these options, with persistent copies and fills of {@code bytes} or more using non-temporal stores}
     * Default: the system property {@code dax4j.nonTemporalThreshold}, else 256 (libpmem2's).
     *
     * @throws IllegalArgumentException if {@code bytes < 0}
     */
    public MapOptions nonTemporalThreshold(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("non-temporal threshold must not be negative: " + bytes);
        }
        return new MapOptions(offset, length, createIfAbsent, syncMode, alignment, strict, prefault, exclusive,
                readOnly, persistMechanism, bytes);
    }

    /** {@return the persist mechanism asked for, or empty for the automatic choice} */
    public Optional<PersistMechanism> persistMechanism() {
        return Optional.ofNullable(persistMechanism);
    }

    /** {@return the non-temporal threshold asked for, or empty for the default} */
    public OptionalLong nonTemporalThreshold() {
        return nonTemporalThreshold < 0 ? OptionalLong.empty() : OptionalLong.of(nonTemporalThreshold);
    }

    /** {@return the offset into the source where the mapping starts} */
    public long offset() {
        return offset;
    }

    /** {@return the number of bytes to map, or empty for everything from the offset to the source's end} */
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

    /** {@return the alignment asked for, or empty for the source's natural alignment} */
    public Optional<Alignment> alignment() {
        return Optional.ofNullable(alignment);
    }

    /** {@return whether strictness was asked for, or empty for the default: strict for device-DAX only} */
    public Optional<Boolean> strict() {
        return Optional.ofNullable(strict);
    }

    /** {@return whether every page is faulted in when the mapping is opened} */
    public boolean isPrefault() {
        return prefault;
    }

    /** {@return whether the source is locked for the mapping's life} */
    public boolean isExclusive() {
        return exclusive;
    }

    /** {@return whether the mapping is read-only} */
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions other && offset == other.offset && length == other.length
                && createIfAbsent == other.createIfAbsent && syncMode == other.syncMode
                && alignment == other.alignment && Objects.equals(strict, other.strict) && prefault == other.prefault
                && exclusive == other.exclusive && readOnly == other.readOnly
                && persistMechanism == other.persistMechanism && nonTemporalThreshold == other.nonTemporalThreshold;
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, length, createIfAbsent, syncMode, alignment, strict, prefault, exclusive, readOnly,
                persistMechanism, nonTemporalThreshold);
    }

    @Override
    public String toString() {
        return "MapOptions[offset=" + offset + ", length=" + (length == WHOLE_SOURCE ? "whole source" : length)
                + ", createIfAbsent=" + createIfAbsent + ", syncMode=" + syncMode
                + ", alignment=" + (alignment == null ? "natural" : alignment)
                + ", strict=" + (strict == null ? "default" : strict) + ", prefault=" + prefault
                + ", exclusive=" + exclusive + ", readOnly=" + readOnly
                + ", persistMechanism=" + (persistMechanism == null ? "automatic" : persistMechanism)
                + ", nonTemporalThreshold=" + (nonTemporalThreshold < 0 ? "default" : nonTemporalThreshold) + "]";
    }
}
