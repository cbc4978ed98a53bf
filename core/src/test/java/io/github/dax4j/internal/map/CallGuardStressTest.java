package io.github.dax4j.internal.map;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's promise, checked where nothing else could keep it: threads enter calls on a mapping in a tight loop
 * and, while inside, look at whether the mapping has been released; a closer closes at a random moment. A caller
 * that ever sees the release from inside a call proves a call running on unmapped memory.
 *
 * <p>Over a real mapping a broken guard would often go unseen: on HotSpot, closing a shared arena waits in a
 * handshake for threads in critical native calls, which are dax4j's stubs. Here the callers are in Java code inside
 * the guard, where that handshake does not wait for them, so only the guard stands between them and the release.
 * (A mutant whose close does not wait for the markers failed this test in round 33 of 300.)
 */
class CallGuardStressTest {

    private static final int ROUNDS = 300;
    private static final int CALLERS = 3;

    @Test
    void noCallIsInsideOnceTheReleaseHasRun() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        AtomicLong entered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        for (int round = 0; round < ROUNDS; round++) {
            Arena arena = Arena.ofShared();
            MemorySegment memory = arena.allocate(64);
            boolean[] released = new boolean[1];
            Object lock = new Object();
            MappingLifecycle lifecycle = new MappingLifecycle(arena, memory.scope(), () -> {
                synchronized (lock) {
                    released[0] = true;
                }
            }, "(stress)");
            List<Thread> callers = new ArrayList<>();
            List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch running = new CountDownLatch(CALLERS);
            for (int c = 0; c < CALLERS; c++) {
                callers.add(Thread.ofPlatform().start(() -> {
                    running.countDown();
                    for (;;) {
                        InFlightCalls.Marker call;
                        try {
                            call = lifecycle.enter();
                        } catch (IllegalStateException closed) {
                            refused.incrementAndGet();
                            return;
                        }
                        try {
                            for (int spin = 0; spin < 50; spin++) {
                                synchronized (lock) {
                                    if (released[0]) {
                                        violations.add("inside a call after the release");
                                    }
                                }
                            }
                            entered.incrementAndGet();
                        } finally {
                            call.leave();
                        }
                    }
                }));
            }
            running.await();
            Thread.sleep(0, random.nextInt(500_000));
            lifecycle.close();
            for (Thread t : callers) {
                t.join();
            }
            assertEquals(List.of(), violations, "round " + round);
        }
        assertEquals(ROUNDS * CALLERS, refused.get(), "every caller was stopped by the close");
        assertTrue(entered.get() > ROUNDS, "the callers got in: " + entered.get());
    }
}
