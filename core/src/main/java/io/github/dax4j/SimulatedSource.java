package io.github.dax4j;

import java.nio.file.Path;

/**
 * An in-memory device for crash simulation ({@link DaxMapping#simulate}): no file, no kernel, no cache flush; its
 * persist calls go to a {@link DaxMapping.PersistenceObserver}.
 *
 * @param name      a name for messages, e.g. {@code wal}
 * @param size      the bytes of the device
 * @param alignment the alignment it behaves as if configured with
 */
public record SimulatedSource(String name, long size, Alignment alignment) implements Source {

    @Override
    public Path path() {
        return Path.of("simulated:" + name);
    }

    @Override
    public Path realPath() {
        return path();
    }

    @Override
    public long faultSize() {
        return alignment.bytes();
    }

    @Override
    public Alignment naturalAlignment() {
        return alignment;
    }
}
