/*
 * Run (from the checkout; the report's --raft run runs this with 3 forks):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh RaftCommitBenchmark -f 1 -wi 2 -i 3 -w 2 -r 2"
 *
 * A 3-node SOFAJRaft group in one JVM on loopback, each node's log and meta either dax4j's (a device of its own,
 * an emulated one in /dev/shm with CPU cache flushes) or JRaft's own (RocksDB log with sync writes and its meta
 * file, JRaft's defaults) on tmpfs or on the disk-backed java.io.tmpdir. A task is 8 bytes; it is committed when
 * its closure runs on the leader (a majority holds it durably, and the leader applied it to a state machine that
 * does nothing). commit: one task at a time, SampleTime (mean, p50, p99 of one commit); inFlight16: tasks applied
 * as fast as 16 may be outstanding, Throughput (tasks/s). No snapshots: the logs only grow, within a trial.
 */
package io.github.dax4j.bench;

import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.jraft.DaxJRaftServiceFactory;
import io.github.dax4j.layout.Directory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens",
        "java.base/java.lang=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@State(Scope.Benchmark)
public class RaftCommitBenchmark {

    private static final long DEVICE = 512L << 20;
    private static final long LOG = 448L << 20;

    /** Where the nodes keep their logs and meta. */
    public enum Storage { DAX4J, ROCKSDB_TMPFS, ROCKSDB_DISK }

    @Param({"DAX4J", "ROCKSDB_TMPFS", "ROCKSDB_DISK"})
    public Storage storage;

    /** A state machine that does nothing but run each task's closure. */
    private static final class Nothing extends StateMachineAdapter {
        @Override
        public void onApply(Iterator it) {
            while (it.hasNext()) {
                if (it.done() != null) {
                    it.done().run(Status.OK());
                }
                it.next();
            }
        }
    }

    private final List<EmulatedDevice> devices = new ArrayList<>();
    private final List<RaftGroupService> services = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private final Semaphore inFlight = new Semaphore(16);
    /** The first task that did not commit, thrown at the iteration's end: a failed task is no throughput. */
    private final java.util.concurrent.atomic.AtomicReference<Status> failed = new java.util.concurrent.atomic
            .AtomicReference<>();
    private Node leader;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<PeerId> peers = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                peers.add(new PeerId("127.0.0.1", socket.getLocalPort()));
            }
        }
        Path parent = storage == Storage.ROCKSDB_DISK ? Path.of(System.getProperty("java.io.tmpdir"))
                : Path.of("/dev/shm");
        List<Node> nodes = new ArrayList<>();
        for (PeerId peer : peers) {
            Path directory = Files.createTempDirectory(parent, "dax4j-bench-raft-");
            directories.add(directory);
            NodeOptions options = new NodeOptions();
            options.setFsm(new Nothing());
            options.setInitialConf(new Configuration(peers));
            options.setElectionTimeoutMs(1000);
            options.setLogUri(directory.resolve("log").toString());
            options.setRaftMetaUri(directory.resolve("meta").toString());
            if (storage == Storage.DAX4J) {
                EmulatedDevice device = EmulatedDevice.create(DEVICE, PersistMechanism.cpuCacheFlush()
                        .orElse(PersistMechanism.MSYNC));
                devices.add(device);
                options.setServiceFactory(new DaxJRaftServiceFactory(device.pmem, Directory.open(device.pmem),
                        "raft", LOG));
            }
            RaftGroupService service = new RaftGroupService("bench", peer, options);
            services.add(service);
            nodes.add(service.start());
        }
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); leader == null; Thread.sleep(20)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader in 30 s");
            }
            leader = nodes.stream().filter(Node::isLeader).findFirst().orElse(null);
        }
    }

    @TearDown(Level.Iteration)
    public void noFailures() {
        Status status = failed.get();
        if (status != null) {
            throw new IllegalStateException("a task did not commit: " + status);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (RaftGroupService service : services) {
            service.shutdown();
            service.join();
        }
        for (EmulatedDevice device : devices) {
            device.close();
        }
        for (Path directory : directories) {
            try (var files = Files.walk(directory)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static Task task(com.alipay.sofa.jraft.Closure done) {
        return new Task(ByteBuffer.allocate(8), done);
    }

    /** One task, committed. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Status commit() {
        CompletableFuture<Status> done = new CompletableFuture<>();
        leader.apply(task(done::complete));
        Status status;
        try {
            status = done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no commit in 10 s", e);
        }
        if (!status.isOk()) {
            throw new IllegalStateException("not committed: " + status);
        }
        return status;
    }

    /** One task applied once fewer than 16 are outstanding: the rate is the group's commit rate. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void inFlight16() throws InterruptedException {
        inFlight.acquire();
        leader.apply(task(status -> {
            if (!status.isOk()) {
                failed.compareAndSet(null, status);
            }
            inFlight.release();
        }));
    }
}
