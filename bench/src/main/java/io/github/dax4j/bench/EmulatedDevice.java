package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.PersistMechanism;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fresh emulated device for one benchmark trial: a file in {@code /dev/shm} of the given size, prefaulted, mapped
 * with the asked-for mechanism, deleted again by {@link #close()}.
 */
final class EmulatedDevice implements AutoCloseable {

    final Path file;
    final DaxMapping pmem;

    private EmulatedDevice(Path file, DaxMapping pmem) {
        this.file = file;
        this.pmem = pmem;
    }

    static EmulatedDevice create(long bytes, PersistMechanism mechanism) {
        return create(Path.of("/dev/shm"), bytes, mechanism);
    }

    /** {@link #create(long, PersistMechanism)} in {@code directory} (e.g. a disk-backed one, for msync to disk). */
    static EmulatedDevice create(Path directory, long bytes, PersistMechanism mechanism) {
        try {
            Path file = Files.createTempFile(directory, "dax4j-bench-", ".img");
            Files.delete(file);
            return new EmulatedDevice(file, DaxMapping.open(file, MapOptions.ofLength(bytes).createIfAbsent()
                    .emulateMapSync().persistMechanism(mechanism).prefault()
                    // FENCE_ONLY rows measure what an eADR machine would pay; on RAM nothing is durable anyway
                    .acceptNonDurableStores()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        pmem.close();
        Files.deleteIfExists(file);
    }
}
