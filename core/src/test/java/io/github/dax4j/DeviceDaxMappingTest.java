package io.github.dax4j;

import io.github.dax4j.internal.persist.Mechanisms;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.SysfsFixture;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;
import io.github.dax4j.Granularity;
import io.github.dax4j.PersistMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What dax4j itself decides for device-DAX, run against {@link FakeDeviceDax} ({@code /dev/zero} claimed for the dax
 * bus by a sysfs fixture): the size comes from sysfs, the alignment defaults to the device's, the address is
 * aligned, {@code MAP_SYNC} is not required, and {@code msync} is never used: stores are made durable by CPU
 * cache flushes, or by a fence alone on an eADR platform.
 */
class DeviceDaxMappingTest {

    private static final long M2 = Alignment.HUGE_2M.bytes();

    @TempDir
    Path sysRoot;

    @Test
    void theWholeDeviceIsMappedAtItsAlignOnAnAlignedAddress() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 8 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), devices)) {
            DeviceDaxSource source = assertInstanceOf(DeviceDaxSource.class, dax.source());
            assertEquals("dax9.0", source.device().name());
            assertEquals(8 * M2, dax.byteSize(), "the size is sysfs's; fstat says 0");
            assertEquals(Alignment.HUGE_2M, dax.alignment(), "the device's align by default");
            assertEquals(M2, dax.faultSize());
            assertTrue(dax.isStrict());
            assertEquals(0, dax.segment().address() % M2);
            assertTrue(dax.isSynchronous(), "device-DAX has no page cache: synchronous without MAP_SYNC");
            assertTrue(dax.toString().contains("device-DAX dax9.0, align 2 MiB"), dax.toString());
            dax.segment().set(JAVA_LONG, 8 * M2 - 8, 7L);
            assertEquals(7L, dax.segment().get(JAVA_LONG, 8 * M2 - 8));
        }
    }

    @Test
    void aPartOfTheDeviceIsMappedAtAnAlignedOffset() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 8 * M2, M2);
        MapOptions options = MapOptions.ofLength(2 * M2).offset(4 * M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, options, devices)) {
            assertEquals(4 * M2, dax.offset());
            assertEquals(2 * M2, dax.byteSize());
        }
    }

    @Test
    void persistFlushesCacheLinesNeverMsync() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 2 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), devices)) {
            assumeTrue(CpuStubs.get().isPresent(), CpuStubs.unavailableReason().orElse(""));
            assertEquals(Granularity.CACHE_LINE, dax.granularity());
            assertEquals(FlushInstruction.best(CpuStubs.get().orElseThrow().features()).orElseThrow(),
                    Mechanisms.instruction(dax.persistMechanism()).orElseThrow());
            dax.segment().set(JAVA_LONG, 64, 5L);
            dax.persist(64, 8);
            dax.copy(4096, MemorySegment.ofArray(new long[] {1, 2, 3}));
            assertEquals(3L, dax.segment().get(JAVA_LONG, 4096 + 16));
        }
    }

    @Test
    void msyncIsRefusedForDeviceDax() {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 2 * M2, M2);
        DaxException e = assertThrows(DaxException.class, () -> DaxMapping.open(FakeDeviceDax.DEV_ZERO,
                MapOptions.wholeSource().persistMechanism(PersistMechanism.MSYNC), devices));
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        assertEquals(List.of(), NativeResources.mappingsOf(FakeDeviceDax.DEV_ZERO), "nothing left mapped");
    }

    @Test
    void anEadrPlatformNeedsOnlyAFence() throws Exception {
        DaxDevices devices = new SysfsFixture(sysRoot)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "1:5", 2 * M2, M2, 0, -1, null, true)
                .nvdimmRegion(SysfsFixture.NFIT_REGION0, "cpu_cache", true)
                .devices();
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), devices)) {
            assertEquals(PersistMechanism.FENCE_ONLY, dax.persistMechanism());
            assertEquals(Granularity.BYTE, dax.granularity());
            assertTrue(dax.persistMechanismReason().contains("cpu_cache"), dax.persistMechanismReason());
            dax.persist(0, 64);
        }
    }

    @Test
    void aDeepFlushWritesTheRegionsDeepFlushOnlyWhereItReadsNonZero() throws Exception {
        SysfsFixture sys = new SysfsFixture(sysRoot)
                .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "1:5", 2 * M2, M2, 0, -1, null, true)
                .nvdimmRegion(SysfsFixture.NFIT_REGION0, "memory_controller", true);
        Path deepFlush = sysRoot.resolve(SysfsFixture.NFIT_REGION0).resolve("deep_flush");
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), sys.devices())) {
            assertEquals("1\n", Files.readString(deepFlush), "sysfs shows 1: the region has flush hints");
            dax.deepFlush(0, 64);
            assertEquals("1", Files.readString(deepFlush), "written: the kernel flushes the write queues");
            Files.writeString(deepFlush, "0\n");
            dax.deepFlush(0, 64);
            assertEquals("0\n", Files.readString(deepFlush), "no flush hints: nothing to write");
        }
    }

    @Test
    void aLargerMultipleOfTheDevicesAlignIsAllowed() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 8 * M2, 4096);
        MapOptions options = MapOptions.ofLength(4 * M2).alignment(Alignment.HUGE_2M);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, options, devices)) {
            assertEquals(Alignment.HUGE_2M, dax.alignment());
            assertEquals(4096, dax.faultSize(), "the device still faults at its own align");
            assertEquals(0, dax.segment().address() % M2);
        }
    }
}
