package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entries forged with valid checksums: each breaks one invariant of the directory's format, alone or in relation to
 * another entry, and each open refuses the directory as {@code CORRUPTED}, naming the invariant. Before, every
 * entry was checked alone, so two regions that overlapped opened and writes to one changed the other.
 */
class ForgedDirectoryTest {

    private static final long SIZE = 8L << 20;
    // entry fields, as the format in Directory's Javadoc lays them out
    private static final long E_OFFSET = 8, E_STRIDE = 24, E_ALIGN = 32, E_FLAGS = 36, E_NAME_LENGTH = 68,
            E_ELEMENT_SIZE = 72, E_NAME = 80, E_CHECKSUM = 120;

    private TmpfsDevice device;
    private DaxMapping pmem;
    private RegionInfo first;
    private RegionInfo second;

    @BeforeEach
    void twoRegions() throws Exception {
        device = TmpfsDevice.create(SIZE);
        pmem = device.mapping();
        Directory directory = Directory.open(pmem);
        first = directory.create("first", DirectoryTest.SLOT, 16, RegionAlignment.CACHE_LINE, false).info();
        second = directory.create("second", DirectoryTest.SLOT, 16, RegionAlignment.CACHE_LINE, false).info();
    }

    @AfterEach
    void unmap() {
        device.close();
    }

    /** Changes entry {@code slot} and seals it again with a valid CRC, as a forger would. */
    private void forge(int slot, Consumer<MemorySegment> change) {
        MemorySegment entry = pmem.segment().asSlice(Directory.HEADER_BYTES + (long) slot * Directory.ENTRY_BYTES,
                Directory.ENTRY_BYTES);
        change.accept(entry);
        CRC32C crc = new CRC32C();
        crc.update(entry.asSlice(8, E_CHECKSUM - 8).asByteBuffer());
        entry.set(JAVA_LONG_UNALIGNED, E_CHECKSUM, crc.getValue());
    }

    private String refused(String invariant) {
        DirectoryException e = assertThrows(DirectoryException.class, () -> Directory.open(pmem));
        assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains(invariant), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theForgerIsHonestWithoutAChange() throws Exception {
        forge(1, entry -> { });
        assertEquals(2, Directory.open(pmem).list().size());
    }

    @Test
    void overlappingRegionsAreDamage() {
        forge(1, entry -> entry.set(JAVA_LONG_UNALIGNED, E_OFFSET, first.offset() + 64)); // aligned, inside the first
        String message = refused("invariant 9");
        assertTrue(message.contains("entries 0 and 1") && message.contains("overlap"), message);
    }

    @Test
    void aRegionOverItsOwnOrAnotherLayoutTextIsDamage() throws Exception {
        long firstText = pmem.segment().get(JAVA_LONG_UNALIGNED, Directory.HEADER_BYTES + 56);
        forge(1, entry -> entry.set(JAVA_LONG_UNALIGNED, E_OFFSET, firstText & -64));
        refused("invariant 9");
    }

    @Test
    void duplicateNamesAreDamage() {
        forge(1, entry -> {
            entry.set(JAVA_INT_UNALIGNED, E_NAME_LENGTH, 5);
            MemorySegment.copy(MemorySegment.ofArray("first\0".getBytes()), 0, entry, E_NAME, 6);
        });
        String message = refused("invariant 8");
        assertTrue(message.contains("both named 'first'"), message);
    }

    @Test
    void aNameThatIsNotUtf8IsDamage() {
        forge(1, entry -> entry.set(JAVA_BYTE, E_NAME, (byte) 0xff));
        refused("invariant 3");
    }

    @Test
    void aMisalignedOffsetIsDamage() {
        forge(1, entry -> entry.set(JAVA_LONG_UNALIGNED, E_OFFSET, second.offset() + 8));
        refused("invariant 5");
    }

    @Test
    void alignmentZeroOrNotAPowerOfTwoIsDamage() {
        forge(1, entry -> entry.set(JAVA_INT_UNALIGNED, E_ALIGN, 0));
        refused("invariant 5");
        forge(1, entry -> entry.set(JAVA_INT_UNALIGNED, E_ALIGN, 96));
        refused("invariant 5");
    }

    @Test
    void aStrideThatDisagreesWithTheElementSizeOrAnUnknownFlagIsDamage() {
        forge(1, entry -> entry.set(JAVA_LONG_UNALIGNED, E_STRIDE, second.stride() + 8));
        refused("invariant 4");
        forge(1, entry -> {
            entry.set(JAVA_LONG_UNALIGNED, E_STRIDE, second.stride());
            entry.set(JAVA_INT_UNALIGNED, E_FLAGS, 2);
        });
        refused("invariant 4");
    }

    @Test
    void anElementSizeOtherThanTheLayoutsIsDamageWhenTheRegionIsOpened() throws Exception {
        forge(1, entry -> {
            entry.set(JAVA_LONG_UNALIGNED, E_ELEMENT_SIZE, 1);
            entry.set(JAVA_LONG_UNALIGNED, E_STRIDE, 1);
        });
        Directory directory = Directory.open(pmem); // consistent in itself: 16 elements of 1 byte
        DirectoryException e = assertThrows(DirectoryException.class,
                () -> directory.open("second", DirectoryTest.SLOT));
        assertEquals(DirectoryException.Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("records elements of 1 bytes") && e.getMessage().contains("24 bytes"),
                e.getMessage());
    }

    @Test
    void aNameThatDoesNotEncodeIsRefusedNotStoredAsAQuestionMark() throws Exception {
        Directory directory = Directory.open(pmem);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> directory.create("\uD800", DirectoryTest.SLOT, 1, RegionAlignment.CACHE_LINE, false));
        assertTrue(e.getMessage().contains("\\uD800"), e.getMessage());
        assertEquals(2, directory.list().size(), "nothing was created");
    }
}
