package io.github.dax4j.device;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A CXL memory device ({@code /sys/bus/cxl/devices/memN}): one type-3 device, an expander, that provides the
 * memory of a CXL region. Named as {@code cxl list -M} names it.
 *
 * @param name            the memdev's name, e.g. {@code mem0}
 * @param sysfsPath       its directory in sysfs, links resolved
 * @param serial          the device's serial number ({@code serial}), its identity across boots and slots; empty
 *                        where the kernel has none to report
 * @param host            the PCI device it is, e.g. {@code 0000:0d:00.0} ({@code cxl list}'s {@code host})
 * @param hostBridge      the PCI host bridge it sits below, e.g. {@code pci0000:0c}: devices behind different host
 *                        bridges interleave across bridges
 * @param firmwareVersion the firmware revision the device reports, empty where it reports none
 * @param pmemSize        the bytes of its persistent capacity ({@code pmem/size})
 * @param ramSize         the bytes of its volatile capacity ({@code ram/size})
 * @param numaNode        the NUMA node of the device, empty where sysfs says -1
 */
public record CxlMemdev(String name, Path sysfsPath, OptionalLong serial, String host, String hostBridge,
                        String firmwareVersion, long pmemSize, long ramSize, OptionalInt numaNode) {
}
