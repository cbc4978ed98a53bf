package io.github.dax4j;

import io.github.dax4j.device.CxlMemdev;
import io.github.dax4j.device.CxlRegion;
import io.github.dax4j.device.DaxDevice;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.internal.posix.FileStatus;
import io.github.dax4j.internal.posix.Libc;
import io.github.dax4j.Granularity;
import io.github.dax4j.PersistMechanism;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * dax4j on a real device-DAX instance, with the kernel's own driver: run where {@code DAX4J_TEST_DEVICE} names
 * one ({@code DAX4J_TEST_DEVICE=/dev/dax0.0 ./mvnw verify}, or the QEMU guest of {@code core/src/test/devdax-vm}),
 * skipped elsewhere. The device's contents are overwritten.
 */
@Tag("devdax")
class RealDeviceDaxTest {

    private static final String DEVICE = System.getenv("DAX4J_TEST_DEVICE");
    private static final long MARKER = 0x0da4_ba5e_d0d0_cafeL;

    private Path path;
    private DaxDevice device;

    @BeforeEach
    void findDevice() throws Exception {
        assumeTrue(DEVICE != null && !DEVICE.isBlank(),
                "needs a device-DAX instance to overwrite: set DAX4J_TEST_DEVICE=/dev/daxX.Y");
        path = Path.of(DEVICE);
        int fd = Libc.open(DEVICE, Libc.O_PATH | Libc.O_CLOEXEC, 0);
        FileStatus status;
        try {
            status = Libc.fstat(fd, DEVICE);
        } finally {
            Libc.close(fd);
        }
        device = DaxDevices.system().byDeviceNumber(FileStatus.major(status.rdev()), FileStatus.minor(status.rdev()))
                .orElseThrow(() -> new AssertionError(DEVICE + " is not device-DAX according to sysfs"));
    }

    @Test
    void discoveryListsTheDeviceWithItsRealSizeAndAlign() throws Exception {
        DaxDevice listed = DaxDevices.system().find(device.name()).orElseThrow();
        assertEquals(device, listed);
        assertTrue(listed.size() > 0, "size from sysfs: " + listed);
        assertTrue(listed.align() == 4096 || listed.align() == 2L << 20 || listed.align() == 1L << 30, listed.toString());
        assertEquals(path, listed.devicePath());
        // in the QEMU guest, daxctl's view of the same instance (its JSON, read by the guest's init)
        expected("DAX4J_TEST_EXPECT_SIZE").ifPresent(size -> assertEquals(Long.parseLong(size), listed.size(),
                "daxctl list"));
        expected("DAX4J_TEST_EXPECT_ALIGN").ifPresent(align -> assertEquals(Long.parseLong(align), listed.align(),
                "daxctl list"));
        expected("DAX4J_TEST_EXPECT_MODE").ifPresent(mode -> assertEquals(mode, listed.mode(), "daxctl list"));
        assertEquals(Optional.of("device_dax"), listed.driver());
    }

    private static Optional<String> expected(String variable) {
        return Optional.ofNullable(System.getenv(variable)).filter(value -> !value.isBlank());
    }

    /** Whether the memory is volatile (a CXL RAM region): as the guest's init says, else as dax4j reads sysfs. */
    private boolean volatileMemory() {
        return expected("DAX4J_TEST_EXPECT_PERSISTENCE_DOMAIN").map("none"::equals)
                .orElse(device.persistenceDomain() == PersistenceDomain.NONE);
    }

    /** A persist, or on volatile memory its refusal. */
    private void persist(DaxMapping dax, long offset, long length) {
        if (volatileMemory()) {
            assertThrows(VolatileMemoryException.class, () -> dax.persist(offset, length), "volatile memory");
        } else {
            dax.persist(offset, length);
        }
    }

    @Test
    void thePersistenceDomainAndTheCxlRegionAreWhatTheKernelSays() throws Exception {
        Optional<String> backing = expected("DAX4J_TEST_EXPECT_BACKING");
        assumeTrue(backing.isPresent(), "in the QEMU guest only, where its init reads what the kernel says");
        assertEquals(expected("DAX4J_TEST_EXPECT_PERSISTENCE_DOMAIN").orElse("unknown"),
                device.persistenceDomain().attributeName(), "the region's persistence_domain");
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource())) {
            assertEquals(device.persistenceDomain(), dax.persistenceDomain());
        }
        assertEquals(!expected("DAX4J_TEST_EXPECT_SHUTDOWN_COUNTS").orElse("0").equals("0"),
                device.unsafeShutdownCount().isPresent(), "dirty_shutdown attributes in sysfs: "
                        + expected("DAX4J_TEST_EXPECT_SHUTDOWN_COUNTS").orElse("0"));
        assertEquals(List.of(), device.badBlocks(), "the emulated media has no errors");
        if (backing.get().equals("cxl") || backing.get().equals("cxl-ram")) {
            CxlRegion region = device.cxlRegion().orElseThrow(() -> new AssertionError("no CXL region: " + device));
            assertEquals(backing.get().equals("cxl"), region.persistent(), region.toString());
            assertTrue(region.size() >= device.size(), region.toString());
            CxlMemdev memdev = region.memdevs().getFirst();
            assertEquals(expected("DAX4J_TEST_EXPECT_CXL_MEMDEV").orElseThrow(), memdev.name(), "cxl list -M");
            assertEquals(OptionalLong.of(Long.decode(expected("DAX4J_TEST_EXPECT_CXL_SERIAL").orElseThrow())),
                    memdev.serial(), "cxl list -M");
            assertEquals(expected("DAX4J_TEST_EXPECT_CXL_HOST").orElseThrow(), memdev.host(), "cxl list -M");
            assertTrue(memdev.hostBridge().startsWith("pci"), memdev.toString());
        } else {
            assertEquals(Optional.empty(), device.cxlRegion(), "an NFIT NVDIMM is no CXL region");
        }
    }

    /**
     * Every fault-size page keeps what was written to it, read back through another mapping. A CXL host bridge
     * whose decoder was never programmed (QEMU with one root port on Linux 6.1) maps without error but reads 0
     * and drops writes: this is the check that sees it.
     */
    @Test
    void everyPageHoldsWhatWasWrittenReadThroughAnotherMapping() throws Exception {
        long align = device.align();
        long pages = device.size() / align;
        long seed = System.nanoTime();
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource())) {
            for (long page = 0; page < pages; page++) {
                dax.putLong(page * align, seed + page);
                dax.putLong(page * align + align - 16, ~(seed + page));
                persist(dax, page * align, 8);
                persist(dax, page * align + align - 16, 8);
            }
        }
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource().readOnly())) {
            for (long page = 0; page < pages; page++) {
                assertEquals(seed + page, dax.getLong(page * align), "page " + page + " of " + pages);
                assertEquals(~(seed + page), dax.getLong(page * align + align - 16), "end of page " + page);
            }
        }
    }

    @Test
    void theWholeDeviceMapsSynchronouslyAtItsAlignAndFaultsAtIt() throws Exception {
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource())) {
            assertEquals(device.size(), dax.byteSize());
            assertEquals(device.align(), dax.alignment().bytes());
            assertEquals(0, dax.segment().address() % device.align());
            assertTrue(dax.isSynchronous());
            assertNotEquals(PersistMechanism.MSYNC, dax.persistMechanism());
            dax.segment().set(JAVA_LONG, 0, 1L);
            if (volatileMemory()) { // nothing flushes, every persist call is refused
                assertEquals(PersistMechanism.NONE, dax.persistMechanism(), dax.toString());
                assertEquals(Granularity.BYTE, dax.granularity(), dax.toString());
                assertThrows(VolatileMemoryException.class, () -> dax.persist(0, 8));
                assertThrows(VolatileMemoryException.class, () -> dax.deepFlush(0, 8));
            } else {
                assertEquals(Granularity.CACHE_LINE, dax.granularity(), dax.toString());
                dax.persist(0, 8); // msync would be EINVAL here: this is a CPU flush
                dax.deepFlush(0, 8); // and the region's deep_flush, where it has flush hints
            }
            assertEquals(device.align() >> 10, ProcMaps.smapsField(dax.segment().address(), "KernelPageSize"),
                    "the kernel faults at the device's align");
            assertTrue(NativeResources.vmFlagsAt(dax.segment().address()).contains(" dc"),
                    "MADV_DONTFORK: a forked child does not inherit the mapping");
        }
    }

    @Test
    void aSubRangeMapsAtAnAlignedOffset() throws Exception {
        long align = device.align();
        assumeTrue(device.size() >= 2 * align, "needs room for [align, 2 align): a device of 2 aligns or more");
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.ofLength(align).offset(align))) {
            dax.segment().set(JAVA_LONG, 8, 2L);
            persist(dax, 8, 8);
            assertEquals(2L, dax.segment().get(JAVA_LONG, 8));
        }
        try (DaxMapping whole = DaxMapping.open(path, MapOptions.wholeSource())) {
            assertEquals(2L, whole.segment().get(JAVA_LONG, align + 8), "the same bytes through another mapping");
        }
    }

    @Test
    void dax4jRefusesWhatTheKernelWouldRefuseOrSigbusOn() throws Exception {
        long align = device.align();
        if (align > 4096) {
            assertThrows(AlignmentException.class, () -> DaxMapping.open(path,
                    MapOptions.ofLength(align).alignment(Alignment.PAGE_4K)), "smaller than the device's align");
            assertThrows(AlignmentException.class, () -> DaxMapping.open(path,
                    MapOptions.ofLength(align).offset(4096)), "offset not a multiple of align");
        }
        SourceRangeException past = assertThrows(SourceRangeException.class, () -> DaxMapping.open(path,
                MapOptions.ofLength(device.size() + align)));
        assertTrue(past.getMessage().contains(Long.toString(device.size())), past.getMessage());
        assertThrows(DaxException.class, () -> DaxMapping.open(path,
                MapOptions.wholeSource().persistMechanism(PersistMechanism.MSYNC)));
    }

    /**
     * Phase "write" of the power-cycle test: a marker persisted before the machine is switched off. On volatile
     * memory (one boot, nothing to verify) the persist is refused, the store made, and a mapping that accepts
     * non-durable stores persists as a no-op.
     */
    @Test
    void writeAMarkerBeforePowerOff() throws Exception {
        assumeTrue("write".equals(System.getenv("DAX4J_TEST_PHASE")), "only in the first boot of the VM run");
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource())) {
            if (!volatileMemory()) {
                dax.putLongAtomicAndPersist(device.size() - 64, MARKER);
                return;
            }
            assertThrows(VolatileMemoryException.class, () -> dax.putLongAtomicAndPersist(device.size() - 64, MARKER));
            assertEquals(MARKER, dax.getLongAtomic(device.size() - 64), "the store was made, the persist refused");
        }
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource().acceptNonDurableStores())) {
            assertEquals(PersistMechanism.NONE, dax.persistMechanism());
            dax.putLongAtomicAndPersist(device.size() - 64, ~MARKER);
            assertEquals(~MARKER, dax.getLongAtomic(device.size() - 64));
        }
    }

    /** Phase "verify": after a power-off and a new boot, the marker is there. */
    @Test
    void theMarkerSurvivedPowerOff() throws Exception {
        assumeTrue("verify".equals(System.getenv("DAX4J_TEST_PHASE")), "only in the second boot of the VM run");
        try (DaxMapping dax = DaxMapping.open(path, MapOptions.wholeSource().readOnly())) {
            assertEquals(MARKER, dax.getLongAtomic(device.size() - 64));
        }
    }
}
