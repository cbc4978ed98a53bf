package io.github.dax4j;

import io.github.dax4j.device.DaxDevices;
import io.github.dax4j.device.SysfsFixture;

import java.nio.file.Path;

/**
 * A stand-in for device-DAX on machines without it: a sysfs fixture that claims {@code /dev/zero}'s device number
 * (1:5) for the dax bus. {@code /dev/zero} accepts shared mappings of any size at any offset, so everything dax4j
 * itself decides about device-DAX (alignment against {@code align}, size from sysfs, no msync) runs for real, while
 * the kernel's own device-DAX checks do not: those need a real device.
 */
final class FakeDeviceDax {

    static final Path DEV_ZERO = Path.of("/dev/zero");

    private FakeDeviceDax() {
    }

    /**
     * {@return devices in which {@code /dev/zero} is {@code dax9.0} of {@code size} bytes faulting at {@code align},
     * in an NVDIMM region of the {@code memory_controller} domain (ADR)}
     */
    static DaxDevices devZeroAs(Path root, long size, long align) {
        String region = "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus9/region9";
        return new SysfsFixture(root)
                .daxInstance(region, "dax9.0", "1:5", size, align, 0, -1, null, true)
                .nvdimmRegion(region, "memory_controller", false)
                .devices();
    }

    /**
     * {@return devices in which {@code /dev/zero} is {@code dax9.0}, volatile: in no libnvdimm region, as an
     * {@code hmem} or CXL RAM instance is}
     */
    static DaxDevices devZeroAsVolatile(Path root, long size, long align) {
        return new SysfsFixture(root)
                .daxInstance("sys/devices/platform/hmem.9", "dax9.0", "1:5", size, align, 0, 1, null, true)
                .devices();
    }
}
