package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Closing under load, end to end: in each round, four threads persist, copy, fill and move megabytes at a time
 * through one mapping with a CPU mechanism while the main thread closes it at a random moment. A stub running on
 * unmapped memory would die with {@code SIGSEGV} (dax4j's fault handler takes only {@code SIGBUS}), killing the
 * JVM; so the rounds run in a child JVM, which must end normally, with every user stopped by
 * {@link IllegalStateException} and nothing of the file mapped once {@code close()} returned.
 *
 * <p>This test alone cannot tell a broken guard: on HotSpot the shared arena's close handshake also waits for threads
 * in critical native calls. {@code internal.map.CallGuardStressTest} checks the guard where nothing else helps it.
 */
class GuardStressTest {

    private static final int ROUNDS = 40;

    @Test
    void noNativeCallRunsOnUnmappedMemoryWhateverTheMomentOfClose() throws Exception {
        PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElse(null);
        assumeTrue(cpu != null, "needs dax4j's CPU code: " + PersistMechanism.whyNoCpuCacheFlush().orElse(""));
        String output = ChildJvm.run(120, Child.class, cpu.name(), Integer.toString(ROUNDS));
        assertTrue(output.contains(ROUNDS + " rounds, every user stopped by IllegalStateException"), output);
    }

    public static final class Child {
        private static final long SIZE = 16L << 20;
        private static final long CHUNK = 2L << 20;

        public static void main(String[] args) throws Exception {
            PersistMechanism cpu = PersistMechanism.valueOf(args[0]);
            int rounds = Integer.parseInt(args[1]);
            SplittableRandom random = new SplittableRandom(42);
            AtomicLong calls = new AtomicLong();
            try (Arena arena = Arena.ofShared()) {
                MemorySegment source = arena.allocate(CHUNK, 64);
                for (int round = 0; round < rounds; round++) {
                    Path file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-stress-", ".img");
                    Files.delete(file);
                    DaxMapping pmem = DaxMapping.open(file, MapOptions.ofLength(SIZE).createIfAbsent()
                            .emulateMapSync().persistMechanism(cpu).acceptNonDurableStores());
                    CountDownLatch running = new CountDownLatch(4);
                    List<Thread> users = new ArrayList<>();
                    List<Throwable> stopped = java.util.Collections.synchronizedList(new ArrayList<>());
                    for (int u = 0; u < 4; u++) {
                        int user = u;
                        long seed = random.nextLong();
                        users.add(Thread.ofPlatform().start(() -> {
                            SplittableRandom r = new SplittableRandom(seed);
                            running.countDown();
                            try {
                                for (;;) {
                                    long at = r.nextLong(SIZE / CHUNK) * CHUNK;
                                    switch (user) {
                                        case 0 -> pmem.persist(at, CHUNK);
                                        case 1 -> pmem.copy(at, source, PersistFlag.NON_TEMPORAL);
                                        case 2 -> pmem.fill(at, CHUNK, (byte) 7, PersistFlag.NON_TEMPORAL);
                                        default -> pmem.move((at + CHUNK) % SIZE, at, CHUNK,
                                                PersistFlag.NON_TEMPORAL);
                                    }
                                    calls.incrementAndGet();
                                }
                            } catch (Throwable t) {
                                stopped.add(t);
                            }
                        }));
                    }
                    running.await();
                    Thread.sleep(random.nextInt(5));
                    pmem.close();
                    if (!NativeResources.mappingsOf(file).isEmpty()) {
                        throw new AssertionError("round " + round + ": still mapped after close returned");
                    }
                    for (Thread t : users) {
                        t.join();
                    }
                    for (Throwable t : stopped) {
                        if (!(t instanceof IllegalStateException)) {
                            throw new AssertionError("round " + round + ": a user stopped with " + t, t);
                        }
                    }
                    Files.deleteIfExists(file);
                }
            }
            System.out.println(rounds + " rounds, every user stopped by IllegalStateException (" + calls.get()
                    + " calls completed)");
        }
    }
}
