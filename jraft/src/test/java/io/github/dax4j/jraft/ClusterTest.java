package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three SOFAJRaft nodes in this JVM, on loopback, each with its log and meta storage on a dax4j mapping of its own:
 * a leader is elected, increments are committed on all three, a stopped follower's log on persistent memory holds
 * every one of them, and the follower started again applies them.
 */
class ClusterTest {

    private static final String GROUP = "counter";

    /** Counts the increments applied; each task's data is one long, added to the sum. */
    static final class Counter extends StateMachineAdapter {
        final AtomicLong applied = new AtomicLong();
        final AtomicLong sum = new AtomicLong();

        @Override
        public void onApply(Iterator it) {
            while (it.hasNext()) {
                sum.addAndGet(it.getData().getLong(0));
                applied.incrementAndGet();
                if (it.done() != null) {
                    it.done().run(Status.OK());
                }
                it.next();
            }
        }
    }

    private final List<Path> places = new ArrayList<>();
    private final List<DaxMapping> mappings = new ArrayList<>();
    private final List<RaftGroupService> services = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RaftGroupService s : services) {
            s.shutdown();
            s.join();
        }
        mappings.forEach(DaxMapping::close);
        for (Path p : places) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Node start(PeerId peer, Configuration conf, Counter fsm, Path device, Path snapshots) throws Exception {
        DaxMapping pmem = DaxMapping.open(device, MapOptions.ofLength(64L << 20).createIfAbsent().emulateMapSync());
        mappings.add(pmem);
        NodeOptions options = new NodeOptions();
        options.setFsm(fsm);
        options.setInitialConf(conf);
        options.setElectionTimeoutMs(1000);
        options.setLogUri("unused");
        options.setRaftMetaUri("unused");
        options.setSnapshotUri(snapshots.toString());
        options.setServiceFactory(new DaxJRaftServiceFactory(pmem, Directory.open(pmem), "raft", 32L << 20));
        RaftGroupService service = new RaftGroupService(GROUP, peer, options);
        services.add(service);
        return service.start();
    }

    @Test
    void threeNodesCommitIncrementsAndAStoppedFollowersLogHoldsThem() throws Exception {
        List<PeerId> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new PeerId("127.0.0.1", freePort()));
        }
        Configuration conf = new Configuration(peers);
        List<Node> nodes = new ArrayList<>();
        List<Counter> counters = new ArrayList<>();
        List<Path> devices = new ArrayList<>();
        for (PeerId peer : peers) {
            Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-node-", ".img");
            Files.delete(device);
            Path snapshots = Files.createTempDirectory("dax4j-raft-snap-");
            places.add(device);
            places.add(snapshots);
            devices.add(device);
            Counter fsm = new Counter();
            counters.add(fsm);
            nodes.add(start(peer, conf, fsm, device, snapshots));
        }
        Node leader = null;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); leader == null
                && System.nanoTime() < deadline; ) {
            for (Node n : nodes) {
                if (n.isLeader()) {
                    leader = n;
                }
            }
            Thread.sleep(50);
        }
        assertNotNull(leader, "no leader elected in 30 s");
        int tasks = 200;
        CountDownLatch committed = new CountDownLatch(tasks);
        List<Status> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 1; i <= tasks; i++) {
            Task task = new Task(ByteBuffer.allocate(8).putLong(0, i), status -> {
                if (!status.isOk()) {
                    failures.add(status);
                }
                committed.countDown();
            });
            leader.apply(task);
        }
        assertTrue(committed.await(30, TimeUnit.SECONDS), "not every task committed in 30 s");
        assertEquals(List.of(), failures);
        long expected = (long) tasks * (tasks + 1) / 2;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < deadline
                && counters.stream().anyMatch(c -> c.sum.get() != expected); ) {
            Thread.sleep(50);
        }
        for (Counter c : counters) {
            assertEquals(expected, c.sum.get(), "every node applied every increment once");
        }

        // a follower stopped: its log on persistent memory holds every increment, read back by a storage of its own
        int follower = nodes.indexOf(leader) == 0 ? 1 : 0;
        services.get(follower).shutdown();
        services.get(follower).join();
        mappings.get(follower).close();
        try (DaxMapping pmem = DaxMapping.open(devices.get(follower), MapOptions.ofLength(64L << 20)
                .emulateMapSync())) {
            DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem), "raft.log", 32L << 20);
            com.alipay.sofa.jraft.option.LogStorageOptions options = new com.alipay.sofa.jraft.option
                    .LogStorageOptions();
            options.setConfigurationManager(new com.alipay.sofa.jraft.conf.ConfigurationManager());
            options.setLogEntryCodecFactory(com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory
                    .getInstance());
            assertTrue(log.init(options), () -> log.failure().toString());
            long sum = 0;
            for (long i = log.getFirstLogIndex(); i <= log.getLastLogIndex(); i++) {
                com.alipay.sofa.jraft.entity.LogEntry entry = log.getEntry(i);
                if (entry.getType() == com.alipay.sofa.jraft.entity.EnumOutter.EntryType.ENTRY_TYPE_DATA) {
                    sum += entry.getData().getLong(0);
                }
            }
            assertEquals(expected, sum, "the follower's log holds every increment");
        }
        // and started again: it applies them (with no snapshot, from its log)
        Counter restarted = new Counter();
        start(peers.get(follower), conf, restarted, devices.get(follower), places.get(2 * follower + 1));
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline
                && restarted.sum.get() != expected; ) {
            Thread.sleep(50);
        }
        assertEquals(expected, restarted.sum.get(), "the restarted follower applied the log it kept");
    }
}
