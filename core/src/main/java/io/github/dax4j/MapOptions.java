package io.github.dax4j;

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
 * <p>Defaults: the whole existing source from offset 0, never created, read-write, {@code MAP_SYNC} required, the
 * source's {@linkplain Source#naturalAlignment() natural alignment}, not strict (device-DAX is strict by nature:
 * it faults at its {@code align}), faults on first touch, no lock, the automatic persist mechanism, refusing a
 * mechanism that would not make stores durable.
 *
 * <p>Two settings take their default from a system property where the options leave them unset; the property
 * is read at each {@link DaxMapping#open} and checked as the setter checks its argument:
 * <ul>
 *   <li>{@code -Ddax4j.persist=clwb} (any {@link PersistMechanism} name, case ignored) for
 *       {@link #persistMechanism(PersistMechanism)};</li>
 *   <li>{@code -Ddax4j.nonTemporalThreshold=bytes} for {@link #nonTemporalThreshold(long)}, else 256.</li>
 * </ul>
 *
 * <p>Every setter checks its argument and the combination at once, so options that exclude each other never
 * exist: each refusal is an {@link IllegalArgumentException}.
 */
public final class MapOptions {

    private static final long WHOLE_SOURCE = -1;
    private static final MapOptions WHOLE = new MapOptions(new Settings());

    /** The settings while one setter changes one of them; a {@code MapOptions} keeps its own copy, never shared. */
    private static final class Settings implements Cloneable {
        long offset;
        long length = WHOLE_SOURCE;
        boolean createIfAbsent;
        boolean emulateMapSync;
        Alignment alignment;
        boolean strict;
        boolean prefault;
        boolean exclusive;
        boolean readOnly;
        PersistMechanism persistMechanism;
        long nonTemporalThreshold = -1;
        boolean acceptNonDurableStores;
        boolean refuseBadBlocks;

        Settings copy() {
            try {
                return (Settings) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Settings settings;

    /** @throws IllegalArgumentException if the settings exclude each other: the one place that checks them */
    private MapOptions(Settings settings) {
        if (settings.createIfAbsent && settings.length == WHOLE_SOURCE) {
            throw new IllegalArgumentException("createIfAbsent() needs a length to create: use"
                    + " MapOptions.ofLength(bytes), not wholeSource()");
        }
        if (settings.createIfAbsent && settings.readOnly) {
            throw new IllegalArgumentException("createIfAbsent() and readOnly() exclude each other: a created"
                    + " source would be all zeros");
        }
        this.settings = settings;
    }

    private interface Change {
        void apply(Settings settings);
    }

    private MapOptions with(Change change) {
        Settings changed = settings.copy();
        change.apply(changed);
        return new MapOptions(changed);
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
        return WHOLE.with(s -> s.length = length);
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
        return with(s -> s.offset = offset);
    }

    /**
     * {@return these options, plus: create the source as a file of exactly {@link #offset()} + {@link #length()}
     * bytes when it does not exist} An existing source is used as it is, never grown or shrunk. A created file has
     * mode {@code 0600} and its blocks allocated up front.
     *
     * @throws IllegalArgumentException if these options map the {@linkplain #wholeSource() whole source}, which has
     *                                  no size to create, or are {@linkplain #readOnly() read-only}
     */
    public MapOptions createIfAbsent() {
        return with(s -> s.createIfAbsent = true);
    }

    /**
     * {@return these options, plus: where the kernel will not map the source synchronously, map it
     * {@code MAP_SHARED} and make stores durable with {@code msync(MS_SYNC)} over page-rounded ranges}
     *
     * <p>A synchronous mapping ({@code MAP_SHARED_VALIDATE|MAP_SYNC}) guarantees that the file system's metadata
     * for every page written through it is durable before the write fault returns, so that flushing CPU caches is
     * enough to make stores durable. Only DAX file systems and device-DAX offer it: tmpfs, hugetlbfs and ext4 or xfs
     * on a block device answer {@code EOPNOTSUPP}. Without this option such a source is refused with
     * {@link MapSyncUnavailableException}; with it, {@link DaxMapping#isSynchronous()} says which mapping it got.
     * Device-DAX is synchronous either way.
     */
    public MapOptions emulateMapSync() {
        return with(s -> s.emulateMapSync = true);
    }

    /** {@return these options with the mapping's offset, length and address multiples of {@code alignment}} */
    public MapOptions alignment(Alignment alignment) {
        Objects.requireNonNull(alignment, "alignment");
        return with(s -> s.alignment = alignment);
    }

    /**
     * {@return these options, strict or not} A strict mapping refuses a source whose backing cannot fault at the
     * mapping's alignment (e.g. a 2 MiB alignment on a tmpfs without {@code huge=}): what you configure is what
     * the hardware does. Device-DAX is strict whatever this says: it faults at its {@code align} only.
     */
    public MapOptions strict(boolean strict) {
        return with(s -> s.strict = strict);
    }

    /**
     * {@return these options, plus: take every page fault when the mapping is opened}
     * ({@code MADV_POPULATE_WRITE}, or {@code MADV_POPULATE_READ} for a read-only mapping, on Linux 5.14+; a
     * touch of every page before), so that a persistence engine pays no fault on its hot path and learns at open,
     * not with a {@code SIGBUS} later, that hugetlbfs has too few huge pages.
     */
    public MapOptions prefault() {
        return with(s -> s.prefault = true);
    }

    /**
     * {@return these options, plus: hold an open-file-description lock on the source for the mapping's life} A
     * write lock, or a read lock for a read-only mapping: any number of read-only mappings may share a source, a
     * read-write one excludes all others. A source locked by another open fails with
     * {@link SourceInUseException}. Advisory: only opens that ask for the lock are excluded.
     */
    public MapOptions exclusive() {
        return with(s -> s.exclusive = true);
    }

    /**
     * {@return these options, plus: map read-only ({@code O_RDONLY}, {@code PROT_READ}, a read-only segment)}
     * Every dax4j method that would write or persist then throws {@link java.nio.ReadOnlyBufferException}.
     *
     * @throws IllegalArgumentException if these options {@linkplain #createIfAbsent() create} the source
     */
    public MapOptions readOnly() {
        return with(s -> s.readOnly = true);
    }

    /**
     * {@return these options, asking for {@code mechanism} instead of the automatic choice} Takes precedence over
     * the system property {@code dax4j.persist}. Refused at open where it cannot work: {@code MSYNC} on device-DAX,
     * an instruction the CPU lacks, and {@code FENCE_ONLY} where the CPU caches are not persistent (unless
     * {@link #acceptNonDurableStores()}).
     */
    public MapOptions persistMechanism(PersistMechanism mechanism) {
        Objects.requireNonNull(mechanism, "mechanism");
        if (mechanism == PersistMechanism.SIMULATED_CACHE_LINE || mechanism == PersistMechanism.SIMULATED_BYTE) {
            throw new IllegalArgumentException(mechanism + " belongs to DaxMapping.simulate, not to a mapping of a"
                    + " source");
        }
        return with(s -> s.persistMechanism = mechanism);
    }

    /**
     * {@return these options, plus: accept a persist mechanism that does not make stores durable on this source}
     * That is {@code FENCE_ONLY} asked for without eADR (for measuring what eADR would cost), {@code NONE} asked
     * for, and volatile device-DAX ({@link io.github.dax4j.device.PersistenceDomain#NONE}: CXL RAM, {@code hmem}),
     * whose persist calls are then no-ops rather than {@link VolatileMemoryException}s. The mapping's
     * {@link DaxMapping#persistMechanismReason()} then says that stores are not durable.
     */
    public MapOptions acceptNonDurableStores() {
        return with(s -> s.acceptNonDurableStores = true);
    }

    /**
     * {@return these options, plus: refuse to map a range of a device-DAX instance that covers known media errors}
     * Checked at open against the region's {@code badblocks} ({@link DaxMapping#badBlocks()} tells what a mapping
     * covers): such a range fails with {@link BadBlockException}; where the bad blocks cannot be placed (they need
     * root's view of physical addresses) the open fails with {@link java.nio.file.AccessDeniedException}, since
     * "no bad blocks" cannot be claimed. Files and simulated devices have no list to check: a file system on
     * persistent memory refuses its own bad blocks with {@code EIO}.
     */
    public MapOptions refuseBadBlocks() {
        return with(s -> s.refuseBadBlocks = true);
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
        return with(s -> s.nonTemporalThreshold = bytes);
    }

    /** {@return the persist mechanism asked for, or empty for the default (the property, else automatic)} */
    public Optional<PersistMechanism> persistMechanism() {
        return Optional.ofNullable(settings.persistMechanism);
    }

    /** {@return the non-temporal threshold asked for, or empty for the default (the property, else 256)} */
    public OptionalLong nonTemporalThreshold() {
        long bytes = settings.nonTemporalThreshold;
        return bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
    }

    /** {@return whether a mechanism that does not make stores durable here is accepted} */
    public boolean isAcceptingNonDurableStores() {
        return settings.acceptNonDurableStores;
    }

    /** {@return the offset into the source where the mapping starts} */
    public long offset() {
        return settings.offset;
    }

    /** {@return the number of bytes to map, or empty for everything from the offset to the source's end} */
    public OptionalLong length() {
        return settings.length == WHOLE_SOURCE ? OptionalLong.empty() : OptionalLong.of(settings.length);
    }

    /** {@return whether a missing source is created} */
    public boolean isCreateIfAbsent() {
        return settings.createIfAbsent;
    }

    /** {@return whether a refused {@code MAP_SYNC} falls back to {@code MAP_SHARED} and {@code msync}} */
    public boolean isEmulatingMapSync() {
        return settings.emulateMapSync;
    }

    /** {@return the alignment asked for, or empty for the source's natural alignment} */
    public Optional<Alignment> alignment() {
        return Optional.ofNullable(settings.alignment);
    }

    /** {@return whether a file must fault at the mapping's alignment (device-DAX always does)} */
    public boolean isStrict() {
        return settings.strict;
    }

    /** {@return whether every page is faulted in when the mapping is opened} */
    public boolean isPrefault() {
        return settings.prefault;
    }

    /** {@return whether the source is locked for the mapping's life} */
    public boolean isExclusive() {
        return settings.exclusive;
    }

    /** {@return whether a device-DAX range with known media errors is refused} */
    public boolean isRefusingBadBlocks() {
        return settings.refuseBadBlocks;
    }

    /** {@return whether the mapping is read-only} */
    public boolean isReadOnly() {
        return settings.readOnly;
    }

    /** {@return every setting, in one list: what equality compares} */
    private java.util.List<Object> values() {
        Settings s = settings;
        return java.util.Arrays.asList(s.offset, s.length, s.createIfAbsent, s.emulateMapSync, s.alignment, s.strict,
                s.prefault, s.exclusive, s.readOnly, s.persistMechanism, s.nonTemporalThreshold,
                s.acceptNonDurableStores, s.refuseBadBlocks);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions other && values().equals(other.values());
    }

    @Override
    public int hashCode() {
        return values().hashCode();
    }

    @Override
    public String toString() {
        Settings s = settings;
        return "MapOptions[offset=" + s.offset + ", length=" + (s.length == WHOLE_SOURCE ? "whole source" : s.length)
                + ", createIfAbsent=" + s.createIfAbsent + ", emulateMapSync=" + s.emulateMapSync
                + ", alignment=" + (s.alignment == null ? "natural" : s.alignment)
                + ", strict=" + s.strict + ", prefault=" + s.prefault
                + ", exclusive=" + s.exclusive + ", readOnly=" + s.readOnly
                + ", persistMechanism=" + (s.persistMechanism == null ? "default" : s.persistMechanism)
                + ", nonTemporalThreshold=" + (s.nonTemporalThreshold < 0 ? "default" : s.nonTemporalThreshold)
                + ", acceptNonDurableStores=" + s.acceptNonDurableStores + ", refuseBadBlocks=" + s.refuseBadBlocks
                + "]";
    }
}
