package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
 * @param region      the libnvdimm region behind the instance: an NVDIMM's, or a persistent CXL region's; empty
 *                    for volatile memory (CXL RAM regions, {@code hmem} from the EFI memory map)
 * @param cxlRegion   the CXL region behind the instance, persistent or volatile; empty for memory that is not
 *                    CXL, or where sysfs does not tell which region it is (two persistent CXL regions of one size
 *                    under one root, read without root, whose physical addresses are then unreadable)
 * @param driver      the driver bound to the instance ({@code driver} link): {@code device_dax} makes it the
 *                    character device dax4j maps, {@code kmem} hands it to the kernel as system RAM (no
 *                    {@code /dev} node then); empty when no driver is bound
 */
public record DaxDevice(String name, Path devicePath, Path sysfsPath, long size, long align, OptionalInt numaNode,
                        OptionalInt targetNode, OptionalLong resource, Optional<NvdimmRegion> region,
                        Optional<CxlRegion> cxlRegion, Optional<String> driver) {

    /**
     * {@return the instance's mode as {@code daxctl} names it: {@code system-ram} under the {@code kmem} driver,
     * {@code devdax} otherwise}
     */
    public String mode() {
        return driver.filter("kmem"::equals).isPresent() ? "system-ram" : "devdax";
    }

    /** {@return whether a libnvdimm region backs this instance: an NVDIMM, or persistent CXL memory} */
    public boolean isNvdimm() {
        return region.isPresent();
    }

    /**
     * {@return how far a store must travel to survive power loss}: its libnvdimm region's
     * {@code persistence_domain}; {@link PersistenceDomain#NONE} only where sysfs says the memory is volatile (a CXL
     * region in {@code ram} mode, or an {@code hmem.N} platform device: EFI specific-purpose memory); otherwise
     * {@link PersistenceDomain#UNKNOWN}. The absence of a region is no proof of volatility: a driver dax4j does not
     * know could place an instance anywhere, and calling persistent memory volatile would refuse its persists.
     */
    public PersistenceDomain persistenceDomain() {
        if (region.isPresent()) {
            return region.get().persistenceDomain();
        }
        if (cxlRegion.filter(CxlRegion::isVolatile).isPresent() || isHmem()) {
            return PersistenceDomain.NONE;
        }
        return PersistenceDomain.UNKNOWN;
    }

    /** {@return whether the instance sits below an {@code hmem.N} platform device (the dax_hmem driver's)} */
    private boolean isHmem() {
        for (Path element : sysfsPath) {
            if (element.toString().matches("hmem\\.[0-9]+")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the known media errors of this instance, in its bytes, ordered and merged} Read now from the
     * region's {@code badblocks} (the kernel adds to it as errors are found, by address range scrub or by a machine
     * check). Empty for an instance without a region, and where the region lists none.
     *
     * @throws java.nio.file.AccessDeniedException if the region lists bad blocks but placing them in this instance
     *                                              needs physical addresses that sysfs shows to root only
     * @throws IOException                          if sysfs cannot be read, or {@code badblocks} holds something
     *                                              other than {@code sector count} lines
     */
    public List<BadBlock> badBlocks() throws IOException {
        return BadBlocks.of(this);
    }

    /**
     * {@return the known media errors within {@code [offset, offset + length)} of this instance, as offsets from
     * {@code offset}}: what a mapping of that range would meet
     *
     * @throws IllegalArgumentException if the range is not inside the instance
     * @throws java.nio.file.AccessDeniedException see {@link #badBlocks()}
     * @throws IOException                          see {@link #badBlocks()}
     */
    public List<BadBlock> badBlocks(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("[" + offset + ", " + offset + " + " + length + ") is not inside "
                    + name + " (" + size + " bytes)");
        }
        return BadBlocks.within(BadBlocks.of(this), offset, length);
    }

    /**
     * {@return the unsafe shutdown count of the devices behind this instance, read now; empty where the kernel
     * exposes none} Read from the region's interleave set ({@code mappingN}: {@code nmemX,offset,length,position})
     * and each DIMM's or CXL memdev's {@code dirty_shutdown}. Empty for an instance without a region, and where any
     * device of the set has no count (QEMU's emulated NVDIMMs; CXL before Linux 6.15): a partial sum would hide the
     * very device that failed.
     *
     * @throws IOException if sysfs cannot be read, or an attribute holds something unexpected
     */
    public Optional<UnsafeShutdownCount> unsafeShutdownCount() throws IOException {
        return region.isEmpty() ? Optional.empty() : ShutdownCounts.of(region.get());
    }
}
