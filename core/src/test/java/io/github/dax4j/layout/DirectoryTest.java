package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The directory: regions created once, found by name, checked against their layout, deleted. */
class DirectoryTest {

    static final StructLayout SLOT = MemoryLayout.structLayout(JAVA_LONG.withName("key"), JAVA_INT.withName("state"),
            MemoryLayout.paddingLayout(4), JAVA_LONG.withName("value"));
    private static final long SIZE = 8L << 20;

    private TmpfsDevice device;
    private DaxMapping pmem;

    @BeforeEach
    void map() {
        device = TmpfsDevice.create(SIZE);
        pmem = device.mapping();
    }

    @AfterEach
    void unmap() {
        device.close();
    }

    private DaxMapping reopen() throws Exception {
        return pmem = device.reopen();
    }

    @Test
    void aFreshDeviceIsEmptyAndGetsFormatted() throws Exception {
        Directory directory = Directory.open(pmem);
        assertTrue(directory.isFormatted());
        assertEquals(List.of(), directory.list());
        assertEquals(Directory.MAGIC, pmem.getLongAtomic(0));
        assertEquals(Directory.DEFAULT_CAPACITY, Directory.open(reopen()).capacity());
    }

    @Test
    void aReadOnlyFreshDeviceIsAnEmptyDirectoryLeftUntouched() throws Exception {
        pmem = device.reopen(MapOptions.wholeSource().readOnly());
        Directory directory = Directory.open(pmem);
        assertFalse(directory.isFormatted());
        assertEquals(List.of(), directory.list());
        assertEquals(0, pmem.getLongAtomic(0));
        assertThrows(java.nio.ReadOnlyBufferException.class,
                () -> directory.create("x", SLOT, 1, RegionAlignment.MAPPING, false));
    }

    @Test
    void anotherProgramsDataIsNeverFormattedByOpenOnlyByFormat() throws Exception {
        pmem.segment().set(JAVA_LONG, 4096, 0x1234L); // someone else's bytes, behind eight zero bytes
        DirectoryException refused = assertThrows(DirectoryException.class, () -> Directory.open(pmem));
        assertEquals(DirectoryException.Reason.NOT_EMPTY, refused.reason());
        assertTrue(refused.getMessage().contains("byte 4096 is 0x34"), refused.getMessage());
        assertEquals(0x1234L, pmem.segment().get(JAVA_LONG, 4096), "open wrote nothing");
        assertEquals(0L, pmem.segment().get(JAVA_LONG, 0), "open wrote nothing");

        Directory formatted = Directory.format(pmem, 8);
        assertEquals(8, formatted.capacity());
        assertEquals(List.of(), Directory.open(reopen()).list());
        assertThrows(java.nio.ReadOnlyBufferException.class,
                () -> Directory.format(device.reopen(MapOptions.wholeSource().readOnly()), 8));
    }

    @Test
    void aFormatInterruptedBeforeItsMagicLeavesABlankDevice() throws Exception {
        Directory.open(pmem, 4);
        pmem.putLongAtomicAndPersist(0, 0L); // version, capacity, data start and checksum written, magic not yet
        assertEquals(Directory.DEFAULT_CAPACITY, Directory.open(reopen()).capacity(), "formatted afresh");
    }

    @Test
    void aRegionIsCreatedZeroedWrittenAndReopenedByName() throws Exception {
        Directory directory = Directory.open(pmem);
        FixedRegion slots = directory.create("slots", SLOT, 100, RegionAlignment.MAPPING, false);
        assertEquals(0, slots.info().offset() % pmem.alignment().bytes());
        assertTrue(slots.info().offset() >= directory.dataStart());
        VarHandle key = slots.varHandle(groupElement("key"));
        assertEquals(0L, (long) key.get(slots.element(99), 0L), "created zeroed");
        key.set(slots.element(7), 0L, 42L);
        slots.persist(7);

        FixedRegion again = Directory.open(reopen()).open("slots", SLOT);
        assertEquals(42L, (long) again.varHandle(groupElement("key")).get(again.element(7), 0L));
        assertEquals(slots.info(), again.info());
    }

    @Test
    void anotherLayoutIsRefusedShowingBoth() throws Exception {
        Directory.open(pmem).create("slots", SLOT, 10, RegionAlignment.MAPPING, false);
        StructLayout changed = MemoryLayout.structLayout(JAVA_LONG.withName("key"), JAVA_INT.withName("flags"),
                MemoryLayout.paddingLayout(4), JAVA_LONG.withName("value"));
        DirectoryException e = assertThrows(DirectoryException.class,
                () -> Directory.open(reopen()).open("slots", changed));
        assertEquals(DirectoryException.Reason.LAYOUT_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("'slots'"), e.getMessage());
        assertTrue(e.getMessage().contains(LayoutSignature.canonical(SLOT)), e.getMessage());
        assertTrue(e.getMessage().contains(LayoutSignature.canonical(changed)), e.getMessage());
    }

    @Test
    void namesAreUniqueAndMissingNamesAreReported() throws Exception {
        Directory directory = Directory.open(pmem);
        directory.create("a", SLOT, 1, RegionAlignment.CACHE_LINE, false);
        assertEquals(DirectoryException.Reason.EXISTS, assertThrows(DirectoryException.class,
                () -> directory.create("a", SLOT, 1, RegionAlignment.CACHE_LINE, false)).reason());
        DirectoryException missing = assertThrows(DirectoryException.class, () -> directory.open("b", SLOT));
        assertEquals(DirectoryException.Reason.NOT_FOUND, missing.reason());
        assertTrue(missing.getMessage().contains("[a]"), missing.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> directory.create("x".repeat(41), SLOT, 1, RegionAlignment.CACHE_LINE, false));
        assertThrows(IllegalArgumentException.class, () -> directory.create("", SLOT, 1, RegionAlignment.CACHE_LINE, false));
    }

    @Test
    void aDeletedRegionsSpaceIsReusedAndZeroed() throws Exception {
        Directory directory = Directory.open(pmem);
        FixedRegion first = directory.create("first", SLOT, 1000, RegionAlignment.MAPPING, false);
        first.element(0).fill((byte) 0x55);
        pmem.persist(first.elementOffset(0), SLOT.byteSize());
        directory.delete("first");
        assertEquals(List.of(), Directory.open(reopen()).list());
        FixedRegion second = Directory.open(pmem).create("second", SLOT, 1000, RegionAlignment.MAPPING, false);
        assertEquals(first.info().offset(), second.info().offset(), "first fit reuses the freed range");
        assertEquals(0L, second.element(0).get(JAVA_LONG, 0), "and zeroes it");
    }

    @Test
    void runningOutOfEntriesOrSpaceIsReported() throws Exception {
        Directory small = Directory.open(pmem, 2);
        small.create("a", SLOT, 1, RegionAlignment.CACHE_LINE, false);
        small.create("b", SLOT, 1, RegionAlignment.CACHE_LINE, false);
        assertEquals(DirectoryException.Reason.FULL, assertThrows(DirectoryException.class,
                () -> small.create("c", SLOT, 1, RegionAlignment.CACHE_LINE, false)).reason());
        small.delete("a");
        DirectoryException noSpace = assertThrows(DirectoryException.class,
                () -> small.create("huge", SLOT, SIZE / SLOT.byteSize(), RegionAlignment.MAPPING, false));
        assertEquals(DirectoryException.Reason.FULL, noSpace.reason());
        assertTrue(noSpace.getMessage().contains("no free range of " + SIZE / SLOT.byteSize() * SLOT.byteSize()),
                noSpace.getMessage());
    }

    @Test
    void cacheLineIsolationGivesEveryElementItsOwnLines() throws Exception {
        FixedRegion isolated = Directory.open(pmem).create("iso", SLOT, 10, RegionAlignment.CACHE_LINE, true);
        assertEquals(64, isolated.info().stride());
        for (int i = 0; i < 10; i++) {
            assertEquals(0, isolated.elementOffset(i) % 64);
            assertEquals(SLOT.byteSize(), isolated.element(i).byteSize());
        }
    }

    @Test
    void layoutsThatBreakTheRulesAreRefused() throws Exception {
        Directory directory = Directory.open(pmem);
        MemoryLayout unpadded = MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_INT.withName("b"));
        DirectoryException e = assertThrows(DirectoryException.class,
                () -> directory.create("bad", unpadded, 1, RegionAlignment.MAPPING, false));
        assertEquals(DirectoryException.Reason.LAYOUT_RULE, e.reason());
        assertTrue(e.getMessage().contains("paddingLayout(4)"), e.getMessage());
        MemoryLayout misaligned = MemoryLayout.structLayout(JAVA_LONG.withByteAlignment(1).withName("a"));
        assertTrue(assertThrows(DirectoryException.class, () -> LayoutRules.check(misaligned))
                .getMessage().contains("element.a"));
        MemoryLayout pointer = MemoryLayout.structLayout(java.lang.foreign.ValueLayout.ADDRESS.withName("next"));
        assertTrue(assertThrows(DirectoryException.class, () -> LayoutRules.check(pointer))
                .getMessage().contains("address"));
        MemoryLayout union = MemoryLayout.unionLayout(JAVA_LONG.withName("l"), JAVA_INT.withName("i"));
        assertTrue(assertThrows(DirectoryException.class, () -> LayoutRules.check(union))
                .getMessage().contains("element.i is 4 bytes in a union of 8"));
    }

    @Test
    void anUnpublishedEntryLeftByACrashIsIgnored() throws Exception {
        Directory directory = Directory.open(pmem);
        FixedRegion region = directory.create("kept", SLOT, 4, RegionAlignment.MAPPING, false);
        directory.create("torn", SLOT, 4, RegionAlignment.MAPPING, false);
        // a crash after step 2's entry write but before its state store: fields present, state 0
        pmem.putLongAtomicAndPersist(Directory.HEADER_BYTES + Directory.ENTRY_BYTES, 0L);
        Directory after = Directory.open(reopen());
        assertEquals(List.of("kept"), after.list().stream().map(RegionInfo::name).toList());
        assertEquals(region.info(), after.find("kept").orElseThrow());
    }

    @Test
    void aDirectoryWhoseMagicWasWipedIsRefusedNotReformatted() throws Exception {
        Directory.open(pmem).create("x", SLOT, 1, RegionAlignment.MAPPING, false);
        pmem.putLongAtomicAndPersist(0, 0L); // no crash of dax4j's leaves this: a region exists only after the magic
        DirectoryException e = assertThrows(DirectoryException.class, () -> Directory.open(reopen()));
        assertEquals(DirectoryException.Reason.NOT_EMPTY, e.reason());
        assertTrue(e.getMessage().contains("byte 64 is 0x56"), "the published entry's state: " + e.getMessage());
    }

    @Test
    void aForeignMagicIsRefused() {
        pmem.putLongAtomicAndPersist(0, 0x1234L);
        DirectoryException e = assertThrows(DirectoryException.class, () -> Directory.open(pmem));
        assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("magic 0x1234"), e.getMessage());
    }
}
