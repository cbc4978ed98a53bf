package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An emulated device in tmpfs for the layout tests: created empty, remapped at will, deleted by {@link #close()}. */
final class TmpfsDevice implements AutoCloseable {

    private final Path path;
    private DaxMapping pmem;

    private TmpfsDevice(Path path, DaxMapping pmem) {
        this.path = path;
        this.pmem = pmem;
    }

    static TmpfsDevice create(long size) {
        try {
            Path path = Files.createTempFile(Path.of("/dev/shm"), "dax4j-layout-", ".img");
            Files.delete(path);
            return new TmpfsDevice(path, DaxMapping.open(path, MapOptions.ofLength(size).createIfAbsent()
                    .emulateMapSync()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return path;
    }

    DaxMapping mapping() {
        return pmem;
    }

    /** Closes the mapping and maps the device again, as a restarted process would. */
    DaxMapping reopen(MapOptions options) throws Exception {
        pmem.close();
        pmem = DaxMapping.open(path, options.emulateMapSync());
        return pmem;
    }

    DaxMapping reopen() throws Exception {
        return reopen(MapOptions.wholeSource());
    }

    @Override
    public void close() {
        pmem.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
