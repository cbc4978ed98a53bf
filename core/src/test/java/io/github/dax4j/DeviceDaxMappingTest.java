package io.github.dax4j;

import io.github.dax4j.device.DaxDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What dax4j itself decides for device-DAX, run against {@link FakeDeviceDax} ({@code /dev/zero} claimed for the dax
 * bus by a sysfs fixture): the size comes from sysfs, the alignment defaults to the device's, the address is
 * aligned, {@code MAP_SYNC} is not required, and {@code msync} is never used.
 */
class DeviceDaxMappingTest {

    private static final long M2 = Alignment.HUGE_2M.bytes();

    @TempDir
    Path sysRoot;

    @Test
    void theWholeDeviceIsMappedAtItsAlignOnAnAlignedAddress() {
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
    void aPartOfTheDeviceIsMappedAtAnAlignedOffset() {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 8 * M2, M2);
        MapOptions options = MapOptions.ofLength(2 * M2).offset(4 * M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, options, devices)) {
            assertEquals(4 * M2, dax.offset());
            assertEquals(2 * M2, dax.byteSize());
        }
    }

    @Test
    void persistRefusesRatherThanPretendWithoutACacheFlush() {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 2 * M2, M2);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, MapOptions.wholeSource(), devices)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> dax.persist(0, 64));
            assertTrue(e.getMessage().contains("CPU cache flushing"), e.getMessage());
        }
    }

    @Test
    void aLargerMultipleOfTheDevicesAlignIsAllowed() {
        DaxDevices devices = FakeDeviceDax.devZeroAs(sysRoot, 8 * M2, 4096);
        MapOptions options = MapOptions.ofLength(4 * M2).alignment(Alignment.HUGE_2M);
        try (DaxMapping dax = DaxMapping.open(FakeDeviceDax.DEV_ZERO, options, devices)) {
            assertEquals(Alignment.HUGE_2M, dax.alignment());
            assertEquals(4096, dax.faultSize(), "the device still faults at its own align");
            assertEquals(0, dax.segment().address() % M2);
        }
    }
}
