package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-writer ring between hosts, here between two mappings of one file in two threads: every record arrives
 * once, in order, whole, through a ring small enough that the writer waits for the reader. The two-host run is
 * {@code TwoHostRingTest} in two QEMU guests on one backing file.
 */
class SharedRingTest {

    private static final long RING = 64 * 1024;

    private TmpfsDevice device;

    @BeforeEach
    void map() {
        device = TmpfsDevice.create(1L << 20);
    }

    @AfterEach
    void unmap() {
        device.close();
    }

    /** Record {@code n}: 1 to 200 bytes, each a function of {@code n} and its position. */
    static MemorySegment record(long n, MemorySegment buffer) {
        int length = (int) (1 + (n * 7919) % 200);
        for (int i = 0; i < length; i++) {
            buffer.set(JAVA_BYTE, i, (byte) (n * 31 + i * 17 + (n >>> 8)));
        }
        return buffer.asSlice(0, length);
    }

    @Test
    void everyRecordArrivesOnceInOrderAndWholeThroughASmallRing() throws Exception {
        long records = 50_000;
        try (DaxMapping readerSide = DaxMapping.open(device.path(), MapOptions.wholeSource().emulateMapSync());
             Arena arena = Arena.ofShared()) {
            assertTrue(SharedRing.reader(readerSide, 0, RING).isEmpty(), "no ring before the writer formats one");
            SharedRing.Writer writer = SharedRing.format(device.mapping(), 0, 128 + 4 * 256, 200);
            assertEquals(240, writer.maxRecord(), "a 256-byte slot less its 16-byte header");
            SharedRing.Reader reader = SharedRing.reader(readerSide, 0, RING).orElseThrow();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                MemorySegment buffer = MemorySegment.ofArray(new byte[200]);
                for (long n = 0; n < records; n++) {
                    writer.put(record(n, buffer));
                }
            });
            MemorySegment got = arena.allocate(writer.maxRecord());
            MemorySegment expected = MemorySegment.ofArray(new byte[200]);
            for (long n = 0; n < records; ) {
                int length = reader.poll(got);
                if (length < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                MemorySegment want = record(n, expected);
                assertEquals(want.byteSize(), length, "record " + n);
                assertEquals(-1, got.asSlice(0, length).mismatch(want), "record " + n);
                n++;
            }
            writing.get(60, TimeUnit.SECONDS);
            assertEquals(records, reader.consumed());
            assertEquals(records, writer.published());
            assertEquals(0, reader.tornReads(), "one coherent machine: nothing is ever read torn");
            assertEquals(-1, reader.poll(got), "nothing after the last record");
        }
    }

    @Test
    void theWriterNeverOverwritesWhatTheReaderHasNotConsumed() throws Exception {
        SharedRing.Writer writer = SharedRing.format(device.mapping(), 0, 128 + 2 * 64, 48);
        MemorySegment one = MemorySegment.ofArray(new byte[] {1});
        assertTrue(writer.offer(one));
        assertTrue(writer.offer(one));
        assertTrue(!writer.offer(one), "two slots, both unread: full");
        SharedRing.Reader reader = SharedRing.reader(device.mapping(), 0, 256).orElseThrow();
        assertEquals(1, reader.poll(MemorySegment.ofArray(new byte[48])));
        assertTrue(writer.offer(one), "one consumed: one free");
    }

    @Test
    void aTornRecordIsCountedAndNeverDelivered() throws Exception {
        DaxMapping pmem = device.mapping();
        SharedRing.Writer writer = SharedRing.format(pmem, 0, RING, 100);
        writer.put(MemorySegment.ofArray(new byte[] {1, 2, 3}));
        SharedRing.Reader reader = SharedRing.reader(pmem, 0, RING).orElseThrow();
        pmem.putByte(128 + 16 + 1, (byte) 9); // a payload byte of another age than the sequence and the CRC
        MemorySegment got = MemorySegment.ofArray(new byte[112]);
        assertEquals(-1, reader.poll(got));
        assertEquals(1, reader.tornReads());
        pmem.putByte(128 + 16 + 1, (byte) 2); // the line catches up
        assertEquals(3, reader.poll(got));
        assertEquals(1, reader.consumed());
    }

    @Test
    void aDamagedOrMisplacedRingIsRefused() throws Exception {
        DaxMapping pmem = device.mapping();
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 32, RING, 100), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 0, 128 + 64, 48), "one slot");
        assertThrows(IndexOutOfBoundsException.class, () -> SharedRing.format(pmem, 1L << 20, RING, 100));
        assertThrows(IllegalArgumentException.class, () -> SharedRing.format(pmem, 0, RING, 0));
        SharedRing.format(pmem, 0, RING, 100);
        assertThrows(IllegalArgumentException.class, () -> SharedRing.reader(pmem, 0, 256),
                "a header that describes more slots than the range holds");
        pmem.putInt(12, 1 << 20); // slots, with the header's CRC now wrong: no ring, not a ring of a million slots
        assertTrue(SharedRing.reader(pmem, 0, RING).isEmpty());
    }
}
