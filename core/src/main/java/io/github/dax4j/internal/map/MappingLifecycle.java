package io.github.dax4j.internal.map;

import io.github.dax4j.internal.posix.ErrnoException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * The life of one mapping, open, closing, closed, and the one place that decides who unmaps it and when.
 *
 * <p>Invariants:
 * <ol>
 *   <li>The release (unmap, close the descriptor) runs at most once: by {@link #close()}, or by the {@link Cleaner}
 *       when no view of the memory is reachable any more and {@code close()} was never called. The Cleaner is a
 *       safety net for a forgotten close, not the way to close.</li>
 *   <li>The release runs only after the mapping's shared arena is closed ({@code close()}) or the arena's scope is
 *       unreachable (the Cleaner): no segment can touch unmapped memory, so nothing crashes the JVM.</li>
 *   <li>{@code close()} returns normally only once the mapping is closed. Concurrent closers wait for the first one
 *       and then return too; a second close after that does nothing.</li>
 *   <li>From the moment {@code close()} begins, {@link #checkOpen} and {@link #enter} refuse new calls with
 *       {@link IllegalStateException}.</li>
 *   <li>No native call on the memory runs after the unmap. Every such call is bracketed by {@link #enter} and
 *       {@link InFlightCalls.Marker#leave()}, which cost two plain stores and a plain load (see {@link InFlightCalls} for the
 *       handshake that makes that enough); {@code close()} waits for every call that entered before it began. Each
 *       is a loop over at most the mapping's bytes or one {@code msync}, so the wait is as long as the longest flush,
 *       copy or {@code msync} then running. The native code takes raw addresses, so the FFM runtime does not
 *       acquire the arena for it; downcalls that do (a caller passing the segment to another native function) are
 *       waited for too.</li>
 * </ol>
 */
public final class MappingLifecycle {

    /** One daemon thread for every mapping's safety net. */
    private static final Cleaner CLEANER = Cleaner.create();

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final Arena arena;
    private final String name;
    private final ReleaseOnce release;
    private final Cleaner.Cleanable cleanable;
    private final long id = InFlightCalls.newMappingId();
    private volatile int state = OPEN;

    /**
     * @param arena   the shared arena of every view of the mapping
     * @param scope   that arena's scope, which every view references: the safety net watches it
     * @param release what gives the mapping back; it must not reference any view of the memory
     * @param name    the mapping, for messages
     */
    public MappingLifecycle(Arena arena, MemorySegment.Scope scope, OpenedMapping.Release release, String name) {
        this.arena = arena;
        this.name = name;
        this.release = new ReleaseOnce(release, name);
        this.cleanable = CLEANER.register(scope, this.release);
    }

    /**
     * Refuses a new call once {@link #close()} has begun.
     *
     * @throws IllegalStateException if the mapping is closing or closed
     */
    public void checkOpen() {
        if (state != OPEN) {
            throw new IllegalStateException("the mapping of " + name + " is closed");
        }
    }

    /**
     * Enters a native call on the memory: until {@link InFlightCalls.Marker#leave()}, {@link #close()} does not
     * unmap. Use as {@code var m = lifecycle.enter(); try { call } finally { m.leave(); }}.
     *
     * @throws IllegalStateException if the mapping is closing or closed
     */
    public InFlightCalls.Marker enter() {
        InFlightCalls.Marker marker = InFlightCalls.enter(id);
        if (state != OPEN) {
            marker.leave();
            throw new IllegalStateException("the mapping of " + name + " is closed");
        }
        return marker;
    }

    /** {@return whether {@link #close()} has begun} */
    public boolean isClosed() {
        return state != OPEN;
    }

    /**
     * Closes the arena, waiting for native calls in flight to leave it, then releases the mapping.
     *
     * @throws UncheckedIOException wrapping the {@code FileSystemException} of a failed {@code munmap} or
     *                              {@code close}; the mapping is closed all the same
     */
    public synchronized void close() {
        if (state == CLOSED) {
            return;
        }
        state = CLOSING;
        InFlightCalls.awaitNone(id);
        closeArena();
        try {
            release.explicit = true;
            cleanable.clean();
            release.rethrowFailure();
        } finally {
            state = CLOSED;
        }
    }

    private void closeArena() {
        for (int spins = 0; ; spins++) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException heldByANativeCall) {
                // a downcall given a segment of the mapping holds the arena (msync, or a caller's own): let it leave
                InFlightCalls.backOff(spins);
            }
        }
    }

    /** The release, made at most once, remembering its failure for {@link #close()} (the Cleaner logs it). */
    private static final class ReleaseOnce implements Runnable {

        private final OpenedMapping.Release release;
        private final String name;
        private IOException failure;
        private boolean explicit; // set by close() before it releases, on the same thread

        ReleaseOnce(OpenedMapping.Release release, String name) {
            this.release = release;
            this.name = name;
        }

        @Override
        public void run() {
            System.Logger log = System.getLogger("io.github.dax4j");
            if (!explicit) {
                log.log(System.Logger.Level.WARNING, "the mapping of " + name + " was never closed; it is"
                        + " released now that nothing can reach it (close mappings: this is a safety net)");
            }
            try {
                release.run();
            } catch (IOException e) {
                failure = e;
                if (!explicit) {
                    log.log(System.Logger.Level.WARNING, "releasing the mapping of " + name + " failed: "
                            + e.getMessage());
                }
            }
        }

        void rethrowFailure() {
            if (failure instanceof ErrnoException errno) {
                throw new UncheckedIOException(errno.asPublic());
            }
            if (failure != null) {
                throw new UncheckedIOException(failure);
            }
        }
    }
}
