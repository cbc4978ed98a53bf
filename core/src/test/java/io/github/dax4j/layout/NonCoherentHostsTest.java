package io.github.dax4j.layout;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.Granularity;
import io.github.dax4j.SimulatedSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring between two hosts whose caches are not coherent, modelled: what the two QEMU guests of
 * {@code TwoHostRingTest} cannot show, since they share the host machine's coherent caches.
 *
 * <p>The model ({@link Host}): each host maps its own copy of the memory, its cache, over one shared memory. A line
 * is invalid until the host loads from it, which fetches it from memory; after that the host reads its own copy,
 * however stale, until the line is evicted. A store makes the line dirty in the host's copy only. A flush (which
 * {@link DaxMapping#evict} reports on a simulated device) writes a dirty line back and invalidates it. Between
 * calls, cache pressure writes random dirty lines back early, in any order. The two hosts take turns, one call at a
 * time, in an order drawn from a seed; each line moves whole, as a cache line does.
 *
 * <p>Under this model the ring delivers every record whole and in order, over many laps. A reader whose
 * invalidations are lost (a host that ignores the evictions) never gets past the slots it looked at first: the
 * stale copy is caught, as a stall, never taken for data.
 */
class NonCoherentHostsTest {

    private static final int LINE = 64;
    private static final long SIZE = 16 * 1024;
    private static final long RING = 128 + 4 * 256; // four slots of 256 bytes: many laps

    /** One host's cache over the shared memory; see the class comment. */
    static final class Host implements SimulatedSource.Observer, AutoCloseable {

        private static final byte INVALID = 0, CLEAN = 1, DIRTY = 2;

        final DaxMapping pmem;
        private final MemorySegment cache;
        private final MemorySegment memory;
        private final byte[] state;
        private final Random random;
        private final boolean honoursEvictions;

        Host(String name, Arena arena, MemorySegment memory, Random random, boolean honoursEvictions) {
            this.cache = arena.allocate(memory.byteSize(), 4096);
            this.memory = memory;
            this.state = new byte[(int) (memory.byteSize() / LINE)];
            this.random = random;
            this.honoursEvictions = honoursEvictions;
            this.pmem = DaxMapping.simulate(name, cache, Alignment.PAGE_4K, Granularity.CACHE_LINE, this);
        }

        @Override
        public void close() {
            pmem.close();
        }

        @Override
        public void stored(long offset, long length, boolean nonTemporal) {
            forEachLine(offset, length, line -> state[line] = DIRTY);
            pressure();
        }

        @Override
        public void flushed(long offset, long length) {
            if (honoursEvictions) {
                forEachLine(offset, length, line -> {
                    writeBack(line);
                    state[line] = INVALID;
                });
            }
        }

        @Override
        public void drained() {
        }

        @Override
        public void loading(long offset, long length) {
            pressure();
            forEachLine(offset, length, line -> {
                if (state[line] == INVALID) {
                    MemorySegment.copy(memory, (long) line * LINE, cache, (long) line * LINE, LINE);
                    state[line] = CLEAN;
                }
            });
        }

        /** A few dirty lines written back early, as a cache evicts them under pressure, in no particular order. */
        private void pressure() {
            for (int i = 0; i < 2; i++) {
                int line = random.nextInt(state.length);
                if (state[line] == DIRTY && random.nextBoolean()) {
                    writeBack(line);
                    state[line] = CLEAN;
                }
            }
        }

        private void writeBack(int line) {
            if (state[line] == DIRTY) {
                MemorySegment.copy(cache, (long) line * LINE, memory, (long) line * LINE, LINE);
            }
        }

        private static void forEachLine(long offset, long length, java.util.function.IntConsumer action) {
            if (length == 0) {
                return;
            }
            for (long line = offset / LINE; line <= (offset + length - 1) / LINE; line++) {
                action.accept((int) line);
            }
        }
    }

    /** {@return how many records arrived, each checked whole and in order} after {@code steps} turns */
    private static long stream(long seed, boolean readerHonoursEvictions, int records, int steps) throws Exception {
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined();
             Host writerHost = new Host("writer", arena, arena.allocate(SIZE, 4096), random, true);
             Host readerHost = new Host("reader", arena, writerHost.memory, random, readerHonoursEvictions)) {
            SharedRing.Writer writer = null;
            Optional<SharedRing.Reader> reader = Optional.empty();
            MemorySegment buffer = MemorySegment.ofArray(new byte[200]);
            MemorySegment got = MemorySegment.ofArray(new byte[(int) RING]);
            MemorySegment expected = MemorySegment.ofArray(new byte[200]);
            long published = 0, received = 0;
            for (int step = 0; step < steps && received < records; step++) {
                if (random.nextBoolean()) { // the writer's turn
                    if (writer == null) {
                        writer = SharedRing.format(writerHost.pmem, 0, RING, 200);
                    } else if (published < records && writer.offer(SharedRingTest.record(published, buffer))) {
                        published++;
                    }
                } else if (reader.isEmpty()) {
                    reader = SharedRing.reader(readerHost.pmem, 0, RING);
                } else {
                    int length = reader.get().poll(got);
                    if (length >= 0) {
                        MemorySegment want = SharedRingTest.record(received, expected);
                        assertEquals(want.byteSize(), length, "record " + received + ", seed " + seed);
                        assertEquals(-1, got.asSlice(0, length).mismatch(want), "record " + received + ", seed "
                                + seed);
                        received++;
                    }
                }
            }
            return received;
        }
    }

    @Test
    void everyRecordArrivesWholeAndInOrderBetweenCachesThatAreNotCoherent() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            assertEquals(2_000, stream(seed, true, 2_000, 200_000), "seed " + seed);
        }
    }

    @Test
    void aReaderWhoseEvictionsAreLostIsCaughtStalledNeverReadingStaleData() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            long received = stream(seed, false, 2_000, 200_000);
            // it may find the ring (the header line is fetched once, after the format) and records in slots it had
            // not looked at yet; then each slot's stale copy hides everything after
            assertTrue(received < 8, "seed " + seed + ": " + received + " records through stale lines");
        }
    }
}
