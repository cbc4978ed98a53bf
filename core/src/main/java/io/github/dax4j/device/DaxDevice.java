package io.github.dax4j.device;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One device-DAX instance ({@code /dev/daxX.Y}) as sysfs describes it.
 *
 * @param name        the instance's name, e.g. {@code dax0.0}
 * @param devicePath  the character device to map, e.g. {@code /dev/dax0.0}
 * @param sysfsPath   the instance's directory in sysfs, links resolved
 * @param size        the bytes the instance provides ({@code size}); {@code fstat} reports 0 for the device
 * @param align       the fault granularity fixed when the instance was configured: 4 KiB, 2 MiB or 1 GiB
 *                    ({@code align}, or {@code ../dax_region/align} before Linux 5.10)
 * @param numaNode    the NUMA node of the CPU closest to the memory, empty where sysfs says -1
 * @param targetNode  the NUMA node the memory would have as system RAM, empty where sysfs says -1 or has none
 * @param resource    the physical start address ({@code resource}), empty where it is unreadable: the
 *                    attribute is root-only (0400)
 * @param region      the libnvdimm region behind the instance; empty for memory not backed by an NVDIMM
 *                    (CXL RAM regions, {@code hmem} from the EFI memory map, {@code memmap=} emulation)
 * @param driver      the driver bound to the instance ({@code driver} link): {@code device_dax} makes it the
 *                    character device dax4j maps, {@code kmem} hands it to the kernel as system RAM (no
 *                    {@code /dev} node then); empty when no driver is bound
 */
public record DaxDevice(String name, Path devicePath, Path sysfsPath, long size, long align, OptionalInt numaNode,
                        OptionalInt targetNode, OptionalLong resource, Optional<NvdimmRegion> region,
                        Optional<String> driver) {

    /**
     * {@return the instance's mode as {@code daxctl} names it: {@code system-ram} under the {@code kmem} driver,
     * {@code devdax} otherwise}
     */
    public String mode() {
        return driver.filter("kmem"::equals).isPresent() ? "system-ram" : "devdax";
    }

    /** {@return whether an NVDIMM region backs this instance} */
    public boolean isNvdimm() {
        return region.isPresent();
    }
}
