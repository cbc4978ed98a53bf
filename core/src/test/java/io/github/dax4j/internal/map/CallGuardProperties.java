package io.github.dax4j.internal.map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.stateful.Action;
import net.jqwik.api.stateful.ActionSequence;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle guard as a state machine over real threads: workers enter calls on one mapping and leave them in
 * any order, and a closer closes it at any moment. Invariants after every step:
 * <ul>
 *   <li>a call entered after the close began is refused with {@link IllegalStateException};</li>
 *   <li>the close has not returned (and nothing was released) while any worker is still inside a call;</li>
 *   <li>once no worker is inside, the close returns, having released exactly once.</li>
 * </ul>
 * The memory-ordering half of the guard (membarrier against the callers' plain stores) is the stress test's
 * subject ({@code ConcurrentCloseTest}); this property checks its logic in every interleaving of whole steps.
 */
class CallGuardProperties {

    private static final int WORKERS = 3;

    /** A mapping stand-in (an arena and a release that counts) and the threads that use it. */
    static final class Subject {
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(64);
        final AtomicInteger releases = new AtomicInteger();
        final MappingLifecycle lifecycle = new MappingLifecycle(arena, memory.scope(), releases::incrementAndGet,
                "(guard property)");
        final List<ExecutorService> workers = new ArrayList<>();
        final InFlightCalls.Marker[] inside = new InFlightCalls.Marker[WORKERS];
        final BitSet holding = new BitSet();
        final ExecutorService closerThread = Executors.newSingleThreadExecutor();
        Future<?> closer;

        Subject() {
            for (int i = 0; i < WORKERS; i++) {
                workers.add(Executors.newSingleThreadExecutor());
            }
        }

        <T> T on(int worker, java.util.concurrent.Callable<T> step) {
            try {
                return workers.get(worker).submit(step).get(10, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new AssertionError("worker " + worker + " failed", e);
            }
        }

        void checkInvariant() throws Exception {
            if (closer == null) {
                assertEquals(0, releases.get());
            } else if (holding.isEmpty()) {
                closer.get(10, TimeUnit.SECONDS); // returns, and rethrows what close() threw
                assertEquals(1, releases.get(), "released exactly once");
                assertTrue(lifecycle.isClosed());
            } else {
                Thread.sleep(2); // a close that ignored the calls in flight would have returned by now
                assertFalse(closer.isDone(), "close returned while workers " + holding + " are inside a call");
                assertEquals(0, releases.get(), "nothing released while a call is in flight");
            }
        }

        void shutDown() {
            for (int i = 0; i < WORKERS; i++) {
                if (inside[i] != null) {
                    InFlightCalls.Marker marker = inside[i];
                    on(i, () -> {
                        marker.leave();
                        return null;
                    });
                }
            }
            lifecycle.close();
            workers.forEach(ExecutorService::shutdownNow);
            closerThread.shutdownNow();
        }
    }

    record Enter(int worker) implements Action<Subject> {
        @Override
        public boolean precondition(Subject s) {
            return !s.holding.get(worker);
        }

        @Override
        public Subject run(Subject s) {
            Object result = s.on(worker, () -> {
                try {
                    return s.lifecycle.enter();
                } catch (IllegalStateException refused) {
                    return refused;
                }
            });
            if (s.closer != null) {
                assertInstanceOf(IllegalStateException.class, result, "a call after close began is refused");
            } else {
                s.inside[worker] = (InFlightCalls.Marker) result;
                s.holding.set(worker);
            }
            check(s);
            return s;
        }

        @Override
        public String toString() {
            return "enter(" + worker + ")";
        }
    }

    record Leave(int worker) implements Action<Subject> {
        @Override
        public boolean precondition(Subject s) {
            return s.holding.get(worker);
        }

        @Override
        public Subject run(Subject s) {
            InFlightCalls.Marker marker = s.inside[worker];
            s.on(worker, () -> {
                marker.leave();
                return null;
            });
            s.inside[worker] = null;
            s.holding.clear(worker);
            check(s);
            return s;
        }

        @Override
        public String toString() {
            return "leave(" + worker + ")";
        }
    }

    record Close() implements Action<Subject> {
        @Override
        public boolean precondition(Subject s) {
            return s.closer == null;
        }

        @Override
        public Subject run(Subject s) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            s.closer = s.closerThread.submit(() -> {
                started.complete(null);
                s.lifecycle.close();
            });
            started.join();
            while (!s.lifecycle.isClosed()) {
                Thread.onSpinWait(); // the close has begun: from here new calls are refused
            }
            check(s);
            return s;
        }

        @Override
        public String toString() {
            return "close";
        }
    }

    private static void check(Subject s) {
        try {
            s.checkInvariant();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Subject subject;

    @Property(tries = 60)
    void closeWaitsForEveryCallInFlightAndRefusesNewOnes(@ForAll("steps") ActionSequence<Subject> steps) {
        steps.run(subject = new Subject());
    }

    @AfterTry
    void shutDown() {
        if (subject != null) {
            subject.shutDown();
            subject = null;
        }
    }

    @Provide
    Arbitrary<ActionSequence<Subject>> steps() {
        Arbitrary<Integer> worker = Arbitraries.integers().between(0, WORKERS - 1);
        Arbitrary<Action<Subject>> enter = worker.map(Enter::new);
        Arbitrary<Action<Subject>> leave = worker.map(Leave::new);
        Arbitrary<Action<Subject>> close = Arbitraries.just(new Close());
        return Arbitraries.sequences(Arbitraries.frequencyOf(Tuple.of(4, enter), Tuple.of(4, leave),
                Tuple.of(1, close))).ofSize(25);
    }
}
