package io.github.dax4j.internal.map;

import io.github.dax4j.internal.posix.Libc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.file.FileSystemException;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Which thread is inside a native call on which mapping: one marker per thread, written only by its thread with
 * plain stores, read by a closing thread. The guard that lets {@code close()} unmap without a shared counter on the
 * hot path (the shared arena's acquire and release are two atomic read-modify-writes on one cache line per call,
 * 8-15 ns alone and a contended line once two threads use one mapping).
 *
 * <p>The protocol, a Dekker handshake whose one fence is paid by the closer:
 * <pre>
 * caller (every native call)            closer (close)
 *   marker.inside = id  (opaque)          state = CLOSING  (volatile)
 *   if state != OPEN: leave, fail         membarrier(PRIVATE_EXPEDITED)
 *   ... the native call ...               for each marker: wait while marker.inside == id
 *   marker.inside = 0   (release)         unmap
 * </pre>
 * Invariant: no native call runs on a mapping after {@link #awaitNone} for it has returned, once its state is no
 * longer open. Either the caller's load of the state follows the closer's store (the caller sees CLOSING and
 * fails), or the caller's store of its marker precedes the closer's scan (the closer waits for it). The two
 * orders a plain store and a later load do not keep are kept here so:
 * <ul>
 *   <li>by the CPU: {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} runs a full memory barrier on every CPU
 *       running a thread of this process before it returns, and a thread not running passes one when it is
 *       switched in (Linux 4.14 and later). Where the kernel lacks it, every caller pays a full fence
 *       ({@link VarHandle#fullFence()}) instead, and {@link #isAsymmetric()} says so.</li>
 *   <li>by the JIT: opaque accesses are compiled in program order (HotSpot's C2 brackets each with a CPU-order
 *       barrier that no memory access crosses; the interpreter and C1 do not reorder them).</li>
 * </ul>
 *
 * <p>A thread is inside at most one mapping's call at a time: no user code runs inside a guarded call. Markers of
 * dead threads, and markers a pool's thread-local erasure dropped, are dropped here when a closer or a new marker's
 * registration finds them. A thread registers once per life of its thread-local: once, or once per task in a pool
 * that erases thread-locals between tasks (then that call also pays the registration, a compare-and-swap on the
 * shared list).
 *
 * <p>What this does not cover: the JMM alone does not order the opaque store before the later load of the state;
 * C2, C1 and the interpreter do (above), a JIT that moved a load above an opaque store would not. And
 * {@link Marker#leave()} orders the call's ordinary accesses before it, not non-temporal stores still draining from
 * the write-combining buffers (a {@code NO_DRAIN} copy): those land in the same physical pages after the marker is
 * clear, which unmapping does not free while the file or device exists.
 */
public final class InFlightCalls {

    /**
     * One thread's marker: the {@linkplain #newMappingId() id} of the mapping it is in a native call on, or 0. A
     * {@code long}, not a reference: a reference store pays the garbage collector's write barrier (with G1 a
     * StoreLoad fence when the card is old), which would cost what the protocol saves.
     */
    public static final class Marker {
        private final WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
        @SuppressWarnings("unused") // accessed through INSIDE
        private long inside;

        /** Leaves the call: every ordinary access of it happens before a closer can see the marker empty. */
        public void leave() {
            INSIDE.setRelease(this, 0L);
        }

        private boolean isDead() {
            Thread t = thread.get();
            return t == null || !t.isAlive();
        }
    }

    private static final VarHandle INSIDE;

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(Marker.class, "inside", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final boolean ASYMMETRIC = registerMembarrier();
    /**
     * Every marker, weakly: a pool that erases its workers' thread-locals between tasks (the common
     * {@code ForkJoinPool} does) drops a live thread's marker, which must not stay here for the thread's life. A
     * marker is unreachable only when no call holds it, so a cleared reference is never a call in flight.
     */
    private static final ConcurrentLinkedQueue<WeakReference<Marker>> MARKERS = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger REGISTERED = new AtomicInteger();
    private static final AtomicInteger PRUNE_AT = new AtomicInteger(64);
    private static final ThreadLocal<Marker> MARKER = ThreadLocal.withInitial(InFlightCalls::register);
    private static final AtomicLong IDS = new AtomicLong();

    private InFlightCalls() {
    }

    /** {@return a new mapping id: never 0, never reused} */
    static long newMappingId() {
        return IDS.incrementAndGet();
    }

    /** {@return whether the closer pays the fence ({@code membarrier}), not every call} */
    static boolean isAsymmetric() {
        return ASYMMETRIC;
    }

    /**
     * Marks this thread as inside a native call on {@code mapping}; the caller then checks that the mapping is still
     * open (and {@link Marker#leave() leaves} if not), makes the call, and leaves.
     */
    static Marker enter(long mapping) {
        Marker marker = MARKER.get();
        INSIDE.setOpaque(marker, mapping);
        if (!ASYMMETRIC) {
            VarHandle.fullFence();
        }
        return marker;
    }

    /**
     * Waits until no thread is inside a native call on {@code mapping}. The caller has made every new call fail
     * first (a volatile store of the closing state, which each call reads after marking itself).
     */
    static void awaitNone(long mapping) {
        if (ASYMMETRIC) {
            try {
                Libc.membarrier(Libc.MEMBARRIER_CMD_PRIVATE_EXPEDITED);
            } catch (FileSystemException e) {
                // registered at start-up, so the kernel cannot refuse it; without the barrier no wait is sound
                throw new IllegalStateException("membarrier failed after it was registered: " + e.getMessage(), e);
            }
        } else {
            VarHandle.fullFence();
        }
        Marker own = MARKER.get(); // inside only if a simulated device's observer closes from within a call
        for (WeakReference<Marker> ref : MARKERS) {
            Marker marker = ref.get();
            for (int spins = 0; marker != null && marker != own && (long) INSIDE.getOpaque(marker) == mapping;
                 spins++) {
                backOff(spins);
            }
        }
        VarHandle.acquireFence(); // the calls' accesses, released by leave(), come before the unmap
        prune();
    }

    /** A call in flight is a loop over at most the mapping's bytes, or one msync: it leaves soon. */
    static void backOff(int spins) {
        if (spins < 1_000) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(10_000);
        }
    }

    private static Marker register() {
        Marker marker = new Marker();
        MARKERS.add(new WeakReference<>(marker));
        if (REGISTERED.incrementAndGet() >= PRUNE_AT.get()) {
            prune();
        }
        return marker;
    }

    /** Drops the markers of dead threads, which are never inside a call; amortised over registrations. */
    private static void prune() {
        int live = 0;
        for (Iterator<WeakReference<Marker>> it = MARKERS.iterator(); it.hasNext(); ) {
            Marker marker = it.next().get();
            if (marker == null || marker.isDead() && (long) INSIDE.getOpaque(marker) == 0) {
                it.remove();
            } else {
                live++;
            }
        }
        REGISTERED.set(live);
        PRUNE_AT.set(Math.max(64, 2 * live));
    }

    /** {@return how many markers are registered: for tests of the pruning} */
    static int registered() {
        int n = 0;
        for (WeakReference<Marker> ignored : MARKERS) {
            n++;
        }
        return n;
    }

    private static boolean registerMembarrier() {
        try {
            long supported = Libc.membarrier(Libc.MEMBARRIER_CMD_QUERY);
            if ((supported & Libc.MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) {
                return false;
            }
            Libc.membarrier(Libc.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
            return true;
        } catch (FileSystemException e) {
            return false; // ENOSYS, EINVAL: pay a fence per call instead
        }
    }
}
