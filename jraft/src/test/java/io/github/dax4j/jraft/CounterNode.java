package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One node of {@link KillNineClusterTest}'s cluster, in a JVM of its own: a SOFAJRaft node whose log and meta are
 * on a dax4j mapping (an emulated device file), with a state machine that appends each applied increment's id to a
 * list, snapshots every second (so that logs are truncated and lagging followers installed by snapshot), and
 * a line protocol for the test on a loopback port:
 * <ul>
 *   <li>{@code INC id}: {@code OK} once the increment is applied on this node, the leader; {@code NOTLEADER} when
 *       this node is not the leader (nothing was proposed); {@code FAIL reason} when it was proposed but not
 *       acknowledged (it may yet be applied);</li>
 *   <li>{@code STATE}: {@code STATE leader committedIndex id,id,...}, the ids in the order applied.</li>
 * </ul>
 * Arguments: the node's number, the three Raft peers ({@code host:port,...}), the data directory and the client
 * port. It prints {@code READY} when both servers are up, and on stderr a line for every snapshot it loads and
 * for any error JRaft stops it with ({@code FSM-ERROR}).
 */
final class CounterNode {

    static final long DEVICE_BYTES = 64L << 20;
    /**
     * Two halves of 128 KiB, some 2000 one-line entries each: the entries a 1-second snapshot interval keeps live
     * (a few hundred at the 300 commits a second of a 2-core machine) fit a half with room to spare (halves of 32 and
     * 64 KiB with a 2-second interval filled up and failed appends with EIO), and the test's 4000 or more
     * increments switch halves at least twice.
     */
    static final long LOG_BYTES = 256L << 10;

    /** The ids applied, in order: a list whose snapshot is its ids, little-endian longs. */
    static final class Counter extends StateMachineAdapter {
        private final List<Long> ids = new ArrayList<>();

        @Override
        public void onApply(Iterator it) {
            while (it.hasNext()) {
                long id = it.getData().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                synchronized (this) {
                    ids.add(id);
                }
                if (it.done() != null) {
                    it.done().run(Status.OK());
                }
                it.next();
            }
        }

        @Override
        public void onSnapshotSave(SnapshotWriter writer, com.alipay.sofa.jraft.Closure done) {
            ByteBuffer bytes;
            synchronized (this) {
                bytes = ByteBuffer.allocate(8 * ids.size()).order(ByteOrder.LITTLE_ENDIAN);
                ids.forEach(bytes::putLong);
            }
            try {
                Files.write(Path.of(writer.getPath(), "ids"), bytes.array());
                done.run(writer.addFile("ids") ? Status.OK() : new Status(RaftError.EIO, "addFile ids"));
            } catch (IOException e) {
                done.run(new Status(RaftError.EIO, e.toString()));
            }
        }

        @Override
        public boolean onSnapshotLoad(SnapshotReader reader) {
            if (reader.getFileMeta("ids") == null) {
                return false;
            }
            try {
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(Path.of(reader.getPath(), "ids")))
                        .order(ByteOrder.LITTLE_ENDIAN);
                synchronized (this) {
                    // a snapshot loaded after increments were applied came from the leader: the log was reset
                    System.err.println(ids.isEmpty() ? "SNAPSHOT loaded" : "SNAPSHOT installed");
                    ids.clear();
                    while (bytes.remaining() >= 8) {
                        ids.add(bytes.getLong());
                    }
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** JRaft stops a node on an error (a storage's EIO among them): said on stderr, where the test looks. */
        @Override
        public void onError(com.alipay.sofa.jraft.error.RaftException e) {
            System.err.println("FSM-ERROR " + e);
        }

        synchronized String idsText() {
            return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    public static void main(String[] args) throws Exception {
        int me = Integer.parseInt(args[0]);
        List<PeerId> peers = new ArrayList<>();
        for (String peer : args[1].split(",")) {
            PeerId id = new PeerId();
            if (!id.parse(peer)) {
                throw new IllegalArgumentException("peer " + peer);
            }
            peers.add(id);
        }
        Path data = Path.of(args[2]);
        int clientPort = Integer.parseInt(args[3]);

        DaxMapping pmem = DaxMapping.open(data.resolve("node" + me + ".img"),
                MapOptions.ofLength(DEVICE_BYTES).createIfAbsent().emulateMapSync());
        Counter fsm = new Counter();
        NodeOptions options = new NodeOptions();
        options.setFsm(fsm);
        options.setInitialConf(new Configuration(peers));
        options.setElectionTimeoutMs(600);
        options.setSnapshotIntervalSecs(1);
        // keep 32 entries behind each snapshot, so that the kill -9 test's end always finds committed entries to
        // compare between the logs (with no margin a snapshot at the commit point leaves a log with none)
        options.setSnapshotLogIndexMargin(32);
        options.setLogUri("unused");
        options.setRaftMetaUri("unused");
        Path snapshots = data.resolve("snapshots" + me);
        Files.createDirectories(snapshots);
        options.setSnapshotUri(snapshots.toString());
        options.setServiceFactory(new DaxJRaftServiceFactory(pmem, Directory.open(pmem), "raft", LOG_BYTES));
        RaftGroupService service = new RaftGroupService("counter", peers.get(me), options);
        Node node = service.start();

        try (ServerSocket server = new ServerSocket(clientPort, 16, InetAddress.getLoopbackAddress())) {
            System.out.println("READY");
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(client, node, fsm));
            }
        }
    }

    private static void serve(Socket client, Node node, Counter fsm) {
        try (client; BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.US_ASCII)); PrintWriter out = new PrintWriter(client.getOutputStream(), true,
                StandardCharsets.US_ASCII)) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "INC" -> out.println(increment(node, Long.parseLong(f[1])));
                    case "STATE" -> out.println("STATE " + (node.isLeader() ? 1 : 0) + " "
                            + node.getLastCommittedIndex() + " " + fsm.idsText());
                    default -> out.println("FAIL unknown command");
                }
            }
        } catch (IOException gone) {
            // the test closed the connection
        }
    }

    private static String increment(Node node, long id) {
        if (!node.isLeader()) {
            return "NOTLEADER";
        }
        CompletableFuture<Status> done = new CompletableFuture<>();
        node.apply(new Task(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, id), done::complete));
        try {
            Status status = done.get(3, TimeUnit.SECONDS);
            return status.isOk() ? "OK" : "FAIL " + status.getCode() + " " + status.getErrorMsg();
        } catch (Exception e) {
            return "FAIL " + e;
        }
    }
}
