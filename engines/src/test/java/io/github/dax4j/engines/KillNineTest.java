package io.github.dax4j.engines;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of appends and puts, 20 times: after each, every acknowledged record is in the log and
 * intact, nothing past the durable tail is returned, and every key holds its last acknowledged value or the one
 * in flight. The device is an emulated file, whose page cache survives a killed process: this tests dax4j's own
 * bookkeeping (what the log and table write, in which order, and how they recover), not power failure, which is
 * the crash simulator's job ({@code WriteAheadLogTest}, {@code KeyValueTableTest}).
 */
class KillNineTest {

    @Test
    void twentyKillsLoseNothingAcknowledged() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-kill-", ".img");
        Files.delete(device);
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        SplittableRandom random = new SplittableRandom(20);
        long appended = -1;
        Map<Long, Long> lastPut = new HashMap<>();
        try {
            for (int round = 0; round < 20; round++) {
                Process child = new ProcessBuilder(javaCommand, "--enable-native-access=ALL-UNNAMED", "-cp",
                        System.getProperty("java.class.path"), KillChild.class.getName(), device.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                CountDownLatch ready = new CountDownLatch(1);
                long[] lastAppend = {appended};
                Map<Long, Long> puts = new HashMap<>(lastPut);
                Thread reader = Thread.ofPlatform().start(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            String[] f = line.split(" ");
                            if (f.length < 2 || (f[0].length() == 1 && f.length < 3)) {
                                continue; // the last line, cut by the kill
                            }
                            switch (f[0]) {
                                case "READY" -> ready.countDown();
                                case "A" -> lastAppend[0] = Long.parseLong(f[1]);
                                case "K" -> puts.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
                                default -> { }
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the pipe closes when the child is killed
                    }
                });
                assertTrue(ready.await(60, TimeUnit.SECONDS), "the child started");
                Thread.sleep(random.nextInt(20, 300));
                child.destroyForcibly(); // SIGKILL
                child.waitFor();
                reader.join();
                appended = lastAppend[0];
                lastPut = puts;

                try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
                    Directory directory = Directory.open(pmem);
                    List<byte[]> records = WriteAheadLog.open(pmem, directory, "wal", KillChild.LOG_BYTES).readFrom(0);
                    assertTrue(records.size() >= appended + 1, "round " + round + ": " + records.size()
                            + " records, " + (appended + 1) + " acknowledged");
                    // records past the last acknowledgement the parent received are allowed: their
                    // acknowledgement can die with the child; each must still be exactly what was appended
                    for (int i = 0; i < records.size(); i++) {
                        assertArrayEquals(KillChild.record(i), records.get(i), "record " + i + " intact");
                    }
                    KeyValueTable table = KeyValueTable.open(pmem, directory, "kv", 64);
                    for (Map.Entry<Long, Long> put : lastPut.entrySet()) {
                        java.nio.ByteBuffer value = java.nio.ByteBuffer.wrap(table.get(put.getKey()).orElseThrow());
                        long stored = value.getLong();
                        assertEquals(~stored, value.getLong(), "key " + put.getKey() + ": an intact value");
                        assertTrue(stored >= put.getValue() && stored % KillChild.KEYS == put.getKey(),
                                "key " + put.getKey() + ": " + stored + ", acknowledged " + put.getValue());
                    }
                    appended = records.size() - 1; // the next child continues from the recovered tail
                    for (Map.Entry<Long, Long> put : lastPut.entrySet()) {
                        long stored = java.nio.ByteBuffer.wrap(table.get(put.getKey()).orElseThrow()).getLong();
                        put.setValue(stored);
                    }
                }
            }
            assertTrue(appended > 0, "the children appended something");
            System.out.println("kill -9: 20 rounds, " + (appended + 1) + " records recovered intact");
        } finally {
            Files.deleteIfExists(device);
        }
    }
}
