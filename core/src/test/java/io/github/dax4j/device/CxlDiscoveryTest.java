package io.github.dax4j.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static io.github.dax4j.device.SysfsFixture.CXL_ND_REGION0;
import static io.github.dax4j.device.SysfsFixture.CXL_ROOT0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device-DAX over CXL memory: the CXL region, its memdevs and the persistence domain, on the sysfs layouts of the
 * CXL guest in {@code core/src/test/devdax-vm} (Linux 6.1: a persistent region through libnvdimm) and of
 * {@code dax_cxl} (a volatile region's instance below the region itself).
 */
class CxlDiscoveryTest {

    private static final long MIB = 1L << 20;
    private static final String MEM0 = "sys/devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0";
    private static final String DECODER2 = CXL_ROOT0 + "/port1/endpoint2/decoder2.0";
    private static final String CXL_REGION0 = CXL_ROOT0 + "/decoder0.0/region0";

    @TempDir
    Path root;

    /** The guest's persistent region as Linux 6.1 lays it out; {@code ndResource} null as a non-root user sees it. */
    private SysfsFixture persistentRegion(String ndResource) {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(CXL_ND_REGION0, "dax0.0", "252:0", 262_144_000, 2 * MIB, 0, 1, null, true)
                .nvdimmRegion(CXL_ND_REGION0, "memory_controller", false)
                .attribute(CXL_ND_REGION0 + "/size", "268435456")
                .cxlMemdev(MEM0, DECODER2, "pmem", "0x1", 512 * MIB, 0)
                .cxlRegion(CXL_REGION0, null, 256 * MIB, "0x490000000", "decoder2.0");
        if (ndResource != null) {
            sys.attribute(CXL_ND_REGION0 + "/resource", ndResource);
        }
        return sys;
    }

    @Test
    void aPersistentCxlRegionIsFoundBehindItsNvdimmBridge() throws Exception {
        DaxDevice dax = persistentRegion("0x490000000").devices().find("dax0.0").orElseThrow();

        assertTrue(dax.isNvdimm(), "a persistent CXL region registers with libnvdimm");
        assertEquals(PersistenceDomain.MEMORY_CONTROLLER, dax.persistenceDomain());
        CxlRegion region = dax.cxlRegion().orElseThrow();
        assertEquals("region0", region.name());
        assertTrue(region.persistent(), "its endpoint decoder decodes pmem");
        assertEquals(256 * MIB, region.size());
        assertEquals(OptionalLong.of(0x490000000L), region.resource());
        assertEquals(1, region.interleaveWays());
        assertEquals(256, region.interleaveGranularity());
        assertEquals(1, region.memdevs().size());
        CxlMemdev memdev = region.memdevs().getFirst();
        assertEquals("mem0", memdev.name());
        assertEquals(OptionalLong.of(1), memdev.serial());
        assertEquals("0000:0d:00.0", memdev.host(), "cxl list's host: the PCI device");
        assertEquals("pci0000:0c", memdev.hostBridge());
        assertEquals("BWFW VERSION 00", memdev.firmwareVersion());
        assertEquals(512 * MIB, memdev.pmemSize());
        assertEquals(0, memdev.ramSize());
        assertEquals(OptionalInt.empty(), memdev.numaNode());
        assertEquals(OptionalInt.of(1), dax.targetNode());
    }

    @Test
    void withoutRootTheOneRegionOfTheSizeIsIt() throws Exception {
        DaxDevice dax = persistentRegion(null).devices().find("dax0.0").orElseThrow();

        assertEquals("region0", dax.cxlRegion().orElseThrow().name());
    }

    @Test
    void twoRegionsOfOneSizeAreNotGuessedBetweenWithoutAddresses() throws Exception {
        SysfsFixture sys = persistentRegion(null)
                .cxlMemdev("sys/devices/pci0000:0c/0000:0c:01.0/0000:0e:00.0/mem1", CXL_ROOT0 + "/port1/endpoint3/decoder3.0",
                        "pmem", "0x2", 512 * MIB, 0)
                .cxlRegion(CXL_ROOT0 + "/decoder0.0/region1", null, 256 * MIB, "0x4a0000000", "decoder3.0");

        DaxDevice dax = sys.devices().find("dax0.0").orElseThrow();

        assertTrue(dax.cxlRegion().isEmpty(), "either could be it: nothing is claimed");
        assertTrue(dax.region().isPresent(), "the libnvdimm region, and so the persistence domain, still holds");
        assertEquals(PersistenceDomain.MEMORY_CONTROLLER, dax.persistenceDomain());
    }

    @Test
    void readableAddressesTellRegionsOfOneSizeApart() throws Exception {
        SysfsFixture sys = persistentRegion("0x4a0000000")
                .cxlMemdev("sys/devices/pci0000:0c/0000:0c:01.0/0000:0e:00.0/mem1", CXL_ROOT0 + "/port1/endpoint3/decoder3.0",
                        "pmem", "0x2", 512 * MIB, 0)
                .cxlRegion(CXL_ROOT0 + "/decoder0.0/region1", null, 256 * MIB, "0x4a0000000", "decoder3.0");

        CxlRegion region = sys.devices().find("dax0.0").orElseThrow().cxlRegion().orElseThrow();

        assertEquals("region1", region.name());
        assertEquals(List.of("mem1"), region.memdevs().stream().map(CxlMemdev::name).toList());
    }

    @Test
    void aVolatileRegionIsNeverTakenForTheNvdimmRegionsCxlRegion() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .daxInstance(CXL_ND_REGION0, "dax0.0", "252:0", 262_144_000, 2 * MIB, 0, 1, null, true)
                .nvdimmRegion(CXL_ND_REGION0, "memory_controller", false)
                .attribute(CXL_ND_REGION0 + "/size", "268435456")
                .cxlMemdev(MEM0, DECODER2, "ram", "0x1", 0, 512 * MIB)
                .cxlRegion(CXL_REGION0, "ram", 256 * MIB, null, "decoder2.0");

        assertTrue(sys.devices().find("dax0.0").orElseThrow().cxlRegion().isEmpty());
    }

    @Test
    void aVolatileCxlRegionsInstanceSitsBelowItAndHasNoPersistenceDomain() throws Exception {
        // dax_cxl (Linux 6.3+): regionK/dax_regionK/daxK.0, no libnvdimm in between
        SysfsFixture sys = new SysfsFixture(root)
                .cxlMemdev(MEM0, DECODER2, "ram", "0x1", 0, 512 * MIB)
                .cxlRegion(CXL_REGION0, "ram", 512 * MIB, null, "decoder2.0")
                .daxInstance(CXL_REGION0 + "/dax_region0", "dax0.0", "252:0", 512 * MIB, 2 * MIB, 0, 1, null, true);

        DaxDevice dax = sys.devices().find("dax0.0").orElseThrow();

        assertFalse(dax.isNvdimm());
        assertEquals(PersistenceDomain.NONE, dax.persistenceDomain(), "CXL RAM: nothing survives power loss");
        CxlRegion region = dax.cxlRegion().orElseThrow();
        assertFalse(region.persistent());
        assertEquals("ram", region.mode());
        assertEquals(512 * MIB, region.memdevs().getFirst().ramSize());
    }

    @Test
    void aRegionWhoseModeSysfsDoesNotSayIsNoEvidenceOfVolatileMemory() throws Exception {
        // no region mode (6.1) and a decoder mode dax4j does not know: persists stay on, the domain UNKNOWN
        for (String decoderMode : new String[] {"mixed", "none"}) {
            SysfsFixture sys = new SysfsFixture(root.resolve(decoderMode))
                    .cxlMemdev(MEM0, DECODER2, decoderMode, "0x1", 0, 512 * MIB)
                    .cxlRegion(CXL_REGION0, null, 512 * MIB, null, "decoder2.0")
                    .daxInstance(CXL_REGION0 + "/dax_region0", "dax0.0", "252:0", 512 * MIB, 2 * MIB, 0, 1, null,
                            true);

            DaxDevice dax = sys.devices().find("dax0.0").orElseThrow();

            assertEquals("", dax.cxlRegion().orElseThrow().mode(), decoderMode);
            assertFalse(dax.cxlRegion().orElseThrow().isVolatile());
            assertEquals(PersistenceDomain.UNKNOWN, dax.persistenceDomain(), decoderMode);
        }
    }

    @Test
    void interleaveAttributesBeyondWhatCxlAllowsAreRefusedNamingTheAttribute() throws Exception {
        for (String[] hostile : new String[][] {{"interleave_ways", "4294967297"}, {"interleave_ways", "17"},
                {"interleave_ways", "-1"}, {"interleave_granularity", "2147483648"}}) {
            SysfsFixture sys = new SysfsFixture(root.resolve(hostile[0] + hostile[1]))
                    .cxlMemdev(MEM0, DECODER2, "ram", "0x1", 0, 512 * MIB)
                    .cxlRegion(CXL_REGION0, "ram", 512 * MIB, null, "decoder2.0")
                    .attribute(CXL_REGION0 + "/" + hostile[0], hostile[1])
                    .daxInstance(CXL_REGION0 + "/dax_region0", "dax0.0", "252:0", 512 * MIB, 2 * MIB, 0, 1, null,
                            true);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> sys.devices().find("dax0.0"), hostile[0] + " = " + hostile[1]);
            assertTrue(e.getMessage().contains(hostile[0]) && e.getMessage().contains(hostile[1]), e.getMessage());
        }
    }

    @Test
    void anInterleavedRegionListsItsMemdevsInPositionOrder() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .cxlMemdev("sys/devices/pci0000:0c/0000:0c:01.0/0000:0e:00.0/mem1", CXL_ROOT0 + "/port1/endpoint3/decoder3.0",
                        "ram", "0x2", 0, 512 * MIB)
                .cxlMemdev("sys/devices/pci0000:34/0000:34:00.0/0000:35:00.0/mem0", CXL_ROOT0 + "/port2/endpoint4/decoder4.0",
                        "ram", "0x1", 0, 512 * MIB)
                .cxlRegion(CXL_REGION0, "ram", GIB, null, "decoder3.0", "decoder4.0")
                .daxInstance(CXL_REGION0 + "/dax_region0", "dax0.0", "252:0", GIB, 2 * MIB, 0, 1, null, true);

        CxlRegion region = sys.devices().find("dax0.0").orElseThrow().cxlRegion().orElseThrow();

        assertEquals(2, region.interleaveWays());
        assertEquals(List.of("mem1", "mem0"), region.memdevs().stream().map(CxlMemdev::name).toList());
        assertEquals(List.of("pci0000:0c", "pci0000:34"), region.memdevs().stream().map(CxlMemdev::hostBridge).toList(),
                "interleaved across host bridges");
    }

    @Test
    void aRegionWhoseTargetsAreMissingHasNoMemdevsRatherThanSomeOfThem() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .cxlMemdev(MEM0, DECODER2, "ram", "0x1", 0, 512 * MIB)
                .cxlRegion(CXL_REGION0, "ram", GIB, null, "decoder2.0", "decoder9.0")
                .daxInstance(CXL_REGION0 + "/dax_region0", "dax0.0", "252:0", GIB, 2 * MIB, 0, 1, null, true);

        CxlRegion region = sys.devices().find("dax0.0").orElseThrow().cxlRegion().orElseThrow();

        assertEquals(List.of(), region.memdevs());
    }

    @Test
    void theBlockDeviceOfADaxFileSystemHasItsRegionsDomain() throws Exception {
        SysfsFixture sys = new SysfsFixture(root)
                .nvdimmRegion(SysfsFixture.NFIT_REGION0, "cpu_cache", false)
                .attribute(SysfsFixture.NFIT_REGION0 + "/namespace0.0/block/pmem0/pmem0p1/partition", "1")
                .link("sys/dev/block/259:0", SysfsFixture.NFIT_REGION0 + "/namespace0.0/block/pmem0")
                .link("sys/dev/block/259:1", SysfsFixture.NFIT_REGION0 + "/namespace0.0/block/pmem0/pmem0p1")
                .attribute("sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/size", "1")
                .link("sys/dev/block/8:0", "sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
        DaxDevices devices = sys.devices();

        assertEquals(PersistenceDomain.CPU_CACHE, devices.persistenceDomainOfBlockDevice(259, 0));
        assertEquals(PersistenceDomain.CPU_CACHE, devices.persistenceDomainOfBlockDevice(259, 1), "a partition");
        assertEquals(PersistenceDomain.UNKNOWN, devices.persistenceDomainOfBlockDevice(8, 0), "a disk");
        assertEquals(PersistenceDomain.UNKNOWN, devices.persistenceDomainOfBlockDevice(7, 3), "no such device");
    }

    private static final long GIB = 1L << 30;
}
