package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.RaftMetaStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import com.alipay.sofa.jraft.storage.impl.LocalRaftMetaStorage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against JRaft's own file-based meta storage: what the tests assert, JRaft does. */
class LocalRaftMetaStorageContractTest extends RaftMetaStorageContract {

    private final Path dir;

    LocalRaftMetaStorageContractTest() throws Exception {
        dir = Files.createTempDirectory("jraft-meta-");
    }

    @Override
    RaftMetaStorage open() {
        LocalRaftMetaStorage meta = new LocalRaftMetaStorage(dir.toString(), new RaftOptions());
        RaftMetaStorageOptions options = new RaftMetaStorageOptions();
        options.setNode(new NodeImpl("contract", new PeerId("127.0.0.1", 8081))); // it reports I/O errors to it
        assertTrue(meta.init(options));
        return meta;
    }

    @Override
    void close(RaftMetaStorage storage) {
        storage.shutdown();
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
