package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.option.RaftMetaStorageOptions;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against dax4j's meta storage, on an emulated device in tmpfs. */
class DaxRaftMetaStorageContractTest extends RaftMetaStorageContract {

    static final MapOptions OPTIONS = MapOptions.ofLength(1 << 20).createIfAbsent().emulateMapSync();

    private final Path device;
    private final Map<RaftMetaStorage, DaxMapping> mappings = new IdentityHashMap<>();

    DaxRaftMetaStorageContractTest() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-meta-", ".img");
        Files.delete(device);
    }

    @Override
    RaftMetaStorage open() throws Exception {
        DaxMapping pmem = DaxMapping.open(device, OPTIONS);
        DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, Directory.open(pmem), "raft.meta");
        assertTrue(meta.init(new RaftMetaStorageOptions()), () -> meta.failure().toString());
        mappings.put(meta, pmem);
        return meta;
    }

    @Override
    void close(RaftMetaStorage storage) {
        storage.shutdown();
        mappings.remove(storage).close();
    }

    @Override
    void deletePlace() throws Exception {
        mappings.values().forEach(DaxMapping::close);
        Files.deleteIfExists(device);
    }
}
