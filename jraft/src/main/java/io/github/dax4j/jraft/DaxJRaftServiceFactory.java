package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;

import java.util.Objects;

/**
 * Installs dax4j's storage in one SOFAJRaft node: its log ({@link DaxLogStorage}, regions {@code <name>.log} and
 * {@code <name>.log.head}) and
 * its term and vote ({@link DaxRaftMetaStorage}, region {@code <name>.meta}), in the directory of one mapping;
 * snapshots stay JRaft's (files under the node's snapshot URI). The node's log and meta URIs are not used.
 *
 * <pre>{@code
 * NodeOptions options = new NodeOptions();
 * options.setServiceFactory(new DaxJRaftServiceFactory(pmem, Directory.open(pmem), "raft", 256L << 20));
 * }</pre>
 *
 * One factory per node: the regions are the node's alone.
 */
public final class DaxJRaftServiceFactory extends DefaultJRaftServiceFactory {

    private final DaxMapping pmem;
    private final Directory directory;
    private final String name;
    private final long logCapacity;

    /**
     * @param name        the prefix of the node's regions in {@code directory}
     * @param logCapacity the bytes of the log, when it is created
     */
    public DaxJRaftServiceFactory(DaxMapping pmem, Directory directory, String name, long logCapacity) {
        this.pmem = Objects.requireNonNull(pmem, "pmem");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.name = Objects.requireNonNull(name, "name");
        this.logCapacity = logCapacity;
    }

    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
        return new DaxLogStorage(pmem, directory, name + ".log", logCapacity);
    }

    @Override
    public RaftMetaStorage createRaftMetaStorage(String uri, RaftOptions raftOptions) {
        return new DaxRaftMetaStorage(pmem, directory, name + ".meta");
    }
}
