package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault size a mapping reports is the one the kernel uses, as {@code /proc/self/smaps} shows it: huge pages on
 * hugetlbfs ({@code KernelPageSize}) and on tmpfs mounted {@code huge=always} ({@code ShmemPmdMapped}). The tests
 * mount what they need (root) and skip with the reason where the machine cannot provide it.
 */
class FaultGranularityTest {

    private static final long M2 = Alignment.HUGE_2M.bytes();
    private static final long G1 = Alignment.HUGE_1G.bytes();

    @Test
    void hugetlbfsWith2MiBPagesFaultsAt2MiB() throws Exception {
        try (TestMounts.Mount mount = TestMounts.hugetlbfs(M2, 2)) {
            assertHugetlbfsFaultsAt(mount.directory().resolve("dev"), M2, 2 * M2);
        }
    }

    @Test
    void hugetlbfsWith1GiBPagesFaultsAt1GiB() throws Exception {
        try (TestMounts.Mount mount = TestMounts.hugetlbfs(G1, 1)) {
            assertHugetlbfsFaultsAt(mount.directory().resolve("dev"), G1, G1);
        }
    }

    private void assertHugetlbfsFaultsAt(Path device, long pageSize, long length) throws Exception {
        MapOptions options = MapOptions.ofLength(length).createIfAbsent().emulateMapSync().strict(true)
                .prefault();
        try (DaxMapping pmem = DaxMapping.open(device, options)) {
            assertEquals(FileSystemKind.HUGETLBFS, pmem.fileSystem());
            assertEquals(Alignment.ofBytes(pageSize), pmem.alignment(), "hugetlbfs maps at its page size");
            assertEquals(pageSize, pmem.faultSize());
            long address = pmem.segment().address();
            assertEquals(0, address % pageSize, "placed on a huge page boundary");
            touchEveryPage(pmem.segment(), pageSize);
            assertEquals(pageSize >> 10, ProcMaps.smapsField(address, "KernelPageSize"), "kB per kernel page");
            assertEquals(pageSize >> 10, ProcMaps.smapsField(address, "MMUPageSize"), "kB per MMU page");
            pmem.persist(0, length);
        }
    }

    @Test
    void tmpfsMountedHugeAlwaysFaultsAt2MiB() throws Exception {
        try (TestMounts.Mount mount = TestMounts.tmpfs("huge=always,size=64m")) {
            Path device = mount.directory().resolve("dev");
            long length = 4 * M2;
            MapOptions options = MapOptions.ofLength(length).createIfAbsent().emulateMapSync()
                    .alignment(Alignment.HUGE_2M).strict(true);
            try (DaxMapping pmem = DaxMapping.open(device, options)) {
                assertEquals(FileSystemKind.TMPFS, pmem.fileSystem());
                assertEquals(M2, pmem.faultSize(), "huge=always is detected from mountinfo");
                long address = pmem.segment().address();
                assertEquals(0, address % M2, "placed on a 2 MiB boundary");
                touchEveryPage(pmem.segment(), M2);
                assertEquals(length >> 10, ProcMaps.smapsField(address, "ShmemPmdMapped"),
                        "every 2 MiB is mapped by one PMD");
            }
        }
    }

    @Test
    void tmpfsWithoutHugePagesFaultsAt4KiBAndRefusesStrict2MiB() throws Exception {
        try (TestMounts.Mount mount = TestMounts.tmpfs("huge=never,size=16m")) {
            Path device = mount.directory().resolve("dev");
            MapOptions options = MapOptions.ofLength(2 * M2).createIfAbsent().emulateMapSync()
                    .alignment(Alignment.HUGE_2M);
            try (DaxMapping pmem = DaxMapping.open(device, options)) {
                assertEquals(4096, pmem.faultSize());
                assertEquals(0, pmem.segment().address() % M2, "2 MiB aligned all the same");
                touchEveryPage(pmem.segment(), 4096);
                assertEquals(0, ProcMaps.smapsField(pmem.segment().address(), "ShmemPmdMapped"));
            }
            AlignmentException e = org.junit.jupiter.api.Assertions.assertThrows(AlignmentException.class,
                    () -> DaxMapping.open(device, options.strict(true)));
            assertTrue(e.getMessage().contains("huge=always"), e.getMessage());
        }
    }

    private static void touchEveryPage(MemorySegment memory, long pageSize) {
        for (long at = 0; at < memory.byteSize(); at += Math.min(pageSize, 4096)) {
            memory.set(JAVA_LONG, at, at);
        }
    }
}
