package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hosts on one memory: two QEMU guests whose NVDIMMs are one backing file ({@code share=on}), one writing
 * {@value #RECORDS} records into a {@link SharedRing}, the other reading them, each in its own JVM in its own
 * kernel, with nothing between them but the memory. Run by {@code core/src/test/devdax-vm/run.sh}, which boots
 * both guests at once; {@code DAX4J_TEST_RING_ROLE} says which end a guest is.
 */
@Tag("devdax")
class TwoHostRingTest {

    static final long RECORDS = 20_000;
    private static final long OFFSET = 0, LENGTH = 1L << 20;
    private static final int MAX_RECORD = 200;
    private static final long TIMEOUT_NANOS = 240_000_000_000L;

    private static Optional<String> role() {
        return Optional.ofNullable(System.getenv("DAX4J_TEST_RING_ROLE")).filter(r -> !r.isBlank());
    }

    private static DaxMapping device() throws Exception {
        // the ring's megabyte inside one 2 MiB page: the device's align
        return DaxMapping.open(Path.of(System.getenv("DAX4J_TEST_DEVICE")), MapOptions.ofLength(2L << 20));
    }

    @Test
    void theWriterPublishesEveryRecord() throws Exception {
        assumeTrue(role().filter("writer"::equals).isPresent(), "the writing guest of the two-host run only");
        try (DaxMapping pmem = device()) {
            SharedRing.Writer writer = SharedRing.format(pmem, OFFSET, LENGTH, MAX_RECORD);
            MemorySegment buffer = MemorySegment.ofArray(new byte[MAX_RECORD]);
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            for (long n = 0; n < RECORDS; n++) {
                MemorySegment record = SharedRingTest.record(n, buffer);
                while (!writer.offer(record)) {
                    assertTrue(System.nanoTime() < deadline, "the reader stopped consuming at record " + n);
                    Thread.onSpinWait();
                }
            }
            assertEquals(RECORDS, writer.published());
        }
    }

    @Test
    void theReaderReceivesEveryRecordWholeAndInOrder() throws Exception {
        assumeTrue(role().filter("reader"::equals).isPresent(), "the reading guest of the two-host run only");
        try (DaxMapping pmem = device(); Arena arena = Arena.ofConfined()) {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            Optional<SharedRing.Reader> found;
            while ((found = SharedRing.reader(pmem, OFFSET, LENGTH)).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no ring formatted by the other guest");
                Thread.sleep(10);
            }
            SharedRing.Reader reader = found.get();
            MemorySegment got = arena.allocate(MAX_RECORD + 64);
            MemorySegment expected = MemorySegment.ofArray(new byte[MAX_RECORD]);
            long started = System.nanoTime();
            for (long n = 0; n < RECORDS; ) {
                int length = reader.poll(got);
                if (length < 0) {
                    assertTrue(System.nanoTime() < deadline, "record " + n + " never arrived whole");
                    Thread.onSpinWait();
                    continue;
                }
                MemorySegment want = SharedRingTest.record(n, expected);
                assertEquals(want.byteSize(), length, "record " + n + "'s length");
                assertEquals(-1, got.asSlice(0, length).mismatch(want), "record " + n + "'s bytes");
                n++;
            }
            assertEquals(RECORDS, reader.consumed());
            System.out.printf("two-host ring: %d records received whole and in order in %.1f s, %d torn reads"
                    + " retried%n", RECORDS, (System.nanoTime() - started) / 1e9, reader.tornReads());
        }
    }
}
