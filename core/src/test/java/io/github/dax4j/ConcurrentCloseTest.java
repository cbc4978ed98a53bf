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
 * {@link IllegalStateException}, none touches unmapped memory (which would crash the JVM), and every close returns
 * only once the mapping is closed, however many threads close it at once.
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

            pmem.close(); // waits for a persist in flight instead of failing
            assertTrue(pmem.isClosed());
            assertEquals(List.of(), NativeResources.mappingsOf(device), "unmapped when close returns");

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

    @RepeatedTest(20)
    void everyConcurrentCloseReturnsOnlyOnceTheMappingIsClosed() throws Exception {
        Path device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-close-", ".img");
        Files.delete(device);
        DaxMapping pmem = DaxMapping.open(device, MapOptions.ofLength(SIZE).createIfAbsent().emulateMapSync()
                .persistMechanism(PersistMechanism.cpuCacheFlush().orElse(PersistMechanism.MSYNC))
                .acceptNonDurableStores());
        int closers = 4;
        ExecutorService threads = Executors.newFixedThreadPool(closers + 1);
        try {
            CountDownLatch running = new CountDownLatch(1);
            Future<Throwable> persisting = threads.submit(() -> loop(running, () -> pmem.persist(0, SIZE)));
            running.await();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<String>>> closes = new ArrayList<>();
            for (int i = 0; i < closers; i++) {
                closes.add(threads.submit(() -> {
                    go.await();
                    pmem.close();
                    // what a closer sees the moment its close returns: closed, nothing mapped
                    List<String> left = new ArrayList<>(NativeResources.mappingsOf(device));
                    if (!pmem.isClosed()) {
                        left.add("not closed");
                    }
                    return left;
                }));
            }
            go.countDown();
            for (Future<List<String>> close : closes) {
                assertEquals(List.of(), close.get(10, TimeUnit.SECONDS), "a close returned before the unmap");
            }
            assertInstanceOf(IllegalStateException.class, persisting.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(), NativeResources.descriptorsOn(device));
        } finally {
            threads.shutdownNow();
            Files.deleteIfExists(device);
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
