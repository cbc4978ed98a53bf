package io.github.dax4j.testkit;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.Granularity;
import io.github.dax4j.PersistFlag;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lazy exploration against the eager enumerator, its reference: on random small programs (ordinary and
 * non-temporal stores, checksummed lines, flushes, fences over four lines), random recoveries (reads, reads that
 * depend on what was read, CRC checks) and random oracles, both give the same verdict at the same crash point,
 * under every model and granularity. Only programs the enumerator checks exhaustively are compared.
 */
class LazyEagerEquivalenceProperties {

    private static final int LINES = 4;

    /** Decodes one generated number into a store, flush or fence on the four lines. */
    private static void step(DaxMapping pmem, int op) {
        int line = op / 8 % LINES;
        int word = op / 32 % 8;
        long value = op / 256 % 3 + 1;
        long at = line * 64L;
        switch (op % 8) {
            case 0, 1 -> pmem.putLong(at + word * 8L, value);
            case 2 -> {
                MemorySegment words = MemorySegment.ofArray(new long[] {value, value + 1, 0, 0, 0, 0, 0, value});
                pmem.copy(at, words, PersistFlag.NO_DRAIN, PersistFlag.NON_TEMPORAL);
            }
            // ordinary or non-temporal stores of a whole line whose CRC covers words 1-7, or only 1-3
            case 3 -> pmem.write(at, checksummedLine(value, word % 2 == 0 ? 56 : 24));
            case 4 -> pmem.copy(at, checksummedLine(value + 3, word % 2 == 0 ? 56 : 24), PersistFlag.NO_DRAIN,
                    PersistFlag.NON_TEMPORAL);
            case 5 -> pmem.flush(at, 64);
            case 6 -> pmem.drain();
            default -> pmem.persist(at, 64);
        }
    }

    /** A line whose word 0 holds, in its low half, the CRC32C of the {@code covered} bytes from word 1. */
    private static MemorySegment checksummedLine(long seed, int covered) {
        MemorySegment line = MemorySegment.ofArray(new byte[64]);
        for (int w = 1; w < 8; w++) {
            line.set(JAVA_LONG_UNALIGNED, w * 8L, seed * 7 + w);
        }
        CRC32C crc = new CRC32C();
        crc.update(line.asSlice(8, covered).asByteBuffer());
        line.set(JAVA_INT_UNALIGNED, 0, (int) crc.getValue());
        return line;
    }

    /** Decodes the recovery: each number a read, a read that depends on the last value, or a line's CRC check. */
    private static List<Long> recover(DaxMapping pmem, List<Integer> reads) {
        List<Long> seen = new ArrayList<>();
        for (int r : reads) {
            long word = r / 3 % (LINES * 8) * 8L;
            switch (r % 3) {
                case 0 -> seen.add(pmem.getLong(word));
                case 1 -> {
                    if (!seen.isEmpty() && seen.getLast() % 2 == 1) {
                        seen.add(pmem.getLong(word));
                    }
                }
                default -> {
                    // a CRC check of the line's words 1-7, or of 1-3 and then a read of word 4 (outside the range)
                    long line = word & -64;
                    int covered = word / 8 % 2 == 0 ? 56 : 24;
                    boolean whole = pmem.crc32cMatches(line + 8, covered, pmem.getInt(line));
                    seen.add(whole ? 1000L : 2000L);
                    if (whole) {
                        seen.add(pmem.getLong(covered == 56 ? line + 8 : line + 32));
                    }
                }
            }
        }
        return seen;
    }

    @Property(tries = 300)
    void lazyAndEagerAgree(@ForAll @Size(max = 10) List<@IntRange(min = 0, max = 767) Integer> program,
                           @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 95) Integer> reads,
                           @ForAll @IntRange(min = 0, max = 15) int salt, @ForAll CrashModel model,
                           @ForAll boolean eadr) {
        Granularity granularity = eadr ? Granularity.BYTE : Granularity.CACHE_LINE;
        CrashTest.Workload workload = (pmem, acks) -> {
            for (int op : program) {
                step(pmem, op);
            }
        };
        // an oracle that refuses about one observation in five, the same one whichever exploration asks
        CrashTest.Oracle<List<Long>> oracle = (seen, acked, inFlight) -> Math.floorMod(seen.hashCode() * 31 + salt,
                5) != 3;
        CrashTest test = CrashTest.onDevice(64 * 1024).model(model).granularity(granularity).budget(70_000);
        CrashReport eager = test.exploration(Exploration.EAGER).run(workload, pmem -> recover(pmem, reads), oracle);
        Assume.that(eager.exhaustive());
        CrashReport lazy = test.run(workload, pmem -> recover(pmem, reads), oracle);
        Statistics.label("verdict").collect(eager.failure().isPresent() ? "both fail" : "both pass");
        Statistics.label("explored").collect(lazy.lazyAbandoned().isPresent() ? "lazily, then enumerated"
                : "lazily throughout");
        assertEquals(eager.failure().map(CrashFailure::crashPoint), lazy.failure().map(CrashFailure::crashPoint),
                "eager: " + eager + "\nlazy: " + lazy + "\n" + eager.failure().map(CrashFailure::describe)
                        .orElse("") + "\n" + lazy.failure().map(CrashFailure::describe).orElse(""));
    }
}
