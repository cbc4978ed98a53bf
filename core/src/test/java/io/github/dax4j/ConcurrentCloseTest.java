package io.github.dax4j;

import org.junit.jupiter.api.RepeatedTest;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a mapping while other threads read, write and persist through it: every thread stops with an
 * {@link IllegalStateException}, none touches unmapped memory (which would crash the JVM), and the close itself
 * eventually succeeds.
 */
class ConcurrentCloseTest {

    private static final long SIZE = 1L << 20;

    @RepeatedTest(5)
    void closingUnderConcurrentUseFailsTheUsersCleanly() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-close-", ".img");
        Files.delete(device);
        DaxMapping pmem = DaxMapping.open(device,
                MapOptions.ofLength(SIZE).createIfAbsent().emulateMapSync());
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch running = new CountDownLatch(3);
            List<Future<Throwable>> users = new ArrayList<>();
            MemorySegment memory = pmem.segment();
            users.add(threads.submit(() -> loop(running, () -> memory.get(JAVA_LONG, (System.nanoTime() & 0xffff) * 8))));
            users.add(threads.submit(() -> loop(running, () -> memory.set(JAVA_LONG, 4096, System.nanoTime()))));
            users.add(threads.submit(() -> loop(running, () -> pmem.persist(0, 4096))));
            running.await();
            Thread.sleep(20);

            closeEventually(pmem);

            for (Future<Throwable> user : users) {
                Throwable stopped = user.get(10, TimeUnit.SECONDS);
                assertInstanceOf(IllegalStateException.class, stopped, String.valueOf(stopped));
            }
            assertTrue(pmem.isClosed());
            assertEquals(List.of(), NativeResources.mappingsOf(device));
            assertEquals(List.of(), NativeResources.descriptorsOn(device));
        } finally {
            threads.shutdownNow();
            Files.deleteIfExists(device);
        }
    }

    /** A close that meets a thread inside {@code persist} fails and leaves the mapping open; so try again. */
    private static void closeEventually(DaxMapping pmem) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                pmem.close();
                return;
            } catch (IllegalStateException busy) {
                if (attempt > 10_000) {
                    throw busy;
                }
                assertTrue(!pmem.isClosed(), "a failed close leaves the mapping open");
                Thread.sleep(0, 100_000);
            }
        }
    }

    private static Throwable loop(CountDownLatch running, Runnable access) {
        running.countDown();
        try {
            while (true) {
                access.run();
            }
        } catch (Throwable t) {
            return t;
        }
    }
}
