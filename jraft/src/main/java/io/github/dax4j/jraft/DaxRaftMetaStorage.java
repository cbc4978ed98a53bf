package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.option.RaftMetaStorageOptions;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * SOFAJRaft's {@link RaftMetaStorage} (a node's current term and the peer it voted for in that term) on persistent
 * memory: durable when a setter returns, with two persists of 256 bytes, where JRaft's own writes and renames a
 * file.
 *
 * <pre>{@code
 * DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, Directory.open(pmem), "raft.meta");
 * meta.init(new RaftMetaStorageOptions());                 // false if the region is damaged: see failure()
 * meta.setTermAndVotedFor(7, PeerId.parsePeer("10.0.0.2:8081"));
 * }</pre>
 *
 * <p>It lives in one region of the device's {@link Directory}, two copies of 256 bytes, each the state with a
 * sequence number; every update writes copy 1, persisted, then copy 0, persisted (as the write-ahead log writes
 * its head):
 * <pre>
 *  0          8          16        20          24                                   248      252
 *  +----------+----------+---------+-----------+------------------------------------+--------+-------+
 *  | sequence | term     | version | voted len | votedFor, PeerId.toString in UTF-8 | zero   | CRC32C|
 *  +----------+----------+---------+-----------+------------------------------------+--------+-------+
 * </pre>
 * The CRC32C covers bytes 0-251. Invariants, checked by {@link #init}, which fails naming the first one broken:
 * <ol>
 *   <li>M1: a copy is intact when its CRC32C matches, its version is {@value #FORMAT_VERSION}, its length is 0 to
 *       224 and the bytes after the vote are zero; a copy all zero is a copy never written.</li>
 *   <li>M2: at least one copy is intact (copy 1 is used when it is, else copy 0), unless copy 0 was never written
 *       and copy 1 is blank or a tear of the first write (a new node: term 0, no vote).</li>
 *   <li>M3: the vote is a peer ({@code PeerId.parse}), or empty.</li>
 * </ol>
 * {@link #init} of a new region writes the state of term 0 and no vote, so that a later damaged copy is never
 * mistaken for a new node: only that first write may be torn and the region still read as new. A crash tears at
 * most one copy, and the other holds the state from before the update (copy 1 torn) or after it (copy 0 torn);
 * after an update both are equal, so damage to one copy alone loses nothing, not the last vote either (a lost vote
 * could let a node vote twice in one term). Two persists per update: terms and votes change rarely. Updates are
 * serialised; reads see the last update.
 */
public final class DaxRaftMetaStorage implements RaftMetaStorage {

    /** The on-device format this class reads and writes (M1). */
    public static final int FORMAT_VERSION = 1;

    static final int COPY = 256;
    private static final int SEQUENCE = 0;
    private static final int TERM = 8;
    private static final int VERSION = 16;
    private static final int VOTED_LENGTH = 20;
    private static final int VOTED = 24;
    private static final int MAX_VOTED = 224;
    private static final int CRC = 252;
    private static final MemoryLayout BLOCK = MemoryLayout.structLayout(MemoryLayout.paddingLayout(COPY));

    private final DaxMapping pmem;
    private final Directory directory;
    private final String name;
    /** Released at the first shutdown: the shared mapping of a URI factory, or null. */
    private AutoCloseable device;
    private long at;
    private long sequence;
    private long term;
    private PeerId votedFor = PeerId.emptyPeer();
    private boolean initialised;
    private Exception failure;
    /** The node to tell of a failed update, as JRaft's own meta storage does; null outside a node. */
    private NodeImpl node;

    /**
     * @param name the region's name in {@code directory} (created by {@link #init} if absent)
     */
    public DaxRaftMetaStorage(DaxMapping pmem, Directory directory, String name) {
        this(pmem, directory, name, null);
    }

    /** As the public constructor, and shutting down releases {@code device} (a mapping shared by URIs). */
    DaxRaftMetaStorage(DaxMapping pmem, Directory directory, String name, AutoCloseable device) {
        this.pmem = Objects.requireNonNull(pmem, "pmem");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.name = Objects.requireNonNull(name, "name");
        this.device = device;
    }

    /**
     * Opens the region, creating it if absent, and reads the state.
     *
     * @return {@code false} if the region cannot be had or breaks M1-M3 ({@link #failure()} says why): JRaft's
     *         convention, which stops the node from starting
     */
    @Override
    public synchronized boolean init(RaftMetaStorageOptions options) {
        if (initialised) {
            return true;
        }
        try {
            FixedRegion region = directory.openOrCreate(name, BLOCK, 2, RegionAlignment.CACHE_LINE, false);
            if (region.count() != 2) {
                throw new DirectoryException(DirectoryException.Reason.CORRUPTED, "region " + name + " in "
                        + pmem.path() + " is not a Raft meta storage's: " + region.count() + " copies (2 expected)");
            }
            at = region.elementOffset(0);
            long copy1 = at + COPY;
            // copy 1 is written first: intact, it holds the latest state; torn, copy 0 still holds the one before
            long used = isIntact(copy1) ? copy1 : isIntact(at) ? at : -1;
            if (used < 0) {
                if (!isBlank(at) || !(isBlank(copy1) || isTornFirstWrite(copy1))) {
                    throw new DirectoryException(DirectoryException.Reason.CORRUPTED, "Raft meta storage " + name
                            + " in " + pmem.path() + " breaks M2: neither copy is intact");
                }
                // new, or its first write torn: the first write, of term 0 and no vote, again
                sequence = 0;
                term = 0;
                votedFor = PeerId.emptyPeer();
                initialised = true;
                if (!save(0, null)) {
                    initialised = false;
                    throw new IllegalStateException(failure.getMessage(), failure);
                }
                node = options == null ? null : options.getNode(); // told of later failures; init's, by false
                return true;
            }
            sequence = pmem.getLong(used + SEQUENCE);
            term = pmem.getLong(used + TERM);
            votedFor = vote(used);
            initialised = true;
            node = options == null ? null : options.getNode(); // told of later failures; init's, by false
            return true;
        } catch (DirectoryException | RuntimeException e) {
            failure = e;
            DaxLogStorage.release(device); // JRaft does not shut down a storage whose init failed
            device = null;
            return false;
        }
    }

    /** {@return why the last {@link #init} or update that returned false did, if one did} */
    public synchronized Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    /** {@return whether the copy holds, word by word, either zero or the first write's (sequence 1, term 0, no vote)} */
    private boolean isTornFirstWrite(long offset) {
        MemorySegment first = encode(1, 0, new byte[0]);
        MemorySegment copy = MemorySegment.ofArray(new byte[COPY]);
        pmem.read(offset, copy);
        for (long word = 0; word < COPY; word += 8) {
            long value = copy.get(JAVA_LONG_UNALIGNED, word);
            if (value != 0 && value != first.get(JAVA_LONG_UNALIGNED, word)) {
                return false;
            }
        }
        return true;
    }

    private boolean isBlank(long offset) {
        MemorySegment copy = MemorySegment.ofArray(new byte[COPY]);
        pmem.read(offset, copy);
        return copy.mismatch(MemorySegment.ofArray(new byte[COPY])) < 0;
    }

    /** M1, read through the mapping's accessors (a crash simulator then decides a copy only as whole or torn). */
    private boolean isIntact(long offset) {
        if (!pmem.crc32cMatches(offset, CRC, pmem.getInt(offset + CRC))) {
            return false;
        }
        MemorySegment copy = MemorySegment.ofArray(new byte[COPY]);
        pmem.read(offset, copy);
        int length = copy.get(JAVA_INT_UNALIGNED, VOTED_LENGTH);
        if (copy.get(JAVA_INT_UNALIGNED, VERSION) != FORMAT_VERSION || length < 0 || length > MAX_VOTED) {
            return false;
        }
        return copy.asSlice(VOTED + length, CRC - VOTED - length).mismatch(MemorySegment.ofArray(
                new byte[CRC - VOTED - length])) < 0;
    }

    /** M3. */
    private PeerId vote(long offset) throws DirectoryException {
        int length = pmem.getInt(offset + VOTED_LENGTH);
        if (length == 0) {
            return PeerId.emptyPeer();
        }
        byte[] text = new byte[length];
        pmem.read(offset + VOTED, MemorySegment.ofArray(text));
        PeerId peer = new PeerId();
        String s = new String(text, StandardCharsets.UTF_8);
        if (!peer.parse(s)) {
            throw new DirectoryException(DirectoryException.Reason.CORRUPTED, "Raft meta storage " + name + " in "
                    + pmem.path() + " breaks M3: its vote '" + s + "' is not a peer");
        }
        return peer;
    }

    @Override
    public synchronized void shutdown() {
        initialised = false;
        DaxLogStorage.release(device);
        device = null;
    }

    @Override
    public synchronized boolean setTerm(long term) {
        return save(term, votedFor);
    }

    @Override
    public synchronized long getTerm() {
        checkInitialised();
        return term;
    }

    @Override
    public synchronized boolean setVotedFor(PeerId peerId) {
        return save(term, peerId);
    }

    @Override
    public synchronized PeerId getVotedFor() {
        checkInitialised();
        return votedFor;
    }

    @Override
    public synchronized boolean setTermAndVotedFor(long term, PeerId peerId) {
        return save(term, peerId);
    }

    private void checkInitialised() {
        if (!initialised) {
            throw new IllegalStateException("Raft meta storage " + name + " is not initialised");
        }
    }

    /**
     * Writes both copies with the next sequence, persisted; or, when it cannot (a vote whose text is longer than
     * 224 bytes of UTF-8, the mapping closed or failing), keeps the state it had, reports the failure to the node
     * as JRaft's own {@code LocalRaftMetaStorage} does (an EIO meta error, which stops the node: JRaft ignores the
     * setters' result) and returns false. (A failure between the copies leaves copy 1 written, which a restart
     * reads: a vote saved but reported lost, by a node that stopped before acting on it.)
     *
     * @throws IllegalStateException before {@link #init}
     */
    private boolean save(long newTerm, PeerId peer) {
        checkInitialised();
        PeerId vote = peer == null ? PeerId.emptyPeer() : peer;
        byte[] text = vote.isEmpty() ? new byte[0] : vote.toString().getBytes(StandardCharsets.UTF_8);
        try {
            if (text.length > MAX_VOTED) {
                throw new IllegalArgumentException("a vote of " + text.length + " bytes does not fit in " + MAX_VOTED
                        + ": " + vote);
            }
            MemorySegment copy = encode(sequence + 1, newTerm, text);
            pmem.copy(at + COPY, copy); // copy 1, persisted, then copy 0: a crash tears at most one of them
            pmem.copy(at, copy);
        } catch (RuntimeException e) {
            failure = new IllegalStateException("Raft meta storage " + name + " in " + pmem.path() + ": term "
                    + newTerm + " and vote " + vote + " not saved: " + e.getMessage(), e);
            if (node != null) {
                node.onError(new RaftException(EnumOutter.ErrorType.ERROR_TYPE_META, RaftError.EIO,
                        failure.getMessage()));
            }
            return false;
        }
        sequence++;
        term = newTerm;
        votedFor = vote.copy();
        return true;
    }

    private static MemorySegment encode(long sequence, long term, byte[] vote) {
        MemorySegment copy = MemorySegment.ofArray(new byte[COPY]);
        copy.set(JAVA_LONG_UNALIGNED, SEQUENCE, sequence);
        copy.set(JAVA_LONG_UNALIGNED, TERM, term);
        copy.set(JAVA_INT_UNALIGNED, VERSION, FORMAT_VERSION);
        copy.set(JAVA_INT_UNALIGNED, VOTED_LENGTH, vote.length);
        MemorySegment.copy(MemorySegment.ofArray(vote), 0, copy, VOTED, vote.length);
        CRC32C crc = new CRC32C();
        crc.update(copy.asSlice(0, CRC).asByteBuffer());
        copy.set(JAVA_INT_UNALIGNED, CRC, (int) crc.getValue());
        return copy;
    }

    @Override
    public String toString() {
        return "DaxRaftMetaStorage[" + name + " in " + pmem.path() + ", term " + term + ", votedFor " + votedFor + "]";
    }
}
