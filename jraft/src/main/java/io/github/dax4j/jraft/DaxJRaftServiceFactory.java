package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import com.alipay.sofa.jraft.util.SPI;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Installs dax4j's storage in SOFAJRaft nodes: the log ({@link DaxLogStorage}, regions {@code <name>},
 * {@code <name>.1} and their {@code .head}s) and the term and vote ({@link DaxRaftMetaStorage}, region {@code <name>}), in the directory
 * of a dax4j mapping; snapshots stay JRaft's (files under the node's snapshot URI). Two ways, one per need:
 *
 * <p><b>Per node</b>, on a mapping the application opened: the node's log and meta URIs are not used.
 * <pre>{@code
 * NodeOptions options = new NodeOptions();
 * options.setServiceFactory(new DaxJRaftServiceFactory(pmem, Directory.open(pmem), "raft", 256L << 20));
 * }</pre>
 * One such factory per node: its regions ({@code raft.log}, {@code raft.log.1}, their {@code .head}s, and
 * {@code raft.meta}) are the node's alone.
 *
 * <p><b>By URI</b>, through JRaft's SPI: with this jar on the class path, this class (no-argument constructor,
 * {@code @SPI} priority 1, above JRaft's default factory) is the factory of every node whose options set none. A
 * node whose log or meta URI is a {@code dax4j:} URI gets dax4j storage for it; any other URI gets JRaft's own
 * storage, as without this jar.
 * <pre>{@code
 * options.setLogUri("dax4j:/dev/dax0.0?region=node1.log&capacity=256M");
 * options.setRaftMetaUri("dax4j:/dev/dax0.0?region=node1.meta");
 * }</pre>
 * The URI is {@code dax4j:<device>?region=<name>[&capacity=<size>][&create=<size>][&emulateMapSync]}:
 * <ul>
 *   <li>{@code <device>}: an absolute path, a device-DAX character device or a file;</li>
 *   <li>{@code region}: the storage's region in the device's directory (the log's two halves take
 *       {@code <name>}, {@code <name>.1} and their {@code .head}s);</li>
 *   <li>{@code capacity}: the log's bytes when it is created (required in a log URI, refused in a meta one);</li>
 *   <li>{@code create}: map a file of that length, created if absent (without it: the whole existing source);</li>
 *   <li>{@code emulateMapSync}: accept a file system without {@code MAP_SYNC}
 *       ({@link io.github.dax4j.MapOptions#emulateMapSync()}).</li>
 * </ul>
 * Sizes are bytes or a number of K, M or G (binary). Anything else (an unknown or repeated parameter, a relative
 * path, a size that is not positive) is an {@link IllegalArgumentException} naming the URI and what is wrong.
 * A device named by several URIs in one JVM is mapped once, exclusively (another process cannot map it
 * meanwhile), with the options of the URI that opened it: every URI naming it must ask for the same
 * {@code create} and {@code emulateMapSync}. A region (of a log: its four) held by one storage is refused to
 * another, so two nodes never write one. The device is unmapped when the last storage on it shuts down, or fails
 * its {@code init}. (A node whose log storage initialised but whose meta storage then failed is left with its log
 * storage unreleased by JRaft 1.4.1: shut the node down.)
 */
@SPI(priority = 1)
public final class DaxJRaftServiceFactory extends DefaultJRaftServiceFactory {

    private final DaxMapping pmem;
    private final Directory directory;
    private final String name;
    private final long logCapacity;

    /** The factory of dax4j: URIs, that JRaft's SPI creates; other URIs get JRaft's own storage. */
    public DaxJRaftServiceFactory() {
        this.pmem = null;
        this.directory = null;
        this.name = null;
        this.logCapacity = 0;
    }

    /**
     * The factory of one node's storage on {@code pmem}, whatever its URIs.
     *
     * @param name        the prefix of the node's regions in {@code directory}
     * @param logCapacity the bytes of the log, when it is created
     */
    public DaxJRaftServiceFactory(DaxMapping pmem, Directory directory, String name, long logCapacity) {
        this.pmem = Objects.requireNonNull(pmem, "pmem");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.name = Objects.requireNonNull(name, "name");
        this.logCapacity = logCapacity;
    }

    /**
     * @throws IllegalArgumentException if {@code uri} is a malformed {@code dax4j:} URI, or names a device mapped
     *                                  with other options
     * @throws UncheckedIOException     if the device cannot be mapped, or its directory not opened
     */
    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
        if (pmem != null) {
            return new DaxLogStorage(pmem, directory, name + ".log", logCapacity);
        }
        if (!DaxStorageUri.names(uri)) {
            return super.createLogStorage(uri, raftOptions);
        }
        DaxStorageUri storage = DaxStorageUri.parse(uri, true);
        String r = storage.region();
        Shared.Lease lease = Shared.acquire(storage, List.of(r, r + ".head", r + ".1", r + ".1.head"));
        return new DaxLogStorage(lease.pmem(), lease.directory(), r, storage.capacity(), lease);
    }

    /**
     * @throws IllegalArgumentException if {@code uri} is a malformed {@code dax4j:} URI, or names a device mapped
     *                                  with other options
     * @throws UncheckedIOException     if the device cannot be mapped, or its directory not opened
     */
    @Override
    public RaftMetaStorage createRaftMetaStorage(String uri, RaftOptions raftOptions) {
        if (pmem != null) {
            return new DaxRaftMetaStorage(pmem, directory, name + ".meta");
        }
        if (!DaxStorageUri.names(uri)) {
            return super.createRaftMetaStorage(uri, raftOptions);
        }
        DaxStorageUri storage = DaxStorageUri.parse(uri, false);
        Shared.Lease lease = Shared.acquire(storage, List.of(storage.region()));
        return new DaxRaftMetaStorage(lease.pmem(), lease.directory(), storage.region(), lease);
    }

    /**
     * A device mapped once for every storage on it in this JVM (keyed by its real path), exclusively (no other open,
     * in this process or another, holds it meanwhile), with the regions each storage claimed: a region claimed
     * twice is refused, so two storages never write one region. Unmapped when the last lease is released.
     */
    static final class Shared {
        private static final Map<Path, Shared> OPEN = new HashMap<>();

        private final Path key;
        private final io.github.dax4j.MapOptions options;
        private final DaxMapping pmem;
        private final Directory directory;
        private final java.util.Set<String> regions = new java.util.HashSet<>();
        private int users;

        private Shared(Path key, io.github.dax4j.MapOptions options, DaxMapping pmem, Directory directory) {
            this.key = key;
            this.options = options;
            this.pmem = pmem;
            this.directory = directory;
        }

        /** One storage's hold on a shared device and its regions; closing it twice releases once. */
        static final class Lease implements AutoCloseable {
            private final Shared shared;
            private final List<String> regions;
            private boolean released;

            private Lease(Shared shared, List<String> regions) {
                this.shared = shared;
                this.regions = regions;
            }

            DaxMapping pmem() {
                return shared.pmem;
            }

            Directory directory() {
                return shared.directory;
            }

            @Override
            public void close() {
                synchronized (OPEN) {
                    if (released) {
                        return;
                    }
                    released = true;
                    shared.regions.removeAll(regions);
                    if (--shared.users == 0) {
                        OPEN.remove(shared.key);
                        shared.pmem.close();
                    }
                }
            }

            @Override
            public String toString() {
                return "lease of " + regions + " on " + shared.key;
            }
        }

        /** {@return the devices mapped now, for tests} */
        static java.util.Set<Path> devices() {
            synchronized (OPEN) {
                return java.util.Set.copyOf(OPEN.keySet());
            }
        }

        /**
         * @throws IllegalArgumentException if another storage in this JVM holds one of {@code regions} of that
         *                                  device, or the device is mapped with other options
         * @throws UncheckedIOException     if the device cannot be mapped (another process holding it included)
         *                                  or its directory opened
         */
        static Lease acquire(DaxStorageUri uri, List<String> regions) {
            synchronized (OPEN) {
                Path key = key(uri.device());
                Shared shared = OPEN.get(key);
                if (shared == null) {
                    DaxMapping pmem = null;
                    try {
                        pmem = DaxMapping.open(key, uri.options());
                        shared = new Shared(key, uri.options(), pmem, Directory.open(pmem));
                    } catch (IOException e) { // mapping it, or its directory (DirectoryException)
                        close(pmem);
                        throw new UncheckedIOException(key + ": " + e.getMessage(), e);
                    } catch (RuntimeException e) {
                        close(pmem);
                        throw e;
                    }
                    OPEN.put(key, shared);
                } else if (!shared.options.equals(uri.options())) {
                    throw new IllegalArgumentException(uri.device() + " is mapped in this JVM with other options ("
                            + shared.options + ") than this URI asks for (" + uri.options() + "): every URI naming a"
                            + " device must ask for the same create and emulateMapSync");
                }
                for (String region : regions) {
                    if (shared.regions.contains(region)) {
                        if (shared.users == 0) {
                            OPEN.remove(key);
                            shared.pmem.close();
                        }
                        throw new IllegalArgumentException("region " + region + " of " + key + " is another storage's"
                                + " in this JVM: two storages must not write one region");
                    }
                }
                shared.regions.addAll(regions);
                shared.users++;
                return new Lease(shared, List.copyOf(regions));
            }
        }

        /** The real path of an existing device (so that links to one device share one mapping), else absolute. */
        private static Path key(Path device) {
            try {
                return device.toRealPath();
            } catch (IOException absent) {
                return device.toAbsolutePath().normalize(); // a file the URI creates
            }
        }

        private static void close(DaxMapping pmem) {
            if (pmem != null) {
                pmem.close();
            }
        }
    }
}
