package io.github.dax4j.internal.map;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The markers' registry stays as small as the threads that use it. */
class InFlightCallsTest {

    @Test
    void markersDroppedByAPoolThatErasesThreadLocalsDoNotAccumulate() throws Exception {
        Arena arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(64);
        AtomicInteger releases = new AtomicInteger();
        MappingLifecycle lifecycle = new MappingLifecycle(arena, memory.scope(), releases::incrementAndGet,
                "(registry test)");
        int before = InFlightCalls.registered();
        // the common pool erases its workers' thread-locals after each task: every task registers a new marker
        for (int task = 0; task < 20_000; task++) {
            ForkJoinPool.commonPool().submit(() -> lifecycle.enter().leave()).get();
        }
        System.gc();
        Thread.sleep(100);
        lifecycle.close(); // a close prunes
        int after = InFlightCalls.registered();
        assertTrue(after - before < 1_000, "markers registered: " + before + " before, " + after + " after");
    }
}
