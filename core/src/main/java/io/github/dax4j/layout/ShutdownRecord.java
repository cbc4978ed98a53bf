package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.VolatileMemoryException;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.device.UnsafeShutdownCount;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Whether the last session on a device ended cleanly, and if not, whether stores it persisted may be lost: PMDK's
 * shutdown-state check, kept in a region of the {@link Directory}.
 *
 * <pre>{@code
 * try (DaxMapping pmem = DaxMapping.open(path, MapOptions.wholeSource().exclusive());
 *      ShutdownRecord shutdown = ShutdownRecord.open(Directory.open(pmem))) {
 *     switch (shutdown.lastShutdown()) {
 *         case UNSAFE -> {                           // persisted stores may be gone: the log cannot be trusted
 *             restoreFromReplica();                  // a crash in here: the next open says UNSAFE again
 *             shutdown.markRecovered();
 *         }
 *         case UNKNOWN -> log.warning(shutdown.reason());
 *         default -> { }                             // FIRST_OPEN, CLEAN, INTERRUPTED: what was persisted is there
 *     }
 *     ...                                            // work; close() marks the session clean
 * }
 * }</pre>
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>Open reads the stored record, then judges the last session against the device's
 *       {@linkplain io.github.dax4j.device.DaxDevice#unsafeShutdownCount() unsafe shutdown count} now (see
 *       {@link LastShutdown}), then stores a new record: <em>open</em>, with the count and the devices' identity
 *       now, persisted before {@code open} returns, so before any store of the session.</li>
 *   <li>{@link #close()} stores a record <em>closed</em>, with the same count and identity, persisted. Call it after
 *       the session's last persist; a session that never closes (a crash, a kill, a power loss) leaves <em>open</em>
 *       for the next open to find.</li>
 *   <li>An {@code UNSAFE} verdict sticks: the open that finds it stores <em>unsafe</em> instead of <em>open</em>,
 *       and every later open reports {@code UNSAFE} again, whatever the counts, until {@link #markRecovered()}
 *       stores <em>open</em> (the caller has repaired or discarded the data). A crash during the repair, or a
 *       {@link #close()} without it, leaves <em>unsafe</em>: the verdict is not lost with the process that read
 *       it.</li>
 * </ol>
 * A session's stores are lost by a dirty shutdown only if the devices counted one while the session was open: a
 * count that rose while the record said <em>closed</em> touched nothing of the session's, and is not reported.
 *
 * <h2>On-device format (region {@value #REGION}, two 64-byte slots, little-endian)</h2>
 * <pre>
 *  0            8            16           24            32            40            56        60       64
 *  +------------+------------+------------+-------------+-------------+-------------+---------+--------+
 *  | sequence   | state      | count      | devices     | unsafe from | zero        | CRC32C  | zero   |
 *  +------------+------------+------------+-------------+-------------+-------------+---------+--------+
 * </pre>
 * {@code sequence} is 1 to 2<sup>62</sup>; {@code state} is {@link #OPEN}, {@link #CLOSED} or {@link #UNSAFE};
 * {@code count} is the unsafe shutdown count, -1 where the kernel exposes none; {@code devices} the first 8 bytes
 * of the SHA-256 of the devices' ids joined by newlines (0 with no count); {@code unsafe from} the count the session
 * that found an unsafe shutdown had last recorded (0 unless {@code state} is {@link #UNSAFE}); the CRC32C covers
 * bytes 0..56. A record is written to the slot the current one is not in, with
 * the next sequence, and persisted: a crash while writing leaves that slot torn (its CRC fails) and the other one
 * current. The current record is the valid slot with the higher sequence. Both slots zero: no record yet (a torn
 * first write leaves one zero slot and one torn: still none). Anything else (a slot neither zero nor valid beside
 * no valid one, two valid slots whose sequences are not consecutive, a state, sequence or count out of range) is a
 * {@link DirectoryException} {@code CORRUPTED}: damage or forgery, never a verdict. The CRC32C detects damage, not a
 * forger who recomputes it.
 *
 * <p>{@code UNKNOWN} does not stick: it says nothing was lost as much as that something was, and a device without
 * counts (QEMU's NVDIMMs) would report it after every crash forever. A caller that repairs after {@code UNKNOWN}
 * keeps its own mark.
 *
 * <p>Not thread-safe; one record per device, used by one process at a time (map the device
 * {@linkplain io.github.dax4j.MapOptions#exclusive() exclusively}). Closing twice is harmless.
 */
public final class ShutdownRecord implements AutoCloseable {

    /** The directory region that holds the record. */
    public static final String REGION = "dax4j.shutdown";
    /** The state of a session that has not closed, "SDOPENED" in little-endian ASCII. */
    public static final long OPEN = 0x44454e45_504f4453L;
    /** The state of a session that closed, "SDCLOSED" in little-endian ASCII. */
    public static final long CLOSED = 0x44455345_4c434453L;
    /**
     * The state of a session that found an unsafe shutdown, until {@link #markRecovered()}: "SDUNSAFE" in
     * little-endian ASCII.
     */
    public static final long UNSAFE = 0x45464153_4e554453L;
    /** The highest sequence a record may hold: 2<sup>62</sup>, more opens than any device lives to see. */
    static final long MAX_SEQUENCE = 1L << 62;
    /** The most writes one session makes: open, {@link #markRecovered()}, {@link #close()}. */
    private static final long SESSION_WRITES = 3;

    /** One slot; the directory checks this layout's signature on every open of the region. */
    static final MemoryLayout SLOT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sequence"), JAVA_LONG.withName("state"), JAVA_LONG.withName("count"),
            JAVA_LONG.withName("devices"), JAVA_LONG.withName("unsafeFrom"), MemoryLayout.paddingLayout(16),
            JAVA_INT.withName("crc"),
            MemoryLayout.paddingLayout(4)).withName("ShutdownSlot");

    private static final long S_SEQUENCE = 0, S_STATE = 8, S_COUNT = 16, S_DEVICES = 24, S_UNSAFE_FROM = 32,
            S_CRC = 56, SLOT_BYTES = 64;

    /** What the last session's end means for the stores it persisted. */
    public enum LastShutdown {
        /** The device has no record: first opened with one now. Nothing can be said of before. */
        FIRST_OPEN,
        /** The last session closed: everything it persisted is there. */
        CLEAN,
        /**
         * The last session did not close (a crash, a kill, a power loss), but the devices counted no unsafe
         * shutdown since it opened: everything it persisted is there; what it had not persisted may be gone.
         */
        INTERRUPTED,
        /**
         * The last session did not close and the same devices counted an unsafe shutdown since it opened: stores
         * it persisted may be lost (the power-loss flush did not complete). Its data cannot be trusted. Reported
         * by every open until one calls {@link #markRecovered()}.
         */
        UNSAFE,
        /**
         * The last session did not close, and its end cannot be judged: the kernel exposes no count (now or then),
         * or the devices are others (the namespace moved to other DIMMs). {@link #reason()} says which.
         */
        UNKNOWN
    }

    private record Slot(long sequence, long state, long count, long devices, long unsafeFrom) {

        /** {@return this session's next record, in {@code state}} */
        Slot next(long state) {
            return new Slot(Math.addExact(sequence, 1), state, count, devices, state == UNSAFE ? unsafeFrom : 0);
        }
    }

    private final DaxMapping mapping;
    private final FixedRegion region;
    private final LastShutdown lastShutdown;
    private final String reason;
    private Slot session;
    private boolean closed;

    private ShutdownRecord(DaxMapping mapping, FixedRegion region, LastShutdown lastShutdown, String reason,
                           Slot session) {
        this.mapping = mapping;
        this.region = region;
        this.lastShutdown = lastShutdown;
        this.reason = reason;
        this.session = session;
    }

    /**
     * Judges the last session and records this one as open, with the unsafe shutdown count of the directory's
     * device-DAX instance ({@link io.github.dax4j.device.DaxDevice#unsafeShutdownCount()}); a file or a simulated
     * device has none (see {@link #open(Directory, Optional)}).
     *
     * @throws DirectoryException if the record is damaged ({@code CORRUPTED}), or the directory cannot hold it
     * @throws IOException        if sysfs cannot be read
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only: a record that cannot be written
     *                                          cannot guard the session
     * @throws io.github.dax4j.VolatileMemoryException if the memory is volatile device-DAX, whether its persist
     *                                          calls are refused or let through ({@code acceptNonDurableStores()}):
     *                                          no session on it survives power loss to be judged
     */
    public static ShutdownRecord open(Directory directory) throws IOException {
        DaxMapping mapping = directory.mapping();
        return open(directory, mapping.source() instanceof DeviceDaxSource dax ? dax.device().unsafeShutdownCount()
                : Optional.empty());
    }

    /**
     * {@link #open(Directory)} with the count given: for memory whose devices the caller reads itself (a file on a
     * DAX file system, whose DIMMs are those of its block device's region), and for tests of the protocol.
     *
     * @param now the devices' unsafe shutdown count now, empty where none can be read
     * @throws DirectoryException if the record is damaged ({@code CORRUPTED}), or the directory cannot hold it
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws io.github.dax4j.VolatileMemoryException if the memory is volatile device-DAX
     */
    public static ShutdownRecord open(Directory directory, Optional<UnsafeShutdownCount> now)
            throws DirectoryException {
        Objects.requireNonNull(now, "now");
        DaxMapping mapping = directory.mapping();
        // An empty persist throws what a record's write would (read-only, volatile memory refusing persists),
        // before the region exists: a record that cannot be kept leaves none behind. Volatile device-DAX whose
        // persists were let through (acceptNonDurableStores, with or without a mechanism forced) is refused too:
        // it has no sessions to judge. (A file on tmpfs is volatile as well, but that is how devices are emulated
        // for tests, and its persists are real msyncs.)
        mapping.persist(0, 0);
        if (mapping.source() instanceof DeviceDaxSource && mapping.persistenceDomain() == PersistenceDomain.NONE) {
            throw new VolatileMemoryException(mapping.source().describe(), "a shutdown record on it would judge"
                    + " sessions whose stores no shutdown keeps");
        }
        FixedRegion region = directory.openOrCreate(REGION, SLOT, 2, RegionAlignment.CACHE_LINE, true);
        Optional<Slot> last = current(mapping, region);
        if (last.isPresent() && last.get().sequence() > MAX_SEQUENCE - SESSION_WRITES) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, "the shutdown record of "
                    + mapping.path() + " is at sequence " + last.get().sequence() + ", which leaves no room for a"
                    + " session's " + SESSION_WRITES + " writes below " + MAX_SEQUENCE + ": no device lives to"
                    + " write it that often, so it is damaged or forged");
        }
        long count = now.map(UnsafeShutdownCount::count).orElse(-1L);
        long devices = now.map(ShutdownRecord::devicesHash).orElse(0L);
        LastShutdown verdict;
        String reason;
        long unsafeFrom = 0;
        if (last.isEmpty()) {
            verdict = LastShutdown.FIRST_OPEN;
            reason = "no shutdown record: the first session that keeps one";
        } else if (last.get().state() == UNSAFE) {
            verdict = LastShutdown.UNSAFE;
            unsafeFrom = last.get().unsafeFrom();
            reason = "an unsafe shutdown (the count rose from " + unsafeFrom + " while a session was open) was"
                    + " reported before and no session has marked the data recovered since: stores persisted before"
                    + " it may be lost";
        } else if (last.get().state() == CLOSED) {
            verdict = LastShutdown.CLEAN;
            reason = "the last session closed";
        } else if (last.get().count() < 0 || count < 0) {
            verdict = LastShutdown.UNKNOWN;
            reason = "the last session did not close, and no unsafe shutdown count " + (count < 0
                    ? (mapping.source() instanceof DeviceDaxSource
                            ? "is exposed for this device (QEMU's NVDIMMs; CXL before Linux 6.15)"
                            : "was given for this memory (a file or a simulated device: pass the count of the DIMMs"
                            + " behind it to ShutdownRecord.open(Directory, Optional))")
                    : "was read when it opened");
        } else if (last.get().devices() != devices) {
            verdict = LastShutdown.UNKNOWN;
            reason = "the last session did not close, on other devices than " + now.get().deviceIds()
                    + ": their counts cannot be compared";
        } else if (count > last.get().count()) {
            verdict = LastShutdown.UNSAFE;
            unsafeFrom = last.get().count();
            reason = "the last session did not close, and the unsafe shutdown count of " + now.get().deviceIds()
                    + " rose from " + last.get().count() + " to " + count + " since it opened: stores it persisted"
                    + " may be lost";
        } else if (count == last.get().count()) {
            verdict = LastShutdown.INTERRUPTED;
            reason = "the last session did not close, but the unsafe shutdown count of " + now.get().deviceIds()
                    + " is still " + count + ": what it persisted is there";
        } else {
            verdict = LastShutdown.UNKNOWN;
            reason = "the last session did not close, and the unsafe shutdown count of " + now.get().deviceIds()
                    + " fell from " + last.get().count() + " to " + count + ": a count only grows, so the devices"
                    + " were reset or replaced under the same ids";
        }
        Slot session = new Slot(last.map(Slot::sequence).orElse(0L) + 1, verdict == LastShutdown.UNSAFE ? UNSAFE
                : OPEN, count, devices, unsafeFrom);
        write(mapping, region, session);
        return new ShutdownRecord(mapping, region, verdict, reason, session);
    }

    /** {@return what the last session's end means for the stores it persisted} */
    public LastShutdown lastShutdown() {
        return lastShutdown;
    }

    /** {@return {@link #lastShutdown()} in words, for a log line: which counts, which devices} */
    public String reason() {
        return reason;
    }

    /** {@return whether an {@code UNSAFE} verdict waits for {@link #markRecovered()}: every open reports it till then} */
    public boolean isRecoveryPending() {
        return session.state() == UNSAFE;
    }

    /**
     * Records, durably, that the data an {@code UNSAFE} verdict put in doubt is repaired or discarded: from now on
     * this session is an ordinary open one, and the next open judges it afresh. Call it once the repair is
     * persisted.
     *
     * @throws IllegalStateException if no recovery is pending ({@link #isRecoveryPending()}), or the record or the
     *                               mapping is closed
     */
    public void markRecovered() {
        if (closed) {
            throw new IllegalStateException("the shutdown record of " + mapping.path() + " is closed");
        }
        if (!isRecoveryPending()) {
            throw new IllegalStateException("no recovery is pending on " + mapping.path() + ": the last shutdown was "
                    + lastShutdown);
        }
        Slot next = session.next(OPEN);
        write(mapping, region, next);
        session = next;
    }

    /**
     * Records this session as closed, durably. Call it after the session's last persist. While a recovery is
     * pending it writes nothing: the next open reports {@code UNSAFE} again. A second call does nothing.
     *
     * @throws IllegalStateException if the mapping is closed
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!isRecoveryPending()) {
            write(mapping, region, session.next(CLOSED));
        }
        closed = true;
    }

    @Override
    public String toString() {
        return "ShutdownRecord[" + mapping.path() + ", last shutdown " + lastShutdown + " (" + reason + ")"
                + (isRecoveryPending() ? ", recovery pending" : "") + (closed ? ", closed" : "") + "]";
    }

    private static long devicesHash(UnsafeShutdownCount count) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(String.join("\n", count.deviceIds())
                    .getBytes(StandardCharsets.UTF_8));
            long hash = 0;
            for (int i = 7; i >= 0; i--) {
                hash = hash << 8 | (sha[i] & 0xff);
            }
            return hash == 0 ? 1 : hash; // 0 means "no devices"
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static void write(DaxMapping mapping, FixedRegion region, Slot slot) {
        long at = region.elementOffset(slot.sequence() % 2);
        mapping.putLong(at + S_SEQUENCE, slot.sequence());
        mapping.putLong(at + S_STATE, slot.state());
        mapping.putLong(at + S_COUNT, slot.count());
        mapping.putLong(at + S_DEVICES, slot.devices());
        mapping.putLong(at + S_UNSAFE_FROM, slot.unsafeFrom());
        mapping.putInt(at + S_CRC, crc(slot));
        mapping.persist(at, SLOT_BYTES);
    }

    private static int crc(Slot slot) {
        CRC32C crc = new CRC32C();
        byte[] bytes = new byte[(int) S_CRC];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(slot.sequence())
                .putLong(slot.state()).putLong(slot.count()).putLong(slot.devices()).putLong(slot.unsafeFrom());
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** {@return the current record, empty if there is none yet} */
    private static Optional<Slot> current(DaxMapping mapping, FixedRegion region) throws DirectoryException {
        Slot best = null;
        int zero = 0;
        for (long i = 0; i < 2; i++) {
            long at = region.elementOffset(i);
            Slot slot = new Slot(mapping.getLong(at + S_SEQUENCE), mapping.getLong(at + S_STATE),
                    mapping.getLong(at + S_COUNT), mapping.getLong(at + S_DEVICES),
                    mapping.getLong(at + S_UNSAFE_FROM));
            int storedCrc = mapping.getInt(at + S_CRC);
            boolean blank = slot.sequence() == 0 && slot.state() == 0 && slot.count() == 0 && slot.devices() == 0
                    && slot.unsafeFrom() == 0 && storedCrc == 0 && reservedZero(mapping, at);
            if (blank) {
                zero++;
                continue;
            }
            if (storedCrc != crc(slot) || !reservedZero(mapping, at)) {
                continue; // torn: the other slot decides
            }
            if (slot.sequence() < 1 || slot.sequence() > MAX_SEQUENCE || slot.sequence() % 2 != i
                    || (slot.state() != OPEN && slot.state() != CLOSED && slot.state() != UNSAFE)
                    || slot.count() < -1 || (slot.count() == -1) != (slot.devices() == 0)
                    || (slot.state() == UNSAFE ? slot.unsafeFrom() < 0 : slot.unsafeFrom() != 0)) {
                throw corrupted(mapping, i, "a valid checksum over impossible fields " + slot);
            }
            // two records are only ever written one after the other: their sequences follow each other
            if (best != null && Math.abs(best.sequence() - slot.sequence()) != 1) {
                throw corrupted(mapping, i, "slots of sequences " + best.sequence() + " and " + slot.sequence()
                        + ", which no run of sessions writes");
            }
            if (best == null || slot.sequence() > best.sequence()) {
                best = slot;
            }
        }
        if (best == null && zero == 0) {
            throw corrupted(mapping, 0, "neither slot is blank or valid");
        }
        return Optional.ofNullable(best);
    }

    private static boolean reservedZero(DaxMapping mapping, long at) {
        return mapping.getLong(at + 40) == 0 && mapping.getLong(at + 48) == 0 && mapping.getInt(at + 60) == 0;
    }

    private static DirectoryException corrupted(DaxMapping mapping, long slot, String what) {
        return new DirectoryException(DirectoryException.Reason.CORRUPTED, "shutdown record of " + mapping.path()
                + ", slot " + slot + ": " + what);
    }
}
