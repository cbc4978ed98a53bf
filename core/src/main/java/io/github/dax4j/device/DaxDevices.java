package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Discovers device-DAX instances by reading sysfs directly, as {@code Documentation/ABI/testing/sysfs-bus-dax}
 * lays it out.
 *
 * <pre>{@code
 * for (DaxDevice dax : DaxDevices.system().list()) {
 *     System.out.println(dax.devicePath() + " " + dax.size() + " bytes, align " + dax.align()
 *             + ", persistence domain " + dax.persistenceDomain()
 *             + dax.cxlRegion().map(r -> ", CXL " + r.name() + " on " + r.memdevs()).orElse(""));
 * }
 * }</pre>
 *
 * <p>No libndctl: it does not know CXL and {@code hmem} instances. Every path is taken relative to a root
 * directory, {@code /} on a real system, so that tests can lay out fixture trees. Instances are found under
 * {@code sys/bus/dax/devices} (and {@code sys/class/dax} on kernels that predate the dax bus); a machine with
 * neither has no instances, which is not an error. Immutable and thread-safe; every call reads sysfs afresh.
 */
public final class DaxDevices {

    private static final Pattern REGION = Pattern.compile("region[0-9]+");
    private static final Pattern NDBUS = Pattern.compile("ndbus[0-9]+");
    private static final Pattern CXL_DECODER = Pattern.compile("decoder[0-9]+\\.[0-9]+");
    /** The CXL specification's limits (1 to 16 devices, 256 bytes to 16 KiB per device): more is damage. */
    private static final int MAX_INTERLEAVE_WAYS = 16, MAX_INTERLEAVE_GRANULARITY = 16384;
    private static final Pattern CXL_NVDIMM_BRIDGE = Pattern.compile("nvdimm-bridge[0-9]+");
    private static final DaxDevices SYSTEM = new DaxDevices(Path.of("/"));

    private final Path root;

    private DaxDevices(Path root) {
        this.root = root;
    }

    /** {@return the instances of this machine: sysfs at {@code /sys}, devices at {@code /dev}} */
    public static DaxDevices system() {
        return SYSTEM;
    }

    /** {@return the instances of the tree under {@code root}: sysfs at {@code root/sys}, devices at {@code root/dev}} */
    public static DaxDevices at(Path root) {
        return new DaxDevices(root);
    }

    /**
     * {@return every device-DAX instance, ordered by name; empty when there are none}
     *
     * @throws IOException if sysfs exists but cannot be read, or an attribute holds something unexpected
     */
    public List<DaxDevice> list() throws IOException {
        List<DaxDevice> devices = new ArrayList<>();
        for (Path directory : List.of(root.resolve("sys/bus/dax/devices"), root.resolve("sys/class/dax"))) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(directory)) {
                for (Path entry : entries.sorted(Comparator.comparing(Path::getFileName)).toList()) {
                    if (devices.stream().noneMatch(d -> d.name().equals(entry.getFileName().toString()))) {
                        read(entry).ifPresent(devices::add);
                    }
                }
            } catch (IOException e) {
                throw new IOException("cannot list " + directory + ": " + e.getMessage(), e);
            }
        }
        devices.sort(Comparator.comparing(DaxDevice::name));
        return List.copyOf(devices);
    }

    /**
     * {@return every libnvdimm region ({@code sys/bus/nd/devices/regionN}), ordered by name; empty without NVDIMMs}
     *
     * @throws IOException if sysfs exists but cannot be read
     */
    public List<NvdimmRegion> regions() throws IOException {
        Path bus = root.resolve("sys/bus/nd/devices");
        if (!Files.isDirectory(bus)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(bus)) {
            List<NvdimmRegion> regions = new ArrayList<>();
            for (Path entry : entries.sorted(Comparator.comparing(Path::getFileName)).toList()) {
                if (REGION.matcher(entry.getFileName().toString()).matches()) {
                    regions.add(region(entry.toRealPath(), entry.getFileName().toString()));
                }
            }
            return List.copyOf(regions);
        } catch (IOException e) {
            throw new IOException("cannot list " + bus + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@return the persistence domain of the memory behind block device {@code major:minor}}: that of the libnvdimm
     * region it is a namespace of (a {@code pmem} device, or a partition of one: what a DAX file system is mounted
     * on), or {@link PersistenceDomain#UNKNOWN} where the device is not in one (sysfs knows no such block device,
     * or it is a disk)
     *
     * @throws IOException if the device's sysfs entry exists but cannot be read
     */
    public PersistenceDomain persistenceDomainOfBlockDevice(long major, long minor) throws IOException {
        Path link = root.resolve("sys/dev/block/" + major + ":" + minor);
        try {
            return region(link.toRealPath()).map(NvdimmRegion::persistenceDomain).orElse(PersistenceDomain.UNKNOWN);
        } catch (NoSuchFileException e) {
            return PersistenceDomain.UNKNOWN;
        } catch (IOException e) {
            throw new IOException("cannot read " + link + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@return the instance called {@code name} (e.g. {@code dax0.0}), if there is one}
     *
     * @throws IOException if sysfs exists but cannot be read
     */
    public Optional<DaxDevice> find(String name) throws IOException {
        return list().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * {@return the device-DAX instance with character device number {@code major:minor}, or empty when that number
     * belongs to another driver or to nothing}
     *
     * <p>The test is the one the kernel documents: {@code sys/dev/char/MAJ:MIN/subsystem} resolves to the dax bus
     * ({@code .../bus/dax}) or, before the bus existed, the dax class ({@code .../class/dax}).
     *
     * @throws IOException if the instance's sysfs entry cannot be read
     */
    public Optional<DaxDevice> byDeviceNumber(long major, long minor) throws IOException {
        Path link = root.resolve("sys/dev/char/" + major + ":" + minor);
        try {
            Path subsystem = link.resolve("subsystem").toRealPath();
            int n = subsystem.getNameCount();
            boolean dax = n >= 2 && subsystem.getFileName().toString().equals("dax")
                    && (subsystem.getName(n - 2).toString().equals("bus")
                    || subsystem.getName(n - 2).toString().equals("class"));
            return dax ? read(link) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IOException("cannot read " + link + ": " + e.getMessage(), e);
        }
    }

    private Optional<DaxDevice> read(Path entry) throws IOException {
        Path device = entry.toRealPath();
        String name = device.getFileName().toString();
        OptionalLong size = readLong(device.resolve("size"));
        if (size.isEmpty()) {
            return Optional.empty(); // not an instance: e.g. a dax_region directory listed under class/dax
        }
        OptionalLong align = readLong(device.resolve("align"));
        if (align.isEmpty()) {
            align = readLong(device.resolveSibling("dax_region").resolve("align"));
        }
        if (align.isEmpty()) {
            align = readLong(device.resolve("device/dax_region/align"));
        }
        Optional<NvdimmRegion> region = region(device);
        return Optional.of(new DaxDevice(name, root.resolve("dev").resolve(name), device, size.getAsLong(),
                align.orElse(4096), node(device.resolve("numa_node")), node(device.resolve("target_node")),
                readLong(device.resolve("resource")), region, cxlRegion(device, region), driver(device)));
    }

    private static Optional<String> driver(Path device) throws IOException {
        Path link = device.resolve("driver");
        return Files.isSymbolicLink(link) ? Optional.of(Files.readSymbolicLink(link).getFileName().toString())
                : Optional.empty();
    }

    /** The libnvdimm region is the nearest ancestor named {@code regionN} whose parent is {@code ndbusN}. */
    private Optional<NvdimmRegion> region(Path device) throws IOException {
        for (Path p = device.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            Path parentName = p.getParent().getFileName();
            if (p.getFileName() != null && REGION.matcher(p.getFileName().toString()).matches()
                    && parentName != null && NDBUS.matcher(parentName.toString()).matches()) {
                return Optional.of(region(p, p.getFileName().toString()));
            }
        }
        return Optional.empty();
    }

    private static NvdimmRegion region(Path directory, String name) throws IOException {
        Path deepFlush = directory.resolve("deep_flush");
        Path badblocks = directory.resolve("badblocks");
        return new NvdimmRegion(name, directory,
                PersistenceDomain.ofAttribute(readString(directory.resolve("persistence_domain")).orElse("")),
                Files.exists(deepFlush) ? Optional.of(deepFlush) : Optional.empty(),
                Files.exists(badblocks) ? Optional.of(badblocks) : Optional.empty());
    }

    /**
     * The CXL region behind an instance. A volatile region's instance sits below it
     * ({@code .../rootN/decoderN.M/regionK/dax_regionK/daxK.0}, {@code dax_cxl}); a persistent region registers a
     * libnvdimm region below the CXL root's nvdimm bridge ({@code .../rootN/nvdimm-bridgeK/ndbusJ/regionI}), and
     * sysfs links it to no CXL region: the CXL region is the one persistent region under the same root decoders with
     * the libnvdimm region's size and, where both are readable (as root), its physical start address.
     */
    private Optional<CxlRegion> cxlRegion(Path device, Optional<NvdimmRegion> nd) throws IOException {
        for (Path p = device.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            Path parentName = p.getParent().getFileName();
            if (p.getFileName() != null && REGION.matcher(p.getFileName().toString()).matches()
                    && parentName != null && CXL_DECODER.matcher(parentName.toString()).matches()) {
                return Optional.of(cxlRegion(p));
            }
        }
        if (nd.isEmpty()) {
            return Optional.empty();
        }
        Path bridge = nd.get().sysfsPath().getParent().getParent();
        if (bridge == null || bridge.getFileName() == null
                || !CXL_NVDIMM_BRIDGE.matcher(bridge.getFileName().toString()).matches()) {
            return Optional.empty();
        }
        OptionalLong size = readLong(nd.get().sysfsPath().resolve("size"));
        OptionalLong start = readLong(nd.get().sysfsPath().resolve("resource"));
        List<CxlRegion> candidates = new ArrayList<>();
        for (Path decoder : children(bridge.getParent(), CXL_DECODER)) {
            for (Path region : children(decoder, REGION)) {
                CxlRegion r = cxlRegion(region);
                if (r.persistent() && size.isPresent() && r.size() == size.getAsLong() && (start.isEmpty()
                        || r.resource().isEmpty() || r.resource().getAsLong() == start.getAsLong())) {
                    candidates.add(r);
                }
            }
        }
        return candidates.size() == 1 ? Optional.of(candidates.getFirst()) : Optional.empty();
    }

    private CxlRegion cxlRegion(Path region) throws IOException {
        int ways = readInt(region.resolve("interleave_ways"), 0, MAX_INTERLEAVE_WAYS).orElse(0);
        List<Path> targets = new ArrayList<>();
        for (int i = 0; i < ways; i++) {
            Optional<String> target = readString(region.resolve("target" + i));
            if (target.isEmpty() || !CXL_DECODER.matcher(target.get()).matches()) {
                targets.clear(); // unreadable or unassigned: no partial list
                break;
            }
            Path decoder = root.resolve("sys/bus/cxl/devices").resolve(target.get());
            if (!Files.exists(decoder)) {
                targets.clear();
                break;
            }
            targets.add(decoder.toRealPath());
        }
        // the region's mode (Linux 6.3+), else that of its endpoint decoders
        Optional<String> mode = readString(region.resolve("mode"));
        if (mode.isEmpty() && !targets.isEmpty()) {
            mode = readString(targets.getFirst().resolve("mode"));
        }
        List<CxlMemdev> memdevs = new ArrayList<>();
        for (Path decoder : targets) {
            Path uport = decoder.getParent().resolve("uport"); // the endpoint port's upstream device: the memdev
            if (Files.exists(uport)) {
                memdevs.add(memdev(uport.toRealPath()));
            }
        }
        return new CxlRegion(region.getFileName().toString(), region,
                mode.filter(m -> m.equals("pmem") || m.equals("ram")).orElse(""),
                readLong(region.resolve("size")).orElse(0), readLong(region.resolve("resource")), ways,
                readInt(region.resolve("interleave_granularity"), 0, MAX_INTERLEAVE_GRANULARITY).orElse(0), memdevs);
    }

    private CxlMemdev memdev(Path memdev) throws IOException {
        Path devices = root.toRealPath().resolve("sys/devices");
        String hostBridge = memdev.startsWith(devices) && memdev.getNameCount() > devices.getNameCount()
                ? memdev.getName(devices.getNameCount()).toString() : "";
        return new CxlMemdev(memdev.getFileName().toString(), memdev, readLong(memdev.resolve("serial")),
                memdev.getParent().getFileName().toString(), hostBridge,
                readString(memdev.resolve("firmware_version")).orElse(""),
                readLong(memdev.resolve("pmem/size")).orElse(0), readLong(memdev.resolve("ram/size")).orElse(0),
                node(memdev.resolve("numa_node")));
    }

    /** {@return the entries of {@code directory} whose names match, in name order; none if it is no directory} */
    private static List<Path> children(Path directory, Pattern name) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        }
    }

    private static OptionalInt node(Path attribute) throws IOException {
        OptionalLong value = readLong(attribute);
        return value.isPresent() && value.getAsLong() == -1 ? OptionalInt.empty()
                : readInt(attribute, 0, Integer.MAX_VALUE);
    }

    /**
     * Reads an attribute that must lie in {@code [min, max]}; empty when absent or unreadable.
     *
     * @throws IOException naming the attribute and the value, if it is outside the range
     */
    static OptionalInt readInt(Path attribute, int min, int max) throws IOException {
        OptionalLong value = readLong(attribute);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        if (value.getAsLong() < min || value.getAsLong() > max) {
            throw new IOException("unexpected content in " + attribute + ": " + value.getAsLong() + " is not in ["
                    + min + ", " + max + "]");
        }
        return OptionalInt.of((int) value.getAsLong());
    }

    /** Reads a decimal or {@code 0x} hexadecimal attribute; empty when absent or not readable by this user. */
    static OptionalLong readLong(Path attribute) throws IOException {
        Optional<String> text = readString(attribute);
        if (text.isEmpty() || text.get().isEmpty()) {
            return OptionalLong.empty();
        }
        String value = text.get();
        try {
            return OptionalLong.of(value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16)
                    : Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IOException("unexpected content in " + attribute + ": '" + value + "'", e);
        }
    }

    static Optional<String> readString(Path attribute) throws IOException {
        try {
            return Optional.of(Files.readString(attribute).trim());
        } catch (NoSuchFileException | AccessDeniedException e) {
            return Optional.empty();
        } catch (IOException e) {
            // sysfs answers reads of some write-only or root-only attributes with EACCES/EPERM as a plain IOException
            if (Files.exists(attribute) && !Files.isReadable(attribute)) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
