package io.github.dax4j;

import java.nio.file.Path;

/**
 * Synchronous mapping ({@code MAP_SHARED_VALIDATE|MAP_SYNC}) was required, and the kernel refused it for this
 * source: its file system is not mounted with DAX.
 *
 * <p>Thrown only under default: {@link MapOptions#emulateMapSync()} maps the same source with
 * {@code MAP_SHARED} instead and makes stores durable with {@code msync}.
 */
public class MapSyncUnavailableException extends DaxException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public MapSyncUnavailableException(Path path, FileSystemKind fileSystem, java.nio.file.FileSystemException cause) {
        super("MAP_SYNC is not available for " + path + " on " + fileSystem.displayName() + ": "
                + cause.getMessage() + "; the file system is not DAX (mount ext4 or xfs with -o dax on persistent"
                + " memory, or map a /dev/daxX.Y device), or use MapOptions.emulateMapSync() to fall back to msync",
                cause);
        this.path = path;
    }

    /** {@return the source that could not be mapped synchronously} */
    public Path path() {
        return path;
    }
}
