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
 *             + (dax.isNvdimm() ? ", NVDIMM " + dax.region().get().persistenceDomain() : ", not NVDIMM"));
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
     * {@return whether the platform has eADR: there is at least one NVDIMM region and every one reports
     * {@code persistence_domain} {@code cpu_cache}} The test PMDK makes: one region without it, and CPU caches
     * must be flushed everywhere, since dax4j cannot tell which region a given store ends in for every source.
     *
     * @throws IOException if sysfs exists but cannot be read
     */
    public boolean cachesArePersistent() throws IOException {
        List<NvdimmRegion> regions = regions();
        return !regions.isEmpty() && regions.stream().allMatch(NvdimmRegion::cachesArePersistent);
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
        return Optional.of(new DaxDevice(name, root.resolve("dev").resolve(name), device, size.getAsLong(),
                align.orElse(4096), node(device.resolve("numa_node")), node(device.resolve("target_node")),
                readLong(device.resolve("resource")), region(device), driver(device)));
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
        return new NvdimmRegion(name, directory, readString(directory.resolve("persistence_domain")).orElse(""),
                Files.exists(deepFlush) ? Optional.of(deepFlush) : Optional.empty(),
                Files.exists(badblocks) ? Optional.of(badblocks) : Optional.empty());
    }

    private static OptionalInt node(Path attribute) throws IOException {
        OptionalLong value = readLong(attribute);
        return value.isPresent() && value.getAsLong() >= 0 ? OptionalInt.of((int) value.getAsLong()) : OptionalInt.empty();
    }

    /** Reads a decimal or {@code 0x} hexadecimal attribute; empty when absent or not readable by this user. */
    private static OptionalLong readLong(Path attribute) throws IOException {
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

    private static Optional<String> readString(Path attribute) throws IOException {
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
