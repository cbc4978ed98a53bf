package io.github.dax4j.device;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A CXL region ({@code /sys/bus/cxl/devices/regionN}): host physical address space a root decoder routes to one or
 * more memdevs, interleaved. A persistent region reaches device-DAX through libnvdimm (its {@link NvdimmRegion});
 * a volatile one (Linux 6.3+, {@code dax_cxl}) directly.
 *
 * @param name                  the region's name, e.g. {@code region0} (CXL numbers its regions apart from
 *                              libnvdimm, so the names may differ)
 * @param sysfsPath             its directory in sysfs, links resolved
 * @param mode                  what the region decodes, as sysfs names it: {@code pmem} (the memdevs' persistent
 *                              capacity), {@code ram} (their volatile capacity), or empty where sysfs says
 *                              neither (no {@code mode} attribute is readable, or it holds another word)
 * @param size                  the bytes it decodes
 * @param resource              its host physical start address, empty where unreadable
 * @param interleaveWays        how many memdevs it interleaves
 * @param interleaveGranularity the bytes given to one memdev before the next
 * @param memdevs               its memdevs in interleave position order; empty where the targets are unreadable
 */
public record CxlRegion(String name, Path sysfsPath, String mode, long size, OptionalLong resource,
                        int interleaveWays, int interleaveGranularity, List<CxlMemdev> memdevs) {

    public CxlRegion {
        if (!mode.isEmpty() && !mode.equals("pmem") && !mode.equals("ram")) {
            throw new IllegalArgumentException("a CXL region's mode is pmem, ram or unknown (empty), not " + mode);
        }
        memdevs = List.copyOf(memdevs);
    }

    /** {@return whether sysfs says the region decodes persistent capacity ({@code pmem})} */
    public boolean persistent() {
        return mode.equals("pmem");
    }

    /** {@return whether sysfs says the region decodes volatile capacity ({@code ram}): the evidence for NONE} */
    public boolean isVolatile() {
        return mode.equals("ram");
    }
}
