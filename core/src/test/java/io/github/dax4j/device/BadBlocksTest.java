package io.github.dax4j.device;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static io.github.dax4j.device.SysfsFixture.CXL_ND_REGION0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region's {@code badblocks} (512-byte sectors from the region's start) in the bytes of one of its instances,
 * on the layout of the CXL guest: region at 0x490000000, instance 6 MiB into it (the info block before it).
 */
class BadBlocksTest {

    private static final long MIB = 1L << 20;
    private static final long REGION_START = 0x490000000L;
    private static final long DEVICE_START = REGION_START + 6 * MIB;
    private static final long SIZE = 250 * MIB;
    private static final String DEVICE = CXL_ND_REGION0 + "/dax0.0/dax0.0";

    @TempDir
    Path root;

    private SysfsFixture region(String badblocks, boolean addressesReadable) {
        return region(root, badblocks, addressesReadable);
    }

    private SysfsFixture region(Path root, String badblocks, boolean addressesReadable) {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(CXL_ND_REGION0, "dax0.0", "252:0", SIZE, 2 * MIB, 0, 1,
                        addressesReadable ? "0x" + Long.toHexString(DEVICE_START) : null, true)
                .nvdimmRegion(CXL_ND_REGION0, "memory_controller", false)
                .attribute(CXL_ND_REGION0 + "/badblocks", badblocks);
        if (addressesReadable) {
            sys.attribute(CXL_ND_REGION0 + "/resource", "0x" + Long.toHexString(REGION_START));
        }
        return sys;
    }

    private DaxDevice device(SysfsFixture sys) throws IOException {
        return sys.devices().find("dax0.0").orElseThrow();
    }

    private static long sectorAt(long deviceOffset) {
        return (DEVICE_START - REGION_START + deviceOffset) / 512;
    }

    @Test
    void anEmptyListNeedsNoAddresses() throws Exception {
        assertEquals(List.of(), device(region("", false)).badBlocks());
    }

    @Test
    void runsArePlacedInTheInstanceMergedAndCutToIt() throws Exception {
        String list = "0 8\n"                                  // in the info block before the instance: not in it
                + sectorAt(0) + " 8\n" + sectorAt(4096) + " 1\n"   // adjacent runs: one
                + sectorAt(MIB) + " 2\n"
                + sectorAt(SIZE - 512) + " 4\n";                   // runs past the end: cut
        List<BadBlock> bad = device(region(list, true)).badBlocks();
        assertEquals(List.of(new BadBlock(0, 4096 + 512), new BadBlock(MIB, 1024), new BadBlock(SIZE - 512, 512)),
                bad);
    }

    @Test
    void aSubRangeSeesItsOwnRunsAsItsOwnOffsets() throws Exception {
        DaxDevice dax = device(region(sectorAt(2 * MIB + 512) + " 1\n" + sectorAt(8 * MIB) + " 1\n", true));
        assertEquals(List.of(new BadBlock(512, 512)), dax.badBlocks(2 * MIB, 2 * MIB));
        assertEquals(List.of(), dax.badBlocks(4 * MIB, 2 * MIB));
        assertThrows(IllegalArgumentException.class, () -> dax.badBlocks(SIZE - MIB, 2 * MIB));
        assertThrows(IllegalArgumentException.class, () -> dax.badBlocks(-1, 1));
    }

    @Test
    void withoutRootANonEmptyListCannotBePlacedAndSaysSo() throws Exception {
        AccessDeniedException e = assertThrows(AccessDeniedException.class,
                () -> device(region("100 1\n", false)).badBlocks());
        assertTrue(e.getMessage().contains("root"), e.getMessage());
    }

    @Test
    void aDamagedListIsReportedAsDamage() throws Exception {
        SysfsFixture sys = region("", true);
        for (String damaged : List.of("x 1", "5", "5 0", "-1 2", "99999999999999999999 1", "5 1 7")) {
            sys.attribute(CXL_ND_REGION0 + "/badblocks", damaged);
            IOException e = assertThrows(IOException.class, () -> device(sys).badBlocks(), damaged);
            assertTrue(e.getMessage().contains("unexpected content"), e.getMessage());
        }
        sys.attribute(CXL_ND_REGION0 + "/badblocks", Long.MAX_VALUE / 512 + " 1");
        IOException e = assertThrows(IOException.class, () -> device(sys).badBlocks());
        assertTrue(e.getMessage().contains("past"), "an address past 2^64 is damage, not an overflow: " + e);
    }

    @Test
    void aListTheKernelCutAtOnePageIsNeverTakenForTheWholeList() throws Exception {
        StringBuilder full = new StringBuilder();
        for (int i = 0; full.length() < 4096 - 32; i++) {
            full.append(sectorAt(i * 4096L)).append(" 1\n");
        }
        SysfsFixture sys = region(full.toString(), true);
        IOException e = assertThrows(IOException.class, () -> device(sys).badBlocks());
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        Files.writeString(root.resolve(CXL_ND_REGION0 + "/badblocks"), sectorAt(0) + " 1\n" + sectorAt(4096) + " 1");
        e = assertThrows(IOException.class, () -> device(sys).badBlocks());
        assertTrue(e.getMessage().contains("mid-line"), e.getMessage());
        // a kernel of 64 KiB pages shows a list 16 times as long whole
        Files.writeString(root.resolve(CXL_ND_REGION0 + "/badblocks"), full.toString());
        assertEquals(full.toString().lines().count(), BadBlocks.of(device(sys), 65536).size());
    }

    /** A dynamic instance of two ranges, the second {@code pageOffset} pages in. */
    private SysfsFixture twoRanges(String badblocks, String end0, String pageOffset1) throws IOException {
        return region(Files.createTempDirectory(root, "sys"), badblocks, true)
                .attribute(DEVICE + "/mapping0/start", "0x" + Long.toHexString(DEVICE_START))
                .attribute(DEVICE + "/mapping0/end", end0)
                .attribute(DEVICE + "/mapping0/page_offset", "0x0")
                .attribute(DEVICE + "/mapping1/start", "0x" + Long.toHexString(DEVICE_START + 64 * MIB))
                .attribute(DEVICE + "/mapping1/end", "0x" + Long.toHexString(DEVICE_START + 64 * MIB + SIZE - 2 * MIB - 1))
                .attribute(DEVICE + "/mapping1/page_offset", pageOffset1);
    }

    @Test
    void pageOffsetsCountTheRunningKernelsPages() throws Exception {
        String end0 = "0x" + Long.toHexString(DEVICE_START + 2 * MIB - 1);
        String list = sectorAt(64 * MIB + MIB) + " 1\n";
        for (long page : new long[] {4096, 16384, 65536}) {
            DaxDevice dax = device(twoRanges(list, end0, Long.toString(2 * MIB / page)));
            assertEquals(List.of(new BadBlock(2 * MIB + MIB, 512)), BadBlocks.of(dax, page), page + "-byte pages");
            long other = page == 65536 ? 4096 : 65536;
            IOException e = assertThrows(IOException.class, () -> BadBlocks.of(dax, other),
                    page + "-byte page offsets read with " + other + "-byte pages");
            assertTrue(e.getMessage().contains("does not start where"), e.getMessage());
        }
    }

    @Test
    void theRunningKernelsPageSizeIsReadFromItsAuxiliaryVector() throws Exception {
        assertEquals(io.github.dax4j.internal.posix.Libc.pageSize(), KernelPageSize.read(), "what sysconf says");
    }

    @Test
    void rangesThatDoNotAddUpToTheInstanceAreDamageNotAShorterInstance() throws Exception {
        // mapping1 gone (daxctl reconfiguring, or unreadable mid-walk): its bad blocks must not read as none
        SysfsFixture sys = twoRanges(sectorAt(64 * MIB + MIB) + " 1\n", "0x" + Long.toHexString(DEVICE_START + 2 * MIB - 1), "0x200");
        Path mapping1 = sys.root().resolve(DEVICE + "/mapping1");
        for (String attribute : List.of("start", "end", "page_offset")) {
            Files.delete(mapping1.resolve(attribute));
        }
        Files.delete(mapping1);
        IOException e = assertThrows(IOException.class, () -> device(sys).badBlocks());
        assertTrue(e.getMessage().contains("its ranges hold 2097152 of its 262144000 bytes"), e.getMessage());
    }

    @Test
    void aRegionStartPast2To63IsDamage() throws Exception {
        SysfsFixture sys = region(sectorAt(0) + " 1\n", true).attribute(CXL_ND_REGION0 + "/resource", "0x8000000000000000");
        IOException e = assertThrows(IOException.class, () -> device(sys).badBlocks());
        assertTrue(e.getMessage().contains("unexpected content") && e.getMessage().contains("resource"), e.getMessage());
    }

    @Test
    void rangesThatContradictEachOtherOrTheSizeAreDamage() throws Exception {
        String list = sectorAt(64 * MIB + MIB) + " 1\n";
        String end0 = "0x" + Long.toHexString(DEVICE_START + 2 * MIB - 1);
        for (String[] hostile : new String[][] {
                {end0, "3"},                                              // 2 MiB in 3 pages: no page size
                {end0, "1"},                                              // 2 MiB pages: a gap or overlap
                {end0, "0"},                                              // two ranges at page 0
                {end0, Long.toString(Long.MAX_VALUE)},                    // no page size fits
                {"0x" + Long.toHexString(DEVICE_START - 1), "0x200"},    // ends before it starts
                {"0x" + Long.toHexString(DEVICE_START + SIZE - 1), "0x" + Long.toHexString(SIZE / 4096)}}) {
            IOException e = assertThrows(IOException.class, () -> device(twoRanges(list, hostile[0], hostile[1]))
                    .badBlocks(), String.join(", ", hostile));
            assertTrue(e.getMessage().contains("unexpected content"), e.getMessage());
        }
    }

    @Test
    void aDynamicInstanceIsPlacedThroughItsMappings() throws Exception {
        // two physical ranges: device [0, 2 MiB) at DEVICE_START, device [2 MiB, 4 MiB) 64 MiB further
        SysfsFixture sys = region(sectorAt(64 * MIB + MIB) + " 1\n", true)
                .attribute(DEVICE + "/mapping0/start", "0x" + Long.toHexString(DEVICE_START))
                .attribute(DEVICE + "/mapping0/end", "0x" + Long.toHexString(DEVICE_START + 2 * MIB - 1))
                .attribute(DEVICE + "/mapping0/page_offset", "0x0")
                .attribute(DEVICE + "/mapping1/start", "0x" + Long.toHexString(DEVICE_START + 64 * MIB))
                .attribute(DEVICE + "/mapping1/end", "0x" + Long.toHexString(DEVICE_START + 64 * MIB + SIZE - 2 * MIB - 1))
                .attribute(DEVICE + "/mapping1/page_offset", "0x" + Long.toHexString(2 * MIB / 4096));
        assertEquals(List.of(new BadBlock(2 * MIB + MIB, 512)), BadBlocks.of(device(sys), 4096));
    }

    /** Placement against the definition: a device byte is bad iff its sector, counted from the region, is listed. */
    @Property(tries = 200)
    void everyPlacedByteIsInAListedSectorAndEveryListedDeviceSectorIsPlaced(
            @ForAll("runs") List<long[]> runs, @ForAll @IntRange(min = 0, max = 64) int deviceSector,
            @ForAll @IntRange(min = 1, max = 64) int deviceSectors) throws Exception {
        Path dir = Files.createTempDirectory("badblocks");
        try {
            StringBuilder list = new StringBuilder();
            BitSet expected = new BitSet();
            for (long[] run : runs) {
                list.append(run[0]).append(' ').append(run[1]).append('\n');
                for (long s = run[0]; s < run[0] + run[1]; s++) {
                    if (s >= deviceSector && s < deviceSector + deviceSectors) {
                        expected.set((int) (s - deviceSector));
                    }
                }
            }
            String region = SysfsFixture.NFIT_REGION0;
            long start = 0x100000000L;
            SysfsFixture sys = new SysfsFixture(dir)
                    .daxInstance(region, "dax0.0", "252:0", deviceSectors * 512L, 4096, 0, -1,
                            "0x" + Long.toHexString(start + deviceSector * 512L), true)
                    .nvdimmRegion(region, "memory_controller", false)
                    .attribute(region + "/badblocks", list.toString())
                    .attribute(region + "/resource", "0x" + Long.toHexString(start));
            BitSet placed = new BitSet();
            List<BadBlock> blocks = sys.devices().find("dax0.0").orElseThrow().badBlocks();
            for (int i = 0; i < blocks.size(); i++) {
                BadBlock b = blocks.get(i);
                assertEquals(0, b.offset() % 512);
                assertEquals(0, b.length() % 512);
                assertTrue(i == 0 || blocks.get(i - 1).end() < b.offset(), "ordered, merged: " + blocks);
                placed.set((int) (b.offset() / 512), (int) (b.end() / 512));
            }
            assertEquals(expected, placed, blocks.toString());
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<long[]>> runs() {
        Arbitrary<long[]> run = Combinators.combine(Arbitraries.longs().between(0, 160),
                Arbitraries.longs().between(1, 24)).as((sector, count) -> new long[] {sector, count});
        return run.list().ofMaxSize(6).map(ArrayList::new);
    }
}
