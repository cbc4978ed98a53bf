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
 * A device named by several URIs in one JVM is mapped once, with the options of the URI that opened it (a URI
 * asking for other ones is refused), and unmapped when the last storage on it shuts down.
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
        Shared device = Shared.acquire(storage);
        return new DaxLogStorage(device.pmem, device.directory, storage.region(), storage.capacity(), device);
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
        Shared device = Shared.acquire(storage);
        return new DaxRaftMetaStorage(device.pmem, device.directory, storage.region(), device);
    }

    /** A device mapped once for every storage on it in this JVM; unmapped when the last one is released. */
    static final class Shared implements AutoCloseable {
        private static final Map<Path, Shared> OPEN = new HashMap<>();

        private final Path key;
        private final io.github.dax4j.MapOptions options;
        final DaxMapping pmem;
        final Directory directory;
        private int users;

        private Shared(Path key, io.github.dax4j.MapOptions options, DaxMapping pmem, Directory directory) {
            this.key = key;
            this.options = options;
            this.pmem = pmem;
            this.directory = directory;
        }

        /** {@return the devices mapped now, for tests} */
        static java.util.Set<Path> devices() {
            synchronized (OPEN) {
                return java.util.Set.copyOf(OPEN.keySet());
            }
        }

        static Shared acquire(DaxStorageUri uri) {
            synchronized (OPEN) {
                Path key = uri.device().toAbsolutePath().normalize();
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
                            + shared.options + ") than this URI asks for (" + uri.options() + ")");
                }
                shared.users++;
                return shared;
            }
        }

        private static void close(DaxMapping pmem) {
            if (pmem != null) {
                pmem.close();
            }
        }

        /** Releases one user; the last one unmaps the device. */
        @Override
        public void close() {
            synchronized (OPEN) {
                if (users > 0 && --users == 0) {
                    OPEN.remove(key);
                    pmem.close();
                }
            }
        }
    }
}
