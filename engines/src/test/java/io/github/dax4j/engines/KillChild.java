package io.github.dax4j.engines;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child process of {@link KillNineTest}: appends to the log and updates the table as fast as it can, printing
 * {@code A index lsn} after each acknowledged append and {@code K key index} after each acknowledged put, until it
 * is killed (or the log is full, then it waits to be killed).
 */
public final class KillChild {

    static final long LOG_BYTES = 16L << 20;
    static final int KEYS = 16;

    private KillChild() {
    }

    static byte[] record(long index) {
        byte[] bytes = new byte[8 + (int) (index % 57)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (index * 7 + i);
        }
        return bytes;
    }

    static byte[] value(long index) {
        return java.nio.ByteBuffer.allocate(KeyValueTable.VALUE_BYTES).putLong(index).putLong(~index).array();
    }

    public static void main(String[] args) throws Exception {
        // straight to the descriptor, no buffer in this process: a line printed is in the pipe before the next step,
        // so a kill loses at most the acknowledgement being printed
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        try (DaxMapping pmem = DaxMapping.open(Path.of(args[0]), MapOptions.ofLength(32L << 20).createIfAbsent()
                .emulateMapSync().exclusive())) {
            Directory directory = Directory.open(pmem);
            WriteAheadLog log = WriteAheadLog.open(pmem, directory, "wal", LOG_BYTES);
            KeyValueTable table = KeyValueTable.open(pmem, directory, "kv", 64);
            long index = log.readFrom(0).size();
            out.println("READY " + index);
            out.flush();
            while (true) {
                try {
                    long lsn = log.append(record(index));
                    out.println("A " + index + " " + lsn);
                } catch (IllegalStateException full) {
                    out.println("FULL");
                    out.flush();
                    Thread.sleep(60_000);
                }
                table.put(index % KEYS, value(index));
                out.println("K " + index % KEYS + " " + index);
                out.flush();
                index++;
            }
        }
    }
}
