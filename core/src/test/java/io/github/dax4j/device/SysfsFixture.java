package io.github.dax4j.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds fake sysfs trees laid out as the kernel lays out the real one ({@code Documentation/ABI/testing/
 * sysfs-bus-dax}, {@code sysfs-bus-nfit}), so discovery can be tested on machines without persistent memory.
 *
 * <p>Paths given to the methods are relative to the fixture's root (which stands for {@code /}); links are made
 * relative, as sysfs makes them, so resolving them never leaves the fixture.
 */
public final class SysfsFixture {

    /** Where QEMU's NVDIMM (ACPI NFIT) puts region 0 on Linux 6.x. */
    public static final String NFIT_REGION0 = "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0";

    /** Where QEMU's CXL fixed memory window puts the CXL root port on Linux 6.x ({@code ACPI0017}, CEDT). */
    public static final String CXL_ROOT0 = "sys/devices/platform/ACPI0017:00/root0";

    /** Where a persistent CXL region registers its libnvdimm region: below the root's nvdimm bridge. */
    public static final String CXL_ND_REGION0 = CXL_ROOT0 + "/nvdimm-bridge0/ndbus0/region0";

    private final Path root;

    public SysfsFixture(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public DaxDevices devices() {
        return DaxDevices.at(root);
    }

    /** Writes an attribute file with {@code content} and a newline, as sysfs shows it. */
    public SysfsFixture attribute(String path, String content) {
        Path file = root.resolve(path);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Makes {@code path} a relative symbolic link to {@code target}, both relative to the root. */
    public SysfsFixture link(String path, String target) {
        Path link = root.resolve(path);
        return symlink(link, link.getParent().relativize(root.resolve(target)));
    }

    /** Makes {@code path} an absolute symbolic link to {@code target} outside the fixture. */
    public SysfsFixture absoluteLink(String path, Path target) {
        return symlink(root.resolve(path), target);
    }

    private SysfsFixture symlink(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Adds a device-DAX instance in the current layout (Linux 5.10+): {@code parent/NAME/NAME} with its attributes,
     * {@code parent/NAME/dax_region}, the bus and char-device links.
     *
     * @param parent   the directory of the device that provides the region (an nd region, {@code hmem.0}, ...)
     * @param name     e.g. {@code dax0.0}
     * @param devNo    e.g. {@code 252:0}
     * @param withAlign whether the instance has its own {@code align} attribute (Linux 5.10+)
     */
    public SysfsFixture daxInstance(String parent, String name, String devNo, long size, long align,
                                    int numaNode, int targetNode, String resource, boolean withAlign) {
        String regionDevice = parent + "/" + name;
        String device = regionDevice + "/" + name;
        attribute(device + "/size", Long.toString(size));
        if (withAlign) {
            attribute(device + "/align", Long.toString(align));
        }
        attribute(device + "/numa_node", Integer.toString(numaNode));
        attribute(device + "/target_node", Integer.toString(targetNode));
        if (resource != null) {
            attribute(device + "/resource", resource);
        }
        attribute(regionDevice + "/dax_region/align", Long.toString(align));
        attribute(regionDevice + "/dax_region/size", Long.toString(size));
        link(device + "/subsystem", "sys/bus/dax");
        link("sys/bus/dax/devices/" + name, device);
        link("sys/dev/char/" + devNo, device);
        return driver(name, "device_dax");
    }

    /** Binds instance {@code name} to {@code driver} ({@code device_dax}, {@code kmem}), or unbinds it if null. */
    public SysfsFixture driver(String name, String driver) {
        try {
            Path device = root.resolve("sys/bus/dax/devices").resolve(name).toRealPath();
            Path link = device.resolve("driver");
            Files.deleteIfExists(link);
            if (driver == null) {
                return this;
            }
            attribute("sys/bus/dax/drivers/" + driver + "/bind", "");
            return symlink(link, device.relativize(root.toRealPath().resolve("sys/bus/dax/drivers/" + driver)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds an NVDIMM region with its persistence attributes. */
    public SysfsFixture nvdimmRegion(String region, String persistenceDomain, boolean deepFlush) {
        attribute(region + "/persistence_domain", persistenceDomain);
        attribute(region + "/badblocks", "");
        if (deepFlush) {
            attribute(region + "/deep_flush", "1");
        }
        return link("sys/bus/nd/devices/" + Path.of(region).getFileName(), region);
    }

    /**
     * Adds a CXL memdev at {@code memdev} (a PCI device's directory plus {@code /memN}) and its endpoint decoder at
     * {@code endpointDecoder} ({@code .../portP/endpointE/decoderE.0}), as Linux 6.1 lays them out (seen in the CXL
     * guest of {@code core/src/test/devdax-vm}): the decoder's {@code mode}, the endpoint's {@code uport} link to the
     * memdev, and the bus links.
     *
     * @param serial the {@code serial} attribute's content ({@code 0x1}), or null for none
     */
    public SysfsFixture cxlMemdev(String memdev, String endpointDecoder, String mode, String serial, long pmemSize,
                                  long ramSize) {
        if (serial != null) {
            attribute(memdev + "/serial", serial);
        }
        attribute(memdev + "/firmware_version", "BWFW VERSION 00");
        attribute(memdev + "/numa_node", "-1");
        attribute(memdev + "/pmem/size", "0x" + Long.toHexString(pmemSize));
        attribute(memdev + "/ram/size", "0x" + Long.toHexString(ramSize));
        attribute(endpointDecoder + "/mode", mode);
        link(Path.of(endpointDecoder).getParent() + "/uport", memdev);
        link("sys/bus/cxl/devices/" + Path.of(memdev).getFileName(), memdev);
        return link("sys/bus/cxl/devices/" + Path.of(endpointDecoder).getFileName(), endpointDecoder);
    }

    /**
     * Adds a CXL region at {@code region} ({@code .../rootN/decoderN.M/regionK}) interleaving the given endpoint
     * decoders ({@code decoder2.0}, ...), in position order.
     *
     * @param mode     the region's {@code mode} attribute (Linux 6.3+), or null for none (6.1)
     * @param resource its {@code resource}, or null where it is to be unreadable
     */
    public SysfsFixture cxlRegion(String region, String mode, long size, String resource, String... targets) {
        if (mode != null) {
            attribute(region + "/mode", mode);
        }
        attribute(region + "/size", "0x" + Long.toHexString(size));
        if (resource != null) {
            attribute(region + "/resource", resource);
        }
        attribute(region + "/interleave_ways", Integer.toString(targets.length));
        attribute(region + "/interleave_granularity", "256");
        for (int i = 0; i < targets.length; i++) {
            attribute(region + "/target" + i, targets[i]);
        }
        return link("sys/bus/cxl/devices/" + Path.of(region).getFileName(), region);
    }
}
