package io.github.dax4j;

import io.github.dax4j.device.BadBlock;
import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.device.SysfsFixture;
import io.github.dax4j.internal.persist.Mechanisms;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.ShutdownRecord;
import io.github.dax4j.Granularity;
import io.github.dax4j.PersistMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.ShutdownRecord;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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

    @Test
    void aMappingCarriesItsDevicesPersistenceDomain() throws Exception {
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(),
                FakeDeviceDax.devZeroAs(sysRoot, 2 * M2, M2))) {
            assertEquals(PersistenceDomain.MEMORY_CONTROLLER, dax.persistenceDomain());
            assertTrue(dax.toString().contains("persistence domain MEMORY_CONTROLLER"), dax.toString());
        }
    }

    @Test
    void volatileDeviceDaxMapsButRefusesEveryPersistCall() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAsVolatile(sysRoot, 2 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), devices)) {
            assertEquals(PersistenceDomain.NONE, dax.persistenceDomain());
            assertEquals(PersistMechanism.NONE, dax.persistMechanism());
            assertTrue(dax.persistMechanismReason().contains("volatile"), dax.persistMechanismReason());
            dax.putLong(0, 42); // the memory is there to use
            assertEquals(42, dax.getLong(0));
            VolatileMemoryException e = assertThrows(VolatileMemoryException.class, () -> dax.persist(0, 8));
            assertTrue(e.getMessage().contains("dax9.0") && e.getMessage().contains("acceptNonDurableStores"),
                    e.getMessage());
            assertThrows(VolatileMemoryException.class, () -> dax.persist(0, 0), "an empty range too");
            assertThrows(VolatileMemoryException.class, () -> dax.flush(0, 64));
            assertThrows(VolatileMemoryException.class, dax::drain);
            assertThrows(VolatileMemoryException.class, () -> dax.deepFlush(0, 64));
            assertThrows(VolatileMemoryException.class, () -> dax.putLongAtomicAndPersist(8, 1));
            assertThrows(VolatileMemoryException.class, () -> dax.copy(64, MemorySegment.ofArray(new byte[512])));
            assertThrows(VolatileMemoryException.class, () -> dax.fill(64, 512, (byte) 1));
            assertEquals(1, dax.getLongAtomic(8), "the store was made; only the persist was refused");
            dax.copy(1024, MemorySegment.ofArray(new byte[512]), PersistFlag.NO_FLUSH, PersistFlag.NO_DRAIN); // no durability asked
        }
    }

    @Test
    void aReadOnlyMappingOfVolatileDeviceDaxDrainsAsAnyReadOnlyMappingDoes() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAsVolatile(sysRoot, 2 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource().readOnly(), devices)) {
            assertEquals(PersistenceDomain.NONE, dax.persistenceDomain());
            dax.drain(); // nothing to persist, nothing refused
            dax.evict(0, 4096);
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> dax.persist(0, 8));
        }
    }

    @Test
    void volatileDeviceDaxAcceptedAsNotDurableMakesPersistCallsNoOps() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAsVolatile(sysRoot, 2 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource()
                .acceptNonDurableStores(), devices)) {
            assertEquals(PersistMechanism.NONE, dax.persistMechanism());
            dax.putLong(0, 7);
            dax.persist(0, 8);
            dax.drain();
            // what such memory is for: allocation, e.g. of a CXL expander's bandwidth, near its target node
            SegmentAllocator allocator = SegmentAllocator.slicingAllocator(dax.segment());
            MemorySegment table = allocator.allocate(JAVA_LONG, 1024);
            assertEquals(dax.segment().address(), table.address());
            assertEquals(OptionalInt.of(1), ((DeviceDaxSource) dax.source()).device().targetNode());
        }
    }

    @Test
    void aShutdownRecordIsRefusedOnVolatileDeviceDaxEvenWithPersistCallsLetThrough() throws Exception {
        DaxDevices devices = FakeDeviceDax.devZeroAsVolatile(sysRoot, 2 * M2, M2);
        for (MapOptions options : new MapOptions[] {MapOptions.wholeSource().acceptNonDurableStores(),
                MapOptions.wholeSource().persistMechanism(PersistMechanism.CLFLUSH).acceptNonDurableStores()}) {
            try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, options, devices)) {
                Directory directory = Directory.open(dax);
                VolatileMemoryException e = assertThrows(VolatileMemoryException.class,
                        () -> ShutdownRecord.open(directory, Optional.empty()), dax.persistMechanism().toString());
                assertTrue(e.getMessage().contains("shutdown record"), e.getMessage());
                assertTrue(directory.find(ShutdownRecord.REGION).isEmpty(),
                        "refused before its region exists: " + dax.persistMechanism());
            }
        }
    }

    @Test
    void aMappingThatRefusesBadBlocksIsRefusedOverOneAndSeesItsOwnAsItsOffsets() throws Exception {
        String region = SysfsFixture.NFIT_REGION0;
        // the instance starts 2 MiB into its region; the bad sector is 3 MiB + 512 B into the instance
        DaxDevices devices = new SysfsFixture(sysRoot)
                .daxInstance(region, "dax0.0", "1:5", 8 * M2, M2, 0, -1, "0x100200000", true)
                .nvdimmRegion(region, "memory_controller", false)
                .attribute(region + "/resource", "0x100000000")
                .attribute(region + "/badblocks", ((M2 + 3 * M2 / 2 + 512) / 512) + " 1")
                .devices();
        BadBlockException e = assertThrows(BadBlockException.class, () -> DaxMapping.open(FakeDeviceDax.DEV_ZERO,
                MapOptions.wholeSource().refuseBadBlocks(), devices));
        assertEquals(List.of(new BadBlock(3 * M2 / 2 + 512, 512)), e.badBlocks());
        assertTrue(e.getMessage().contains("refuseBadBlocks"), e.getMessage());
        assertEquals(List.of(), NativeResources.mappingsOf(FakeDeviceDax.DEV_ZERO), "nothing mapped");
        try (DaxMapping clear = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.ofLength(M2).refuseBadBlocks(),
                devices)) {
            assertEquals(List.of(), clear.badBlocks(), "the first 2 MiB are clear");
        }
        try (DaxMapping covering = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.ofLength(M2).offset(M2),
                devices)) {
            assertEquals(List.of(new BadBlock(M2 / 2 + 512, 512)), covering.badBlocks(), "as offsets of the mapping");
        }
    }
}
