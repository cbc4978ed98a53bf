package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory against random layouts and random histories: what is created is reopened exactly, the directory
 * always agrees with an in-memory model, regions never overlap, every damaged header or entry byte is detected,
 * and no element slice reaches outside its element.
 */
class DirectoryProperties {

    private static final long SIZE = 16L << 20;
    private static final int CAPACITY = 6;

    private TmpfsDevice device;
    private DaxMapping pmem;

    @BeforeProperty
    void map() {
        device = TmpfsDevice.create(SIZE);
        pmem = device.mapping();
    }

    @AfterProperty
    void unmap() {
        device.close();
    }

    private DaxMapping reopen() throws Exception {
        return pmem = device.reopen();
    }

    /** Before each try the device is wiped, so every try starts from an empty device. */
    private Directory fresh() throws Exception {
        pmem.segment().asSlice(0, 1 << 20).fill((byte) 0);
        return Directory.open(pmem, CAPACITY);
    }

    @Provide
    Arbitrary<LayoutTree> layouts() {
        return LayoutTree.structs();
    }

    @Property(tries = 150)
    void randomLayoutsRoundTripThroughCloseAndReopen(@ForAll("layouts") LayoutTree tree,
                                                     @ForAll @LongRange(min = 1, max = 50) long count,
                                                     @ForAll boolean isolated, @ForAll boolean cacheLine)
                                                             throws Exception {
        MemoryLayout layout = tree.build();
        Directory directory = fresh();
        FixedRegion region = directory.create("r", layout, count, cacheLine ? RegionAlignment.CACHE_LINE
                : RegionAlignment.MAPPING, isolated);
        byte[] bytes = new byte[(int) layout.byteSize()];
        for (long i = 0; i < count; i++) {
            java.util.Arrays.fill(bytes, (byte) (i + 1));
            MemorySegment.copy(bytes, 0, region.element(i), JAVA_BYTE, 0, bytes.length);
            region.persist(i);
        }
        FixedRegion again = Directory.open(reopen()).open("r", tree.build());
        assertEquals(region.info(), again.info());
        for (long i = 0; i < count; i++) {
            java.util.Arrays.fill(bytes, (byte) (i + 1));
            assertArrayEquals(bytes, again.element(i).toArray(JAVA_BYTE), "element " + i);
        }
    }

    @Property(tries = 300)
    void elementSlicesCannotEscapeTheirBounds(@ForAll("layouts") LayoutTree tree,
                                              @ForAll @LongRange(min = 1, max = 20) long count,
                                              @ForAll long index, @ForAll long offset, @ForAll boolean isolated)
                                                      throws Exception {
        MemoryLayout layout = tree.build();
        FixedRegion region = fresh().create("r", layout, count, RegionAlignment.CACHE_LINE, isolated);
        if (index < 0 || index >= count) {
            assertThrows(IndexOutOfBoundsException.class, () -> region.element(index));
            assertThrows(IndexOutOfBoundsException.class, () -> region.persist(index));
            return;
        }
        MemorySegment element = region.element(index);
        assertEquals(layout.byteSize(), element.byteSize());
        if (offset < 0 || offset >= layout.byteSize()) {
            assertThrows(IndexOutOfBoundsException.class, () -> element.get(JAVA_BYTE, offset));
        } else {
            element.set(JAVA_BYTE, offset, (byte) 1);
        }
    }

    sealed interface Op {
        record Create(String name, int layout, long count, boolean cacheLine, boolean isolated) implements Op {
        }

        record Delete(String name) implements Op {
        }

        record Reopen(boolean remap) implements Op {
        }
    }

    private static final List<MemoryLayout> LAYOUTS = List.of(DirectoryTest.SLOT,
            MemoryLayout.structLayout(java.lang.foreign.ValueLayout.JAVA_INT.withName("n")),
            MemoryLayout.sequenceLayout(3, DirectoryTest.SLOT));

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h");
        Arbitrary<Op> create = Combinators.combine(names, Arbitraries.integers().between(0, LAYOUTS.size() - 1),
                Arbitraries.longs().between(1, 5000), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Op.Create::new);
        Arbitrary<Op> delete = names.map(Op.Delete::new);
        Arbitrary<Op> reopen = Arbitraries.of(true, false).map(Op.Reopen::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, create), net.jqwik.api.Tuple.of(3, delete),
                net.jqwik.api.Tuple.of(1, reopen)).list().ofMaxSize(40);
    }

    @Property(tries = 100)
    void theDirectoryAgreesWithAModelThroughAnyHistory(@ForAll("histories") List<Op> history) throws Exception {
        Directory directory = fresh();
        Map<String, Op.Create> model = new TreeMap<>();
        for (Op op : history) {
            switch (op) {
                case Op.Create c -> {
                    if (model.containsKey(c.name())) {
                        Directory current = directory;
                        assertEquals(DirectoryException.Reason.EXISTS, assertThrows(DirectoryException.class,
                                () -> create(current, c)).reason());
                    } else if (model.size() == CAPACITY) {
                        Directory current = directory;
                        assertEquals(DirectoryException.Reason.FULL, assertThrows(DirectoryException.class,
                                () -> create(current, c)).reason());
                    } else {
                        FixedRegion region = create(directory, c);
                        region.element(0).fill((byte) c.name().charAt(0)); // a marker that overlap would destroy
                        region.persist(0);
                        model.put(c.name(), c);
                    }
                }
                case Op.Delete d -> {
                    if (model.remove(d.name()) != null) {
                        directory.delete(d.name());
                    } else {
                        Directory current = directory;
                        assertEquals(DirectoryException.Reason.NOT_FOUND, assertThrows(DirectoryException.class,
                                () -> current.delete(d.name())).reason());
                    }
                }
                case Op.Reopen r -> {
                    // a new Directory reads only the device
                }
            }
            directory = op instanceof Op.Reopen r && r.remap() ? Directory.open(reopen()) : Directory.open(pmem);
            assertAgrees(model, directory);
        }
    }

    private FixedRegion create(Directory directory, Op.Create c) throws Exception {
        return directory.create(c.name(), LAYOUTS.get(c.layout()), c.count(),
                c.cacheLine() ? RegionAlignment.CACHE_LINE : RegionAlignment.MAPPING, c.isolated());
    }

    private void assertAgrees(Map<String, Op.Create> model, Directory directory) throws Exception {
        List<RegionInfo> regions = directory.list();
        assertEquals(List.copyOf(model.keySet()), regions.stream().map(RegionInfo::name).toList());
        List<RegionInfo> byOffset = new ArrayList<>(regions);
        byOffset.sort(Comparator.comparingLong(RegionInfo::offset));
        long end = directory.dataStart();
        for (RegionInfo info : byOffset) {
            Op.Create c = model.get(info.name());
            MemoryLayout layout = LAYOUTS.get(c.layout());
            assertEquals(c.count(), info.count());
            assertEquals(LayoutSignature.canonical(layout), info.layout());
            assertTrue(info.offset() >= end, "regions do not overlap: " + byOffset);
            assertEquals(0, info.offset() % info.alignment());
            end = info.offset() + info.byteSize();
            assertTrue(end <= SIZE);
            FixedRegion region = directory.open(info.name(), layout);
            assertEquals((byte) info.name().charAt(0), region.element(0).get(JAVA_BYTE, 0), "marker intact");
        }
    }

    @Property(tries = 20)
    void everyDamagedHeaderOrEntryByteIsDetected(@ForAll @Size(min = 1, max = 4) List<@LongRange(min = 1, max = 9)
            Long> counts) throws Exception {
        Directory directory = fresh();
        for (int i = 0; i < counts.size(); i++) {
            directory.create("r" + i, DirectoryTest.SLOT, counts.get(i), RegionAlignment.CACHE_LINE, false);
        }
        directory.delete("r0"); // a free entry whose fields remain
        List<Long> checked = new ArrayList<>();
        for (long at = 0; at < Directory.HEADER_BYTES; at++) {
            checked.add(at);
        }
        for (int slot = 0; slot < CAPACITY; slot++) {
            long entry = Directory.HEADER_BYTES + (long) slot * Directory.ENTRY_BYTES;
            boolean published = pmem.getLongAtomic(entry) == Directory.PUBLISHED;
            for (long at = entry; at < entry + (published ? Directory.ENTRY_BYTES : 8); at++) {
                checked.add(at);
            }
            if (published) {
                long textAt = pmem.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, entry + 56);
                checked.add(textAt);      // the first and a middle byte of its layout text (format: textAt at 56)
                checked.add(textAt + 9);
            }
        }
        for (long at : checked) {
            byte original = pmem.segment().get(JAVA_BYTE, at);
            for (byte flip : new byte[] {1, (byte) 0x80, (byte) 0xff}) {
                pmem.segment().set(JAVA_BYTE, at, (byte) (original ^ flip));
                DirectoryException e = assertThrows(DirectoryException.class, () -> Directory.open(pmem, CAPACITY),
                        () -> "byte " + at + " ^ " + flip + " went unnoticed");
                assertEquals(DirectoryException.Reason.CORRUPTED, e.reason(), e.getMessage());
            }
            pmem.segment().set(JAVA_BYTE, at, original);
        }
        assertEquals(counts.size() - 1, Directory.open(pmem, CAPACITY).list().size(), "intact again");
    }
}
