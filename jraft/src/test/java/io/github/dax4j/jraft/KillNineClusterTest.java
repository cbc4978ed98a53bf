package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.layout.Directory;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A live cluster killed while it works: three {@link CounterNode}s in three JVMs on loopback, a client proposing
 * increments without pause, and 20 rounds in each of which one node, the leader every other round, is killed with
 * SIGKILL and started again on its device file. At the end:
 * <ul>
 *   <li>every acknowledged increment is applied, on every node;</li>
 *   <li>no increment is applied twice, and none that was never proposed appears;</li>
 *   <li>the three nodes applied the same increments in the same order;</li>
 *   <li>the three logs on their devices, read back by a storage of the test's own, agree entry for entry on the
 *       committed prefix they all still hold (snapshots truncate them);</li>
 *   <li>no node stopped on an error (JRaft's, a storage's EIO among them) at any time.</li>
 * </ul>
 * The logs are small (two halves of 128 KiB), and every round waits for {@value #PER_ROUND} increments, so that
 * the logs switch halves while nodes are killed, however fast the machine.
 * An increment whose proposal failed or timed out is ambiguous (it may yet commit): the client never proposes its
 * id again, so a second application of one id would be the storage's doing. The devices are emulated files whose
 * page cache survives a killed process: this tests what the storage writes and how it recovers under JRaft, not
 * power failure (the crash simulator's job, {@code DaxLogStorageTest}).
 */
class KillNineClusterTest {

    private static final int NODES = 3;
    private static final int ROUNDS = 20;
    /**
     * Increments acknowledged before each kill: 20 rounds of them fill a node's 128 KiB halves twice over,
     * whatever rate the machine runs at (a fixed time did not: 1569 entries in a run switched no half).
     */
    private static final int PER_ROUND = 200;

    private final Process[] children = new Process[NODES];
    private final int[] clientPorts = new int[NODES];
    private String peers;
    private Path data;
    private Path logs;

    @Test
    void twentyKillsLoseNoAcknowledgedIncrementAndApplyNoneTwice() throws Exception {
        data = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-raft-kill-");
        logs = Files.createDirectories(Path.of("target", "kill-nine-cluster"));
        for (int n = 0; n < NODES; n++) {
            Files.deleteIfExists(err(n));
        }
        SplittableRandom random = new SplittableRandom(16);
        List<String> peerList = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            peerList.add("127.0.0.1:" + freePort());
            clientPorts[n] = freePort();
        }
        peers = String.join(",", peerList);
        Set<Long> sent = ConcurrentHashMap.newKeySet();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Thread client = null;
        try {
            for (int n = 0; n < NODES; n++) {
                start(n);
            }
            client = Thread.ofPlatform().name("client").start(() -> propose(sent, acked, stop));
            for (int round = 0; round < ROUNDS; round++) {
                awaitProgress(acked, round);
                int victim = round % 2 == 0 ? leader().orElse(random.nextInt(NODES)) : random.nextInt(NODES);
                children[victim].destroyForcibly(); // SIGKILL
                children[victim].waitFor();
                Thread.sleep(random.nextInt(0, 500));
                start(victim);
            }
            awaitProgress(acked, ROUNDS);
            stop.set(true);
            client.join();

            // every node catches up with the same increments, in the same order
            String[][] states = new String[NODES][];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                Thread.sleep(200);
                for (int n = 0; n < NODES; n++) {
                    states[n] = state(n);
                }
            } while (System.nanoTime() < deadline && !(states[0][3].equals(states[1][3])
                    && states[1][3].equals(states[2][3]) && applied(states[0]).containsAll(acked)));
            List<Long> order = idList(states[0]);
            for (int n = 0; n < NODES; n++) {
                List<Long> ids = idList(states[n]);
                assertEquals(order, ids, "node " + n + " applied the increments of node 0, in its order");
                assertEquals(ids.size(), new HashSet<>(ids).size(), "node " + n + " applied an increment twice");
                Set<Long> missing = new HashSet<>(acked);
                missing.removeAll(ids);
                assertEquals(Set.of(), missing, "node " + n + " lost acknowledged increments");
                Set<Long> forged = new HashSet<>(ids);
                forged.removeAll(sent);
                assertEquals(Set.of(), forged, "node " + n + " applied increments never proposed");
            }
            assertTrue(acked.size() >= PER_ROUND * (ROUNDS + 1), acked.size() + " increments acknowledged");

            // the logs on the devices agree on the committed prefix
            long[] committed = new long[NODES];
            long[] installs = new long[NODES];
            for (int n = 0; n < NODES; n++) {
                committed[n] = Long.parseLong(states[n][2]);
                try (Stream<String> lines = Files.lines(err(n))) {
                    installs[n] = lines.filter("SNAPSHOT installed"::equals).count();
                }
                try (Stream<String> lines = Files.lines(err(n))) {
                    assertEquals(List.of(), lines.filter(l -> l.startsWith("FSM-ERROR")).toList(),
                            "node " + n + " stopped on an error (a start after a kill would hide it)");
                }
                children[n].destroyForcibly();
                children[n].waitFor();
            }
            List<List<LogEntry>> entries = new ArrayList<>();
            long from = 1;
            long to = Long.MAX_VALUE;
            // a node whose snapshot covers everything it committed has compacted its log past the commit point:
            // it holds no committed entry to compare, legitimately (seen once: logs from 11817, 11818, 11759, all
            // committed to 11817), and the comparison is over the nodes that hold some
            List<Integer> holding = new ArrayList<>();
            long[] firsts = new long[NODES];
            long[] epochs = new long[NODES];
            for (int n = 0; n < NODES; n++) {
                try (DaxMapping pmem = DaxMapping.open(data.resolve("node" + n + ".img"),
                        MapOptions.ofLength(CounterNode.DEVICE_BYTES).emulateMapSync())) {
                    DaxLogStorage log = new DaxLogStorage(pmem, Directory.open(pmem), "raft.log",
                            CounterNode.LOG_BYTES);
                    LogStorageOptions options = new LogStorageOptions();
                    options.setConfigurationManager(new ConfigurationManager());
                    options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
                    int node = n;
                    assertTrue(log.init(options), () -> "node " + node + ": " + log.failure().orElseThrow());
                    firsts[n] = log.getFirstLogIndex();
                    epochs[n] = Long.parseLong(log.toString().replaceAll(".*epoch ", "").replace("]", ""));
                    if (log.getFirstLogIndex() <= Math.min(committed[n], log.getLastLogIndex())) {
                        holding.add(n);
                        from = Math.max(from, log.getFirstLogIndex());
                        to = Math.min(to, Math.min(committed[n], log.getLastLogIndex()));
                    }
                    List<LogEntry> held = new ArrayList<>();
                    for (long i = log.getFirstLogIndex(); i <= Math.min(committed[n], log.getLastLogIndex()); i++) {
                        held.add(log.getEntry(i));
                    }
                    entries.add(held);
                }
            }
            System.out.printf("kill -9 cluster: %d rounds, %d increments acknowledged of %d proposed, %d applied;"
                            + " snapshots installed from the leader %s; logs from %s (epochs %s), committed %s,"
                            + " compared %d..%d on nodes %s%n", ROUNDS, acked.size(), sent.size(), order.size(),
                    Arrays.toString(installs), Arrays.toString(firsts), Arrays.toString(epochs),
                    Arrays.toString(committed), from, to, holding);
            assertTrue(holding.size() >= 2 && to >= from, "at least two logs share a committed stretch to compare: "
                    + from + ".." + to + " on nodes " + holding);
            assertTrue(Arrays.stream(epochs).max().orElse(0) >= 2, "the logs switched halves: epochs "
                    + Arrays.toString(epochs));
            for (long i = from; i <= to; i++) {
                int first = holding.getFirst();
                LogEntry expected = entries.get(first).get((int) (i - firsts[first]));
                for (int n : holding.subList(1, holding.size())) {
                    LogEntry entry = entries.get(n).get((int) (i - firsts[n]));
                    assertEquals(expected.getId(), entry.getId(), "entry " + i + " of node " + n);
                    assertEquals(expected.getType(), entry.getType(), "entry " + i + " of node " + n);
                    assertArrayEquals(bytes(expected), bytes(entry), "entry " + i + " of node " + n);
                }
            }
        } finally {
            stop.set(true);
            if (client != null) {
                client.join();
            }
            for (Process child : children) {
                if (child != null) {
                    child.destroyForcibly();
                    child.waitFor();
                }
            }
            try (Stream<Path> files = Files.walk(data)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static byte[] bytes(LogEntry entry) {
        if (entry.getData() == null) {
            return new byte[0];
        }
        byte[] b = new byte[entry.getData().remaining()];
        entry.getData().duplicate().get(b);
        return b;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts node {@code n} in a JVM of its own and waits for its {@code READY}; its stderr goes to target/. */
    private void start(int n) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // protobuf, netty and disruptor (see the pom)
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), CounterNode.class.getName(),
                String.valueOf(n), peers, data.toString(), String.valueOf(clientPorts[n])));
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(err(n).toFile()))
                .start();
        children[n] = child;
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (!"READY".equals(line)) {
            fail("node " + n + " did not start (" + line + "), see " + err(n));
        }
    }

    private Path err(int n) {
        return logs.resolve("node" + n + ".err");
    }

    /** The client: proposes increments one at a time, a new id after any answer but NOTLEADER, until stopped. */
    private void propose(Set<Long> sent, Set<Long> acked, AtomicBoolean stop) {
        long id = 0;
        int node = 0;
        Connection[] connections = new Connection[NODES];
        while (!stop.get()) {
            id++;
            sent.add(id);
            for (int tries = 0; !stop.get(); tries++) {
                String answer;
                try {
                    if (connections[node] == null) {
                        connections[node] = new Connection(clientPorts[node]);
                    }
                } catch (IOException down) {
                    node = (node + 1) % NODES; // not connected: nothing was proposed there
                    pause(tries % NODES == NODES - 1 ? 50 : 0);
                    continue;
                }
                try {
                    answer = connections[node].ask("INC " + id);
                } catch (IOException e) {
                    connections[node] = Connection.closed(connections[node]);
                    break; // sent, and maybe proposed before the node died: ambiguous
                }
                if ("OK".equals(answer)) {
                    acked.add(id);
                    break;
                }
                if (answer != null && answer.startsWith("FAIL")) {
                    break; // ambiguous: never proposed again
                }
                node = (node + 1) % NODES; // NOTLEADER: nothing was proposed there
                if (tries % NODES == NODES - 1) {
                    pause(50);
                }
            }
        }
        for (Connection c : connections) {
            Connection.closed(c);
        }
    }

    private void awaitProgress(Set<Long> acked, int round) throws InterruptedException {
        int before = acked.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.size() < before + PER_ROUND) {
            if (System.nanoTime() > deadline) {
                fail("round " + round + ": fewer than " + PER_ROUND + " increments acknowledged in 60 s ("
                        + acked.size() + ")");
            }
            Thread.sleep(20);
        }
    }

    private java.util.OptionalInt leader() {
        for (int n = 0; n < NODES; n++) {
            try {
                if (state(n)[1].equals("1")) {
                    return java.util.OptionalInt.of(n);
                }
            } catch (IOException down) {
                // not the leader
            }
        }
        return java.util.OptionalInt.empty();
    }

    private String[] state(int n) throws IOException {
        try (Connection c = new Connection(clientPorts[n])) {
            String[] f = c.ask("STATE").split(" ", -1);
            return f.length == 4 ? f : new String[]{f[0], f[1], f[2], ""};
        }
    }

    private static Set<Long> applied(String[] state) {
        return new HashSet<>(idList(state));
    }

    private static List<Long> idList(String[] state) {
        return state[3].isEmpty() ? List.of() : Arrays.stream(state[3].split(",")).map(Long::valueOf).toList();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One line out, one line back, over a loopback connection that gives up after 5 s. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final PrintWriter out;

        Connection(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(5000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        String ask(String line) throws IOException {
            out.println(line);
            String answer = in.readLine();
            if (answer == null) {
                throw new IOException("closed");
            }
            return answer;
        }

        static Connection closed(Connection c) {
            if (c != null) {
                c.close();
            }
            return null;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
