package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The log contract against JRaft's default RocksDB log storage: what the tests assert, JRaft does. */
class RocksDBLogStorageContractTest extends LogStorageContract {

    private final Path dir;

    RocksDBLogStorageContractTest() throws Exception {
        dir = Files.createTempDirectory("jraft-log-");
    }

    @Override
    LogStorage create() {
        return new RocksDBLogStorage(dir.toString(), new RaftOptions());
    }

    @Override
    void deletePlace() throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
