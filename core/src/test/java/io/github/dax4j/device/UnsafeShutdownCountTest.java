package io.github.dax4j.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unsafe shutdown count of an instance: its region's interleave set ({@code mappingN}) and each device's
 * {@code dirty_shutdown}, on the sysfs variants of NFIT NVDIMMs and of CXL memdevs (Linux 6.15), and where there is
 * none (QEMU's NVDIMMs, CXL on 6.1).
 */
class UnsafeShutdownCountTest {

    private static final String NDBUS = "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0";
    private static final String REGION = SysfsFixture.NFIT_REGION0;

    @TempDir
    Path root;

    private SysfsFixture interleaved(String... mappings) {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(REGION, "dax0.0", "252:0", 1L << 30, 2L << 20, 0, -1, null, true)
                .nvdimmRegion(REGION, "memory_controller", false)
                .attribute(REGION + "/mappings", Integer.toString(mappings.length));
        for (int i = 0; i < mappings.length; i++) {
            sys.attribute(REGION + "/mapping" + i, mappings[i]);
        }
        return sys;
    }

    private Optional<UnsafeShutdownCount> count(SysfsFixture sys) throws IOException {
        return sys.devices().find("dax0.0").orElseThrow().unsafeShutdownCount();
    }

    @Test
    void anInterleaveSetSumsItsDimmsInPositionOrder() throws Exception {
        SysfsFixture sys = interleaved("nmem1,0,536870912,1", "nmem0,0,536870912,0")
                .attribute(NDBUS + "/nmem0/nfit/dirty_shutdown", "2")
                .attribute(NDBUS + "/nmem0/nfit/id", "8089-a2-1837-00000bb3")
                .attribute(NDBUS + "/nmem1/nfit/dirty_shutdown", "5")
                .attribute(NDBUS + "/nmem1/nfit/id", "8089-a2-1837-00000bb4");
        assertEquals(Optional.of(new UnsafeShutdownCount(List.of("nfit:8089-a2-1837-00000bb3",
                "nfit:8089-a2-1837-00000bb4"), 7)), count(sys));
    }

    @Test
    void aCxlMemdevsCountComesFromItsCxlGroup() throws Exception {
        SysfsFixture sys = interleaved("nmem0,0,268435456,0")
                .attribute(NDBUS + "/nmem0/cxl/dirty_shutdown", "1")
                .attribute(NDBUS + "/nmem0/cxl/id", "1");
        assertEquals(Optional.of(new UnsafeShutdownCount(List.of("cxl:1"), 1)), count(sys));
    }

    @Test
    void oneDimmWithoutACountMakesTheSumUnknown() throws Exception {
        SysfsFixture sys = interleaved("nmem0,0,536870912,0", "nmem1,0,536870912,1")
                .attribute(NDBUS + "/nmem0/nfit/dirty_shutdown", "0")
                .attribute(NDBUS + "/nmem1/nfit/serial", "0x1234"); // QEMU's: no smart health, no count
        assertEquals(Optional.empty(), count(sys), "a partial sum would hide the DIMM that failed");
    }

    @Test
    void noRegionNoCount() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance("sys/devices/platform/hmem.0", "dax0.0", "252:0", 1L << 30, 2L << 20, 0, 1, null, true);
        assertEquals(Optional.empty(), count(sys));
        deleteFixture();
        assertEquals(Optional.empty(), count(interleaved()), "a region without mappings");
    }

    @Test
    void aDamagedInterleaveSetOrCountIsReportedAsDamage() throws Exception {
        for (String damaged : List.of("nmem0", "nmem0,0,1", "disk0,0,1,0", "nmem0,0,1,x", "nmem0,0,1,-1")) {
            IOException e = assertThrows(IOException.class, () -> count(interleaved(damaged)), damaged);
            assertTrue(e.getMessage().contains("unexpected content"), e.getMessage());
            deleteFixture();
        }
        IOException twice = assertThrows(IOException.class, () -> count(interleaved("nmem0,0,1,0", "nmem1,0,1,0")));
        assertTrue(twice.getMessage().contains("each position once"), twice.getMessage());
        deleteFixture();
        SysfsFixture negative = interleaved("nmem0,0,1,0").attribute(NDBUS + "/nmem0/nfit/dirty_shutdown", "-3");
        assertThrows(IOException.class, () -> count(negative));
    }

    private void deleteFixture() throws IOException {
        try (var walk = java.nio.file.Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(root)).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
