package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.internal.map.ReadOnlyMappingException;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The partition table at the start of a mapping: named regions of fixed layout, created once and checked on every
 * open.
 *
 * <pre>{@code
 * try (DaxMapping pmem = DaxMapping.open(path, options)) {
 *     Directory directory = Directory.open(pmem);            // formats a blank device, refuses another's data
 *     FixedRegion log = directory.find("log").isPresent()
 *             ? directory.open("log", RECORD)               // LAYOUT_MISMATCH if RECORD changed
 *             : directory.create("log", RECORD, 4096, RegionAlignment.MAPPING, false);
 * }
 * }</pre>
 *
 * <h2>On-device format (version 1, little-endian)</h2>
 * <pre>
 *  0                   8        12       16                  24                                  56                64
 *  +-------------------+--------+--------+-------------------+-----------------------------------+-----------------+
 *  | magic "DAX4JDIR"  |version |capacity| dataStart         | reserved (zero)                   | CRC32C of 0..56 |
 *  +-------------------+--------+--------+-------------------+-----------------------------------+-----------------+
 *  entry i at 64 + 128 i:
 *  0        8        16       24       32    36    40                56       64    68    72       80         120      128
 *  +--------+--------+--------+--------+-----+-----+-----------------+--------+-----+-----+--------+----------+--------+
 *  | state  | offset | count  | stride |align|flags| signature 128 b | textAt |txtLn|namLn|elemSize| name     | CRC32C |
 *  +--------+--------+--------+--------+-----+-----+-----------------+--------+-----+-----+--------+----------+--------+
 * </pre>
 * {@code state} is 0 for a free entry and {@link #PUBLISHED} for a region; any other value is damage. The entry's
 * CRC32C covers bytes 8..120. {@code textAt}/{@code textLn} locate the UTF-8 canonical form of the element layout
 * (see {@link RegionInfo#layout()}), whose SHA-256 must give the signature; {@code flags} bit 0 is cache-line isolation.
 * Regions and layout texts live at or after {@code dataStart}, which is the directory's end rounded up to the
 * mapping's alignment.
 *
 * <h2>Update protocol</h2>
 * Every step writes through {@link DaxMapping} and persists through it: nothing here flushes by other means.
 * <ol>
 *   <li>Format (a blank device: magic, reserved header bytes and entries all zero; {@link #format} first stores a
 *       zero magic and zeroes the entries of any device): write version, capacity, dataStart and the checksum
 *       (computed with the magic), persist; then store the magic with one aligned 8-byte store and persist it. A
 *       crash before the magic is durable leaves a zero magic: the device is still blank.</li>
 *   <li>Create: find a free entry and free ranges for the layout text and the elements; write the text and zero
 *       the elements, persist both; write the entry's fields and CRC (state still 0), persist the entry; store
 *       {@link #PUBLISHED} into its state with one aligned 8-byte store and persist it. A crash before that store
 *       is durable leaves a free entry (its fields are ignored) and free ranges: the old directory.</li>
 *   <li>Delete: store 0 into the entry's state with one aligned 8-byte store and persist it. The region's bytes
 *       stay until a later create reuses them (and zeroes them).</li>
 * </ol>
 * So a crash at any point leaves either the old directory or the new one, never half an entry.
 *
 * <h2>Invariants, checked on every open and every read of the entries</h2>
 * Header: magic, version 1, CRC; {@code 1 <= capacity} and {@code dataStart} between the entries' end and the
 * mapping's end; the reserved bytes zero. Each entry:
 * <ol>
 *   <li>Its state is 0 (free: nothing else of it is read) or {@link #PUBLISHED}.</li>
 *   <li>Its CRC32C matches bytes 8..120.</li>
 *   <li>Its name is 1 to 40 bytes of well-formed UTF-8.</li>
 *   <li>{@code count >= 1}, {@code elemSize >= 1}; {@code stride} is {@code elemSize}, or {@code elemSize} rounded
 *       up to 64 when {@code flags} is 1 (isolated); no other flag is set.</li>
 *   <li>{@code align} is a power of two of at least 64, and {@code offset} a multiple of it.</li>
 *   <li>The elements {@code [offset, offset + count * stride)} and the text {@code [textAt, textAt + textLn)},
 *       {@code textAt} a multiple of 64, lie between {@code dataStart} and the mapping's end.</li>
 *   <li>The text is 1 to 65536 bytes of well-formed UTF-8 whose SHA-256 gives the signature.</li>
 * </ol>
 * And the directory as a whole:
 * <ol start="8">
 *   <li>No two published entries have the same name.</li>
 *   <li>No two of all the published entries' element ranges and texts share a byte.</li>
 * </ol>
 * Opening a region also checks that its entry's element size and alignment are those of the layout its text
 * names. The first broken invariant is a {@link DirectoryException} with reason {@code CORRUPTED} that names the
 * entry, the invariant's number and the values: damage, or a forgery with valid checksums, never a wrong open.
 * Operations are serialised per {@code Directory} object; two processes must not update one device at once (map it
 * {@link io.github.dax4j.MapOptions#exclusive() exclusively}).
 */
public final class Directory {

    /** The magic, "DAX4JDIR" in little-endian ASCII. */
    public static final long MAGIC = 0x524944_4a345841_44L;
    /** The state of a published entry, "VALIDENT" in little-endian ASCII. */
    public static final long PUBLISHED = 0x544e4544_494c4156L;
    /** The format version this code reads and writes. */
    public static final int VERSION = 1;
    /** Entry slots in a directory formatted by {@link #open(DaxMapping)}: the header and 63 entries fill 8 KiB. */
    public static final int DEFAULT_CAPACITY = 63;

    static final int HEADER_BYTES = 64;
    static final int ENTRY_BYTES = 128;
    static final int MAX_NAME_BYTES = 40;
    /** The longest layout text a region may have: what a layout with a few thousand members needs. */
    static final int MAX_TEXT_BYTES = 64 * 1024;

    // header fields
    private static final long H_MAGIC = 0, H_VERSION = 8, H_CAPACITY = 12, H_DATA_START = 16, H_CHECKSUM = 56;
    // entry fields
    private static final long E_STATE = 0, E_OFFSET = 8, E_COUNT = 16, E_STRIDE = 24, E_ALIGN = 32, E_FLAGS = 36,
            E_SIGNATURE = 40, E_TEXT_AT = 56, E_TEXT_LENGTH = 64, E_NAME_LENGTH = 68, E_ELEMENT_SIZE = 72,
            E_NAME = 80, E_CHECKSUM = 120;
    private static final int FLAG_ISOLATED = 1;
    private static final long CACHE_LINE = 64;

    private final DaxMapping mapping;
    private final int capacity;
    private final long dataStart;
    private final boolean formatted;

    private Directory(DaxMapping mapping, int capacity, long dataStart, boolean formatted) {
        this.mapping = mapping;
        this.capacity = capacity;
        this.dataStart = dataStart;
        this.formatted = formatted;
    }

    /** {@return the mapping this directory is in} For the records that live in its regions. */
    DaxMapping mapping() {
        return mapping;
    }

    /**
     * {@return the directory of {@code mapping}}, formatting a blank device with {@link #DEFAULT_CAPACITY}
     * entries (a read-only mapping of an all-zero device gives an empty directory and is left as it is)
     *
     * @throws DirectoryException with reason {@code CORRUPTED} if magic, version, a checksum or an entry is wrong,
     *                            and {@code NOT_EMPTY} if there is no magic but the directory's bytes are not blank
     *                            (nothing is written then)
     */
    public static Directory open(DaxMapping mapping) throws DirectoryException {
        return open(mapping, DEFAULT_CAPACITY);
    }

    /**
     * {@link #open(DaxMapping)}, formatting with {@code capacity} entries if the device is empty.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}, or the directory would not fit in the mapping
     */
    public static Directory open(DaxMapping mapping, int capacity) throws DirectoryException {
        Objects.requireNonNull(mapping, "mapping");
        // every read goes through the mapping's accessors, never segment(): a crash simulator then decides what a
        // byte holds only when the directory reads it (see SimulatedSource.Observer)
        long magic = mapping.getLongAtomic(H_MAGIC);
        if (magic == 0) {
            long dataStart = dataStart(mapping, capacity);
            long foreign = firstForeignByte(mapping, capacity);
            if (foreign >= 0) {
                throw new DirectoryException(DirectoryException.Reason.NOT_EMPTY, "no dax4j directory at offset 0 of "
                        + mapping.path() + ", and byte " + foreign + " is 0x" + Integer.toHexString(Byte.toUnsignedInt(
                        mapping.getByte(foreign))) + ", not 0: the device holds other data; Directory.format "
                        + "erases it");
            }
            if (mapping.isReadOnly()) {
                return new Directory(mapping, capacity, dataStart, false);
            }
            format(mapping, capacity, dataStart);
            return new Directory(mapping, capacity, dataStart, true);
        }
        String where = " at offset 0 of " + mapping.path();
        if (magic != MAGIC) {
            throw corrupted("no dax4j directory" + where + ": magic 0x" + Long.toHexString(magic) + ", expected 0x"
                    + Long.toHexString(MAGIC) + " (\"DAX4JDIR\")");
        }
        long checksum = mapping.getLong(H_CHECKSUM);
        if (checksum >>> 32 != 0 || !mapping.crc32cMatches(0, H_CHECKSUM, (int) checksum)) {
            throw corrupted("the directory header" + where + " is damaged: checksum 0x" + Long.toHexString(checksum)
                    + ", computed 0x" + Long.toHexString(crc(copy(mapping, 0, H_CHECKSUM), 0, H_CHECKSUM)));
        }
        MemorySegment memory = copy(mapping, 0, H_CHECKSUM);
        int version = memory.get(JAVA_INT_UNALIGNED, H_VERSION);
        if (version != VERSION) {
            throw corrupted("the directory" + where + " has format version " + version + "; this dax4j reads "
                    + VERSION);
        }
        int storedCapacity = memory.get(JAVA_INT_UNALIGNED, H_CAPACITY);
        long dataStart = memory.get(JAVA_LONG_UNALIGNED, H_DATA_START);
        if (storedCapacity < 1 || dataStart < end(storedCapacity) || dataStart > mapping.byteSize()) {
            throw corrupted("the directory header" + where + " is inconsistent: capacity " + storedCapacity
                    + ", data start " + dataStart + " in a mapping of " + mapping.byteSize() + " bytes");
        }
        for (long at = H_DATA_START + 8; at < H_CHECKSUM; at++) {
            if (memory.get(JAVA_BYTE, at) != 0) {
                throw corrupted("the directory header" + where + " has reserved byte " + at + " set to 0x"
                        + Integer.toHexString(Byte.toUnsignedInt(memory.get(JAVA_BYTE, at))) + ": bytes 24-55 are"
                        + " zero in format version " + VERSION);
            }
        }
        Directory directory = new Directory(mapping, storedCapacity, dataStart, true);
        directory.entries(); // validates every entry
        return directory;
    }

    /**
     * {@return the first byte that neither a blank device nor an interrupted {@link #format} of one can hold, or -1}
     * A format writes version, capacity, data start and checksum before the magic, so with the magic still 0 those
     * may be set; the reserved header bytes and every entry must be 0.
     */
    private static long firstForeignByte(DaxMapping mapping, int capacity) {
        long entriesEnd = Math.min(end(capacity), mapping.byteSize());
        long chunk = 64 * 1024; // read in pieces: the entries of a large capacity exceed a heap array
        for (long from = 0; from < entriesEnd; from += chunk) {
            MemorySegment bytes = copy(mapping, from, Math.min(chunk, entriesEnd - from));
            for (long at = Math.max(from, H_DATA_START + 8); at < from + bytes.byteSize(); at++) {
                if ((at < H_CHECKSUM || at >= HEADER_BYTES) && bytes.get(JAVA_BYTE, at - from) != 0) {
                    return at;
                }
            }
        }
        return -1;
    }

    /**
     * Formats {@code mapping} with an empty directory of {@code capacity} entries, whatever it held: its first
     * {@code 64 + 128 capacity} bytes are overwritten. For devices that {@link #open} refuses as
     * {@link DirectoryException.Reason#NOT_EMPTY NOT_EMPTY} or {@code CORRUPTED}, when their data may go.
     *
     * @throws IllegalArgumentException if {@code capacity < 1} or the directory would not fit
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     */
    public static Directory format(DaxMapping mapping, int capacity) {
        Objects.requireNonNull(mapping, "mapping");
        if (mapping.isReadOnly()) {
            throw new ReadOnlyMappingException(mapping.source().describe(), "Directory.format");
        }
        long dataStart = dataStart(mapping, capacity);
        mapping.putLongAtomicAndPersist(H_MAGIC, 0L); // whatever follows, the device is not a directory until done
        format(mapping, capacity, dataStart);
        return new Directory(mapping, capacity, dataStart, true);
    }

    private static long end(long capacity) {
        return HEADER_BYTES + capacity * ENTRY_BYTES;
    }

    private static long dataStart(DaxMapping mapping, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a directory needs at least one entry: " + capacity);
        }
        long alignment = mapping.alignment().bytes();
        long dataStart = (end(capacity) + alignment - 1) & -alignment;
        if (dataStart > mapping.byteSize()) {
            throw new IllegalArgumentException("a directory of " + capacity + " entries needs " + dataStart
                    + " bytes; the mapping of " + mapping.path() + " has " + mapping.byteSize());
        }
        return dataStart;
    }

    /**
     * Protocol step 1. The header and the empty entries are built in the heap and written with one
     * {@link DaxMapping#write}, so a crash simulator sees every store of the protocol exactly.
     */
    private static void format(DaxMapping mapping, int capacity, long dataStart) {
        MemorySegment image = MemorySegment.ofArray(new byte[Math.toIntExact(end(capacity))]);
        image.set(JAVA_INT_UNALIGNED, H_VERSION, VERSION);
        image.set(JAVA_INT_UNALIGNED, H_CAPACITY, capacity);
        image.set(JAVA_LONG_UNALIGNED, H_DATA_START, dataStart);
        image.set(JAVA_LONG_UNALIGNED, H_MAGIC, MAGIC);             // for the checksum only
        long checksum = crc(image, 0, H_CHECKSUM);
        image.set(JAVA_LONG_UNALIGNED, H_MAGIC, 0L);
        image.set(JAVA_LONG_UNALIGNED, H_CHECKSUM, checksum);
        mapping.write(0, image);
        mapping.persist(0, end(capacity));
        mapping.putLongAtomicAndPersist(H_MAGIC, MAGIC);
    }

    /** {@return whether the device holds a directory (false only for an all-zero device mapped read-only)} */
    public boolean isFormatted() {
        return formatted;
    }

    /** {@return the number of entry slots} */
    public int capacity() {
        return capacity;
    }

    /** {@return the first byte regions may use} */
    public long dataStart() {
        return dataStart;
    }

    /** {@return every region, ordered by name} */
    public synchronized List<RegionInfo> list() throws DirectoryException {
        return entries().stream().map(Entry::info).sorted(Comparator.comparing(RegionInfo::name)).toList();
    }

    /** {@return the region called {@code name}, if there is one} */
    public synchronized Optional<RegionInfo> find(String name) throws DirectoryException {
        return entries().stream().map(Entry::info).filter(i -> i.name().equals(name)).findFirst();
    }

    /**
     * Creates a region of {@code count} elements of {@code element}, zeroed and durable when this returns.
     *
     * @param placement         where the region may start: the mapping's alignment, or any cache line
     * @param cacheLineIsolated whether each element gets its own cache lines (stride rounded up to 64 bytes)
     * @throws DirectoryException       {@code LAYOUT_RULE} if {@code element} breaks a
     *                                  {@linkplain DirectoryException.Reason#LAYOUT_RULE rule} of strict fixed
     *                                  layouts
     * @throws DirectoryException       {@code EXISTS} if the name is taken, {@code FULL} if no entry or range is
     *                                  free; {@code CORRUPTED} if the directory is damaged
     * @throws IllegalArgumentException if the name is empty or longer than 40 bytes of UTF-8, or {@code count < 1}
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException    if the mapping is closed
     */
    public synchronized FixedRegion create(String name, MemoryLayout element, long count, RegionAlignment placement,
                                           boolean cacheLineIsolated) throws DirectoryException {
        byte[] nameBytes = nameBytes(name);
        LayoutRules.check(element);
        if (count < 1) {
            throw new IllegalArgumentException("region '" + name + "' needs at least one element: " + count);
        }
        if (mapping.isReadOnly()) {
            throw new ReadOnlyMappingException(mapping.source().describe(), "creating region '" + name + "'");
        }
        List<Entry> entries = entries();
        if (entries.stream().anyMatch(e -> e.info().name().equals(name))) {
            throw new DirectoryException(DirectoryException.Reason.EXISTS, "a region '" + name + "' exists already in "
                    + mapping.path());
        }
        int slot = freeSlot(entries);
        LayoutSignature signature = LayoutSignature.of(element);
        byte[] text = signature.canonical().getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_TEXT_BYTES) {
            throw DirectoryException.layoutRule("the layout of region '" + name + "' has a canonical form of "
                    + text.length + " bytes, more than a directory entry may record (" + MAX_TEXT_BYTES + ")");
        }
        long alignment = Math.max(element.byteAlignment(),
                placement == RegionAlignment.MAPPING ? mapping.alignment().bytes() : CACHE_LINE);
        long stride = cacheLineIsolated ? (element.byteSize() + CACHE_LINE - 1) & -CACHE_LINE : element.byteSize();
        if (count > mapping.byteSize() / stride) {
            // also what keeps count * stride from overflowing: a Long.MAX_VALUE count is FULL, like any too many
            throw new DirectoryException(DirectoryException.Reason.FULL, count + " elements of " + stride + " bytes"
                    + " for region '" + name + "' are more than the " + mapping.byteSize() + " bytes of "
                    + mapping.path());
        }
        long length = count * stride;

        List<long[]> used = usedRanges(entries);
        long textAt = allocate(used, text.length, CACHE_LINE, name);
        used.add(new long[] {textAt, text.length});
        long offset = allocate(used, length, alignment, name);

        // protocol step 2: text and elements, then the entry, then its state
        mapping.write(textAt, MemorySegment.ofArray(text));
        mapping.persist(textAt, text.length);
        mapping.fill(offset, length, (byte) 0);
        long at = entryAt(slot);
        MemorySegment entry = MemorySegment.ofArray(new byte[ENTRY_BYTES]); // state 0: not yet published
        entry.set(JAVA_LONG_UNALIGNED, E_OFFSET, offset);
        entry.set(JAVA_LONG_UNALIGNED, E_COUNT, count);
        entry.set(JAVA_LONG_UNALIGNED, E_STRIDE, stride);
        entry.set(JAVA_INT_UNALIGNED, E_ALIGN, (int) Math.min(alignment, Integer.MAX_VALUE));
        entry.set(JAVA_INT_UNALIGNED, E_FLAGS, cacheLineIsolated ? FLAG_ISOLATED : 0);
        entry.set(JAVA_LONG_UNALIGNED, E_SIGNATURE, signature.high());
        entry.set(JAVA_LONG_UNALIGNED, E_SIGNATURE + 8, signature.low());
        entry.set(JAVA_LONG_UNALIGNED, E_TEXT_AT, textAt);
        entry.set(JAVA_INT_UNALIGNED, E_TEXT_LENGTH, text.length);
        entry.set(JAVA_INT_UNALIGNED, E_NAME_LENGTH, nameBytes.length);
        entry.set(JAVA_LONG_UNALIGNED, E_ELEMENT_SIZE, element.byteSize());
        MemorySegment.copy(nameBytes, 0, entry, JAVA_BYTE, E_NAME, nameBytes.length);
        entry.set(JAVA_LONG_UNALIGNED, E_CHECKSUM, crc(entry, E_OFFSET, E_CHECKSUM));
        mapping.write(at, entry);
        mapping.persist(at, ENTRY_BYTES);
        mapping.putLongAtomicAndPersist(at + E_STATE, PUBLISHED);

        RegionInfo info = new RegionInfo(name, offset, count, stride, element.byteSize(), alignment,
                cacheLineIsolated, signature.canonical());
        return new FixedRegion(mapping, info, element);
    }

    /**
     * Opens the region called {@code name}, which must have been created with exactly {@code element}.
     *
     * @throws DirectoryException       {@code NOT_FOUND} if there is no such region; {@code CORRUPTED} if the
     *                                  directory is damaged
     * @throws DirectoryException       {@code LAYOUT_MISMATCH} if the region was created with another layout; the
     *                                  message shows both
     */
    public synchronized FixedRegion open(String name, MemoryLayout element) throws DirectoryException {
        Optional<RegionInfo> found = find(name);
        if (found.isEmpty()) {
            throw new DirectoryException(DirectoryException.Reason.NOT_FOUND, "no region '" + name + "' in "
                    + mapping.path() + "; regions: " + list().stream().map(RegionInfo::name).toList());
        }
        RegionInfo info = found.get();
        LayoutSignature expected = LayoutSignature.of(element);
        if (expected.canonical().equals(info.layout()) && (info.elementSize() != element.byteSize()
                || info.alignment() < element.byteAlignment())) {
            throw corrupted("the entry of region '" + name + "' in " + mapping.path() + " records elements of "
                    + info.elementSize() + " bytes aligned to " + info.alignment() + ", but the layout it names is "
                    + element.byteSize() + " bytes aligned to " + element.byteAlignment());
        }
        // the stored text was checked against the stored signature when the entry was read
        if (!expected.canonical().equals(info.layout())) {
            throw new DirectoryException(DirectoryException.Reason.LAYOUT_MISMATCH, "region '" + name
                    + "' was created with another layout:\n  on the device: " + info.layout()
                    + "\n  expected:      " + expected.canonical());
        }
        return new FixedRegion(mapping, info, element);
    }

    /**
     * Opens the region called {@code name} if it exists, else creates it: the "find, then open, else create" of
     * every engine that keeps its state in a region. An existing region must have been created with exactly
     * {@code element}; its count, placement and isolation are what it was created with, and {@code count} only
     * says how many elements a new one gets.
     *
     * @throws DirectoryException       {@code LAYOUT_MISMATCH} if the region exists with another layout
     * @throws java.nio.ReadOnlyBufferException if it does not exist and the mapping is read-only
     * @see #open(String, MemoryLayout)
     * @see #create
     */
    public synchronized FixedRegion openOrCreate(String name, MemoryLayout element, long count,
                                                 RegionAlignment placement, boolean cacheLineIsolated)
                                                         throws DirectoryException {
        return find(name).isPresent() ? open(name, element)
                : create(name, element, count, placement, cacheLineIsolated);
    }

    /**
     * Deletes the region called {@code name}: its entry is freed in one durable 8-byte store.
     *
     * @throws DirectoryException    {@code NOT_FOUND} if there is no such region
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     */
    public synchronized void delete(String name) throws DirectoryException {
        if (mapping.isReadOnly()) {
            throw new ReadOnlyMappingException(mapping.source().describe(), "deleting region '" + name + "'");
        }
        Entry entry = entries().stream().filter(e -> e.info().name().equals(name)).findFirst()
                .orElseThrow(() -> new DirectoryException(DirectoryException.Reason.NOT_FOUND,
                        "no region '" + name + "' to delete in " + mapping.path()));
        mapping.putLongAtomicAndPersist(entryAt(entry.slot()) + E_STATE, 0L); // protocol step 3
    }

    private record Entry(int slot, RegionInfo info, long textAt, long textLength) {
    }

    /** Reads and validates every entry; published ones are returned. */
    private List<Entry> entries() throws DirectoryException {
        List<Entry> entries = new ArrayList<>();
        if (!formatted) {
            return entries;
        }
        for (int slot = 0; slot < capacity; slot++) {
            long at = entryAt(slot);
            long state = mapping.getLongAtomic(at + E_STATE);
            if (state == 0) {
                continue;
            }
            String where = "directory entry " + slot + " (offset " + at + ") of " + mapping.path();
            if (state != PUBLISHED) {
                throw corrupted(where + " has state 0x" + Long.toHexString(state) + ", neither free nor published"
                        + " (invariant 1)");
            }
            long checksum = mapping.getLong(at + E_CHECKSUM);
            if (checksum >>> 32 != 0 || !mapping.crc32cMatches(at + E_OFFSET, E_CHECKSUM - E_OFFSET,
                    (int) checksum)) {
                throw corrupted(where + " is damaged: its checksum does not match (invariant 2)");
            }
            MemorySegment entry = copy(mapping, at, ENTRY_BYTES);
            entries.add(decode(slot, entry, where));
        }
        checkWhole(entries);
        return entries;
    }

    /** Invariants 8 and 9: names unique, every range of every entry disjoint from every other. */
    private void checkWhole(List<Entry> entries) throws DirectoryException {
        java.util.Map<String, Integer> names = new java.util.HashMap<>();
        List<long[]> ranges = new ArrayList<>(); // {start, length, slot, 0 for elements / 1 for text}
        for (Entry e : entries) {
            Integer other = names.putIfAbsent(e.info().name(), e.slot());
            if (other != null) {
                throw corrupted("directory entries " + other + " and " + e.slot() + " of " + mapping.path()
                        + " are both named '" + e.info().name() + "' (invariant 8: names are unique)");
            }
            ranges.add(new long[] {e.info().offset(), e.info().byteSize(), e.slot(), 0});
            ranges.add(new long[] {e.textAt(), e.textLength(), e.slot(), 1});
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        // a sweep: each range against the one reaching furthest so far, not only its neighbour (a short range
        // between two others must not hide that the first overlaps the third)
        long[] a = null;
        for (long[] b : ranges) {
            if (a != null && b[0] < a[0] + a[1]) {
                throw corrupted("directory entries " + a[2] + " and " + b[2] + " of " + mapping.path()
                        + " overlap: " + (a[3] == 0 ? "elements" : "layout text") + " [" + a[0] + ", " + (a[0] + a[1])
                        + ") and " + (b[3] == 0 ? "elements" : "layout text") + " [" + b[0] + ", " + (b[0] + b[1])
                        + ") (invariant 9: no two ranges share a byte)");
            }
            if (a == null || b[0] + b[1] > a[0] + a[1]) {
                a = b;
            }
        }
    }

    private Entry decode(int slot, MemorySegment entry, String where) throws DirectoryException {
        long offset = entry.get(JAVA_LONG_UNALIGNED, E_OFFSET);
        long count = entry.get(JAVA_LONG_UNALIGNED, E_COUNT);
        long stride = entry.get(JAVA_LONG_UNALIGNED, E_STRIDE);
        long alignment = Integer.toUnsignedLong(entry.get(JAVA_INT_UNALIGNED, E_ALIGN));
        int flags = entry.get(JAVA_INT_UNALIGNED, E_FLAGS);
        long high = entry.get(JAVA_LONG_UNALIGNED, E_SIGNATURE);
        long low = entry.get(JAVA_LONG_UNALIGNED, E_SIGNATURE + 8);
        long textAt = entry.get(JAVA_LONG_UNALIGNED, E_TEXT_AT);
        long textLength = Integer.toUnsignedLong(entry.get(JAVA_INT_UNALIGNED, E_TEXT_LENGTH));
        int nameLength = entry.get(JAVA_INT_UNALIGNED, E_NAME_LENGTH);
        long elementSize = entry.get(JAVA_LONG_UNALIGNED, E_ELEMENT_SIZE);
        if (nameLength < 1 || nameLength > MAX_NAME_BYTES) {
            throw corrupted(where + " has a name of " + nameLength + " bytes (invariant 3: 1 to " + MAX_NAME_BYTES
                    + ")");
        }
        String name = utf8(entry.asSlice(E_NAME, nameLength), where + " has a name that is not well-formed UTF-8"
                + " (invariant 3)");
        boolean isolated = (flags & FLAG_ISOLATED) != 0;
        long expectedStride = isolated ? (elementSize + CACHE_LINE - 1) & -CACHE_LINE : elementSize;
        if (count < 1 || elementSize < 1 || stride != expectedStride || (flags & ~FLAG_ISOLATED) != 0) {
            throw corrupted(where + " is inconsistent: " + count + " elements of " + elementSize + " bytes, stride "
                    + stride + ", flags 0x" + Integer.toHexString(flags) + " (invariant 4: count and element size at"
                    + " least 1, stride the element size" + (isolated ? " rounded up to 64" : "") + ", flags 0 or 1)");
        }
        if (alignment < CACHE_LINE || Long.bitCount(alignment) != 1 || offset % alignment != 0) {
            throw corrupted(where + " has offset " + offset + " and alignment " + alignment + " (invariant 5: the"
                    + " alignment a power of two of at least 64, the offset a multiple of it)");
        }
        if (!inside(offset, multiply(count, stride)) || textAt % CACHE_LINE != 0 || !inside(textAt, textLength)) {
            throw corrupted(where + " lies outside the data area [" + dataStart + ", " + mapping.byteSize()
                    + "): elements at " + offset + ", " + count + " x " + stride + " bytes, layout text at " + textAt
                    + " (" + textLength + " bytes) (invariant 6)");
        }
        if (textLength < 1 || textLength > MAX_TEXT_BYTES) {
            throw corrupted(where + " has a layout text of " + textLength + " bytes (invariant 7: 1 to "
                    + MAX_TEXT_BYTES + ")");
        }
        String text = utf8(copy(mapping, textAt, textLength), where + ": its layout text is not well-formed"
                + " UTF-8 (invariant 7)");
        LayoutSignature signature = LayoutSignature.ofCanonical(text);
        if (!signature.matches(high, low)) {
            throw corrupted(where + ": its layout text does not hash to its signature (invariant 7)");
        }
        return new Entry(slot, new RegionInfo(name, offset, count, stride, elementSize, alignment,
                isolated, signature.canonical()), textAt, textLength);
    }

    /** {@return the bytes as UTF-8, refusing malformed input (the JDK's decoders would replace it)} */
    private static String utf8(MemorySegment bytes, String malformed) throws DirectoryException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toArray(JAVA_BYTE))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw corrupted(malformed);
        }
    }

    private boolean inside(long offset, long length) {
        return offset >= dataStart && length >= 0 && offset <= mapping.byteSize() && length <= mapping.byteSize() - offset;
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private int freeSlot(List<Entry> entries) throws DirectoryException {
        boolean[] taken = new boolean[capacity];
        entries.forEach(e -> taken[e.slot()] = true);
        for (int slot = 0; slot < capacity; slot++) {
            if (!taken[slot]) {
                return slot;
            }
        }
        throw new DirectoryException(DirectoryException.Reason.FULL, "all " + capacity + " directory entries of "
                + mapping.path() + " are in use");
    }

    private List<long[]> usedRanges(List<Entry> entries) {
        List<long[]> used = new ArrayList<>();
        for (Entry e : entries) {
            used.add(new long[] {e.info().offset(), e.info().byteSize()});
            used.add(new long[] {e.textAt(), e.textLength()});
        }
        return used;
    }

    /** First fit: the lowest multiple of {@code alignment} at or after dataStart where {@code length} bytes are free. */
    private long allocate(List<long[]> used, long length, long alignment, String name) throws DirectoryException {
        long[][] ranges = used.toArray(long[][]::new);
        Arrays.sort(ranges, Comparator.comparingLong(r -> r[0]));
        long candidate = align(dataStart, alignment);
        for (long[] range : ranges) {
            if (length <= range[0] - candidate) {
                break;
            }
            candidate = Math.max(candidate, align(range[0] + range[1], alignment));
        }
        if (candidate > mapping.byteSize() || length > mapping.byteSize() - candidate) {
            throw new DirectoryException(DirectoryException.Reason.FULL, "no free range of " + length
                    + " bytes aligned to " + alignment + " for region '" + name + "' in " + mapping.path()
                    + " (" + mapping.byteSize() + " bytes, data from " + dataStart + ")");
        }
        return candidate;
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static long entryAt(int slot) {
        return HEADER_BYTES + (long) slot * ENTRY_BYTES;
    }

    private static byte[] nameBytes(String name) {
        Objects.requireNonNull(name, "name");
        byte[] bytes;
        try {
            // getBytes would store '?' for a lone surrogate: a name that could never be found again
            java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(name));
            bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("a region name must be valid Unicode (UTF-8 encodable): '"
                    + name.codePoints().mapToObj(c -> c < 0x20 || (c >= 0xd800 && c < 0xe000)
                    ? String.format("\\u%04X", c) : Character.toString(c)).collect(
                    java.util.stream.Collectors.joining()) + "' is not");
        }
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a region name is 1 to " + MAX_NAME_BYTES + " bytes of UTF-8: '"
                    + name + "' is " + bytes.length);
        }
        return bytes;
    }

    /** {@return a heap copy of {@code [offset, offset + length)} of {@code mapping}, read through its accessors} */
    private static MemorySegment copy(DaxMapping mapping, long offset, long length) {
        MemorySegment copy = MemorySegment.ofArray(new byte[Math.toIntExact(length)]);
        mapping.read(offset, copy);
        return copy;
    }

    private static long crc(MemorySegment segment, long from, long to) {
        CRC32C crc = new CRC32C();
        crc.update(segment.asSlice(from, to - from).asByteBuffer());
        return crc.getValue();
    }

    private static DirectoryException corrupted(String message) {
        return new DirectoryException(DirectoryException.Reason.CORRUPTED, message);
    }
}
