package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.storage.LogStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The log contract against dax4j's log storage, on an emulated device in tmpfs. */
class DaxLogStorageContractTest extends LogStorageContract {

    private static final MapOptions OPTIONS = MapOptions.ofLength(16 << 20).createIfAbsent().emulateMapSync();

    private final Path device;
    private final List<DaxMapping> mappings = new ArrayList<>();

    DaxLogStorageContractTest() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-log-", ".img");
        Files.delete(device);
    }

    @Override
    LogStorage create() throws Exception {
        DaxMapping pmem = DaxMapping.open(device, OPTIONS);
        mappings.add(pmem);
        return new DaxLogStorage(pmem, Directory.open(pmem), "raft.log", 8 << 20);
    }

    @Override
    void deletePlace() throws Exception {
        mappings.forEach(DaxMapping::close);
        Files.deleteIfExists(device);
    }
}
