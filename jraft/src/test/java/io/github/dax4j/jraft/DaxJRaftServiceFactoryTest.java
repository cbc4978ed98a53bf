package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.impl.LocalRaftMetaStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.RegionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Installing dax4j's storage: JRaft's SPI finds the factory, and dax4j: URIs alone choose dax4j's storage. */
class DaxJRaftServiceFactoryTest {

    private final Path device;
    private final Path snapshots;

    DaxJRaftServiceFactoryTest() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-spi-", ".img");
        Files.delete(device);
        snapshots = Files.createTempDirectory("dax4j-raft-spi-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(device);
        try (Stream<Path> files = Files.walk(snapshots)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        assertEquals(Set.of(), DaxJRaftServiceFactory.Shared.devices(), "a test left a device mapped");
    }

    private String uri(String region, String more) {
        return "dax4j:" + device + "?region=" + region + "&create=64M&emulateMapSync" + more;
    }

    @Test
    void jraftsServiceLoaderPicksThisFactoryForNodesThatSetNone() {
        assertInstanceOf(DaxJRaftServiceFactory.class, new NodeOptions().getServiceFactory());
    }

    @Test
    void aUriThatIsNotDax4jsGetsJRaftsOwnStorage() {
        DaxJRaftServiceFactory factory = new DaxJRaftServiceFactory();
        assertInstanceOf(RocksDBLogStorage.class, factory.createLogStorage(snapshots.resolve("log").toString(),
                new RaftOptions()));
        assertInstanceOf(LocalRaftMetaStorage.class, factory.createRaftMetaStorage(
                snapshots.resolve("meta").toString(), new RaftOptions()));
        assertEquals(Set.of(), DaxJRaftServiceFactory.Shared.devices());
    }

    @Test
    void aNodeOnDax4jUrisCommitsKeepsItsLogAndReleasesTheDeviceAtShutdown() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PeerId peer = new PeerId("127.0.0.1", port);
        for (int start = 0; start < 2; start++) {
            ClusterTest.Counter fsm = new ClusterTest.Counter();
            NodeOptions options = new NodeOptions(); // no factory set: JRaft's SPI default, this one
            options.setFsm(fsm);
            options.setInitialConf(new Configuration(List.of(peer)));
            options.setElectionTimeoutMs(300);
            options.setLogUri(uri("n1.log", "&capacity=8M"));
            options.setRaftMetaUri(uri("n1.meta", ""));
            options.setSnapshotUri(snapshots.toString());
            RaftGroupService service = new RaftGroupService("spi", peer, options);
            Node node = service.start();
            try {
                assertEquals(Set.of(device.toAbsolutePath()), DaxJRaftServiceFactory.Shared.devices(),
                        "the log and the meta share one mapping");
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); !node.isLeader()
                        && System.nanoTime() < deadline; ) {
                    Thread.sleep(20);
                }
                assertTrue(node.isLeader(), "a one-node group elects itself");
                if (start == 0) {
                    CountDownLatch done = new CountDownLatch(10);
                    for (long i = 1; i <= 10; i++) {
                        node.apply(new Task(ByteBuffer.allocate(8).putLong(0, i), status -> done.countDown()));
                    }
                    assertTrue(done.await(20, TimeUnit.SECONDS));
                }
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); fsm.sum.get() != 55
                        && System.nanoTime() < deadline; ) {
                    Thread.sleep(20);
                }
                assertEquals(55, fsm.sum.get(), "start " + start + ": the increments applied, from the log");
            } finally {
                service.shutdown();
                service.join();
            }
            assertEquals(Set.of(), DaxJRaftServiceFactory.Shared.devices(), "the last shutdown unmaps the device");
        }
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            assertEquals(Set.of("n1.log", "n1.log.head", "n1.log.1", "n1.log.1.head", "n1.meta"), Set.copyOf(Directory.open(pmem).list()
                    .stream().map(RegionInfo::name).toList()));
        }
    }

    @Test
    void aUriAskingForOtherMapOptionsThanTheOpenMappingIsRefused() {
        DaxJRaftServiceFactory factory = new DaxJRaftServiceFactory();
        var log = factory.createLogStorage(uri("n.log", "&capacity=1M"), new RaftOptions());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> factory
                .createRaftMetaStorage("dax4j:" + device + "?region=n.meta&create=32M", new RaftOptions()));
        assertTrue(e.getMessage().contains("mapped in this JVM with other options"), e.getMessage());
        log.shutdown();
        log.shutdown(); // twice: releases once
    }

    @Test
    void aDeviceThatCannotBeMappedLeavesNothingMapped() {
        DaxJRaftServiceFactory factory = new DaxJRaftServiceFactory();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> factory.createLogStorage(
                "dax4j:" + device + "?region=n.log&capacity=1M", new RaftOptions()));
        assertTrue(e.getMessage().startsWith(device.toString()), e.getMessage());
        assertEquals(Set.of(), DaxJRaftServiceFactory.Shared.devices());
        assertThrows(IllegalArgumentException.class, () -> factory.createLogStorage(uri("n.log", ""),
                new RaftOptions()), "a log URI without a capacity");
    }

    @Test
    void aRegionHeldByOneStorageIsRefusedToAnotherUntilItShutsDown() {
        DaxJRaftServiceFactory factory = new DaxJRaftServiceFactory();
        var log = factory.createLogStorage(uri("n.log", "&capacity=1M"), new RaftOptions());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> factory
                .createLogStorage(uri("n.log", "&capacity=1M"), new RaftOptions()));
        assertTrue(twice.getMessage().contains("another storage's"), twice.getMessage());
        // a meta storage named like the log's second half would write it
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> factory
                .createRaftMetaStorage(uri("n.log.1", ""), new RaftOptions()));
        assertTrue(overlap.getMessage().contains("region n.log.1"), overlap.getMessage());
        log.shutdown();
        var again = factory.createLogStorage(uri("n.log", "&capacity=1M"), new RaftOptions());
        again.shutdown();
    }

    @Test
    void aStorageWhoseInitFailsReleasesTheDevice() {
        DaxJRaftServiceFactory factory = new DaxJRaftServiceFactory();
        var log = factory.createLogStorage(uri("n.log", "&capacity=64"), new RaftOptions()); // halves of 32 bytes
        com.alipay.sofa.jraft.option.LogStorageOptions options = new com.alipay.sofa.jraft.option
                .LogStorageOptions();
        options.setConfigurationManager(new com.alipay.sofa.jraft.conf.ConfigurationManager());
        options.setLogEntryCodecFactory(com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory
                .getInstance());
        assertTrue(!log.init(options), "a half of 32 bytes is refused");
        assertEquals(Set.of(), DaxJRaftServiceFactory.Shared.devices(), "released without a shutdown");
        log.shutdown(); // and a shutdown after it releases nothing twice
    }
}
