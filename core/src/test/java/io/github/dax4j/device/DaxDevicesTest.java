package io.github.dax4j.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Discovery of device-DAX instances from sysfs trees as the kernel documents them. */
class DaxDevicesTest {

    private static final long GIB = 1L << 30;
    private static final long MIB2 = 2L << 20;

    @TempDir
    Path root;

    @Test
    void anNvdimmBackedInstanceIsListedWithItsRegion() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", 4 * GIB, MIB2, 0, -1,
                        "0x140000000", true)
                .nvdimmRegion(SysfsFixture.NFIT_REGION0, "memory_controller", true);

        DaxDevice dax = sys.devices().list().getFirst();

        assertEquals("dax0.0", dax.name());
        assertEquals(root.resolve("dev/dax0.0"), dax.devicePath());
        assertEquals(4 * GIB, dax.size());
        assertEquals(MIB2, dax.align());
        assertEquals(OptionalInt.of(0), dax.numaNode());
        assertEquals(OptionalInt.empty(), dax.targetNode(), "a negative target_node is absent");
        assertEquals(OptionalLong.of(0x140000000L), dax.resource());
        assertTrue(dax.isNvdimm());
        NvdimmRegion region = dax.region().orElseThrow();
        assertEquals("region0", region.name());
        assertEquals(PersistenceDomain.MEMORY_CONTROLLER, region.persistenceDomain());
        assertEquals(PersistenceDomain.MEMORY_CONTROLLER, dax.persistenceDomain(), "the region's");
        assertTrue(dax.cxlRegion().isEmpty(), "an NFIT region is no CXL region");
        assertTrue(region.deepFlush().orElseThrow().endsWith("region0/deep_flush"));
        assertTrue(region.badblocks().orElseThrow().endsWith("region0/badblocks"));
    }

    @Test
    void aCpuCachePersistenceDomainMeansEadr() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", GIB, MIB2, 0, -1, null, true)
                .nvdimmRegion(SysfsFixture.NFIT_REGION0, "cpu_cache", false);

        NvdimmRegion region = sys.devices().list().getFirst().region().orElseThrow();

        assertEquals(PersistenceDomain.CPU_CACHE, region.persistenceDomain());
        assertEquals(Optional.empty(), region.deepFlush());
    }

    @Test
    void aCxlOrHmemInstanceHasNoNvdimmRegionAndATargetNode() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance("sys/devices/platform/hmem.0", "dax1.0", "251:0", 16 * GIB, MIB2, 0, 2,
                        "0x1080000000", true);

        DaxDevice dax = sys.devices().list().getFirst();

        assertEquals("dax1.0", dax.name());
        assertFalse(dax.isNvdimm());
        assertEquals(OptionalInt.of(2), dax.targetNode());
        assertEquals(PersistenceDomain.NONE, dax.persistenceDomain(), "hmem: volatile");
        assertTrue(dax.cxlRegion().isEmpty(), "hmem is not CXL");
    }

    @Test
    void anInstanceWithNoRegionAndNoSignOfVolatilityHasAnUnknownDomain() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance("sys/devices/platform/some_dax_driver.0", "dax4.0", "251:0", GIB, MIB2, 0, 1, null,
                        true)
                .daxInstance("sys/devices/platform/hmem_x.1", "dax5.0", "251:1", GIB, MIB2, 0, 1, null, true);

        for (DaxDevice dax : sys.devices().list()) {
            assertEquals(PersistenceDomain.UNKNOWN, dax.persistenceDomain(),
                    dax.sysfsPath() + ": no region is not proof of volatile memory; flushed as persistent");
        }
    }

    @Test
    void theBoundDriverGivesTheModeAsDaxctlNamesIt() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance("sys/devices/platform/hmem.0", "dax1.0", "251:0", 16 * GIB, MIB2, 0, 2, null, true)
                .daxInstance("sys/devices/platform/hmem.1", "dax2.0", "251:1", 16 * GIB, MIB2, 0, 3, null, true)
                .daxInstance("sys/devices/platform/hmem.2", "dax3.0", "251:2", 16 * GIB, MIB2, 0, 4, null, true)
                .driver("dax2.0", "kmem")
                .driver("dax3.0", null);

        List<DaxDevice> devices = sys.devices().list();

        assertEquals(List.of(Optional.of("device_dax"), Optional.of("kmem"), Optional.empty()),
                devices.stream().map(DaxDevice::driver).toList());
        assertEquals(List.of("devdax", "system-ram", "devdax"), devices.stream().map(DaxDevice::mode).toList());
    }

    @Test
    void beforeLinux510TheAlignComesFromTheDaxRegion() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", GIB, GIB, -1, -1, null, false);

        DaxDevice dax = sys.devices().list().getFirst();

        assertEquals(GIB, dax.align());
        assertEquals(OptionalInt.empty(), dax.numaNode(), "numa_node -1 is absent");
    }

    @Test
    void anUnreadableResourceIsAbsentNotAnError() throws IOException {
        // a write-only sysfs attribute refuses reads even to root, as resource (0400) does to other users
        Path writeOnly = Path.of("/sys/bus/pci/rescan");
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        assumeTrue(Files.exists(writeOnly) || !asRoot,
                "needs /sys/bus/pci/rescan (write-only) or a user other than root to make an unreadable attribute");
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", GIB, MIB2, 0, -1, null, true);
        String resource = SysfsFixture.NFIT_REGION0 + "/dax0.0/dax0.0/resource";
        if (Files.exists(writeOnly)) {
            sys.absoluteLink(resource, writeOnly);
        } else {
            sys.attribute(resource, "0x140000000");
            Files.setPosixFilePermissions(root.resolve(resource), java.util.Set.of());
        }

        DaxDevice dax = sys.devices().list().getFirst();

        assertEquals(OptionalLong.empty(), dax.resource());
        assertEquals(GIB, dax.size(), "the other attributes are still read");
        // the link leaves the temporary directory: removed here, so that JUnit's clean-up need not warn about it
        Files.deleteIfExists(root.resolve(resource));
    }

    @Test
    void aMachineWithoutDeviceDaxListsNothing() throws Exception {
        assertEquals(List.of(), DaxDevices.at(root).list());
        assertEquals(Optional.empty(), DaxDevices.at(root).byDeviceNumber(252, 0));
    }

    @Test
    void instancesAreListedInNameOrder() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.1", "252:1", GIB, MIB2, 0, -1, null, true)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", GIB, MIB2, 0, -1, null, true)
                .daxInstance("sys/devices/platform/hmem.0", "dax1.0", "251:0", GIB, MIB2, 0, 1, null, true);

        assertEquals(List.of("dax0.0", "dax0.1", "dax1.0"),
                sys.devices().list().stream().map(DaxDevice::name).toList());
        assertEquals("dax0.1", sys.devices().find("dax0.1").orElseThrow().name());
    }

    @Test
    void aCharacterDeviceIsDeviceDaxOnlyWhenItsSubsystemIsTheDaxBus() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", GIB, MIB2, 0, -1, null, true)
                .attribute("sys/devices/virtual/mem/zero/dev", "1:5")
                .link("sys/devices/virtual/mem/zero/subsystem", "sys/class/mem")
                .link("sys/dev/char/1:5", "sys/devices/virtual/mem/zero");

        assertEquals("dax0.0", sys.devices().byDeviceNumber(252, 0).orElseThrow().name());
        assertEquals(Optional.empty(), sys.devices().byDeviceNumber(1, 5), "/dev/zero is class mem");
        assertEquals(Optional.empty(), sys.devices().byDeviceNumber(1, 3), "not in sysfs at all");
    }

    @Test
    void oldKernelsWithTheDaxClassAreRecognised() throws Exception {
        String device = "sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax/dax0.0";
        SysfsFixture sys = new SysfsFixture(root)
                .attribute(device + "/size", Long.toString(GIB))
                .attribute(device + "/../../dax_region/align", Long.toString(MIB2))
                .link(device + "/subsystem", "sys/class/dax")
                .link("sys/class/dax/dax0.0", device)
                .link("sys/dev/char/250:0", device);

        DaxDevice dax = sys.devices().byDeviceNumber(250, 0).orElseThrow();

        assertEquals("dax0.0", dax.name());
        assertEquals(GIB, dax.size());
        assertEquals(List.of("dax0.0"), sys.devices().list().stream().map(DaxDevice::name).toList());
        assertTrue(dax.isNvdimm());
    }

    @Test
    void theRealMachineListsWithoutError() throws Exception {
        // no persistent memory here: an empty list; with it, every instance must have a size and an align
        for (DaxDevice dax : DaxDevices.system().list()) {
            assertTrue(dax.size() > 0 && dax.align() > 0, dax.toString());
        }
    }
}
