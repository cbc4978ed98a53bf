package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.storage.RaftMetaStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What JRaft's {@link RaftMetaStorage} promises, run against dax4j's storage and against JRaft's own file storage
 * (so that the tests are known to test the contract, not dax4j's reading of it).
 */
abstract class RaftMetaStorageContract {

    /** {@return a storage, initialised, on the test's (possibly new) place} */
    abstract RaftMetaStorage open() throws Exception;

    /** Shuts the storage down and lets go of its place, which stays for the next {@link #open}. */
    abstract void close(RaftMetaStorage storage) throws Exception;

    /** Deletes the test's place. */
    abstract void deletePlace() throws Exception;

    /** Not {@code deletePlace} itself: JUnit runs an overriding method only if it is annotated again. */
    @AfterEach
    final void cleanUp() throws Exception {
        deletePlace();
    }

    private static final PeerId PEER = new PeerId("10.0.0.2", 8081, 3, 40);

    @Test
    void aNewStorageHasTermZeroAndNoVote() throws Exception {
        RaftMetaStorage meta = open();
        assertEquals(0, meta.getTerm());
        assertTrue(meta.getVotedFor().isEmpty(), meta.getVotedFor().toString());
        close(meta);
    }

    @Test
    void theTermAndTheVoteSurviveAReopen() throws Exception {
        RaftMetaStorage meta = open();
        assertTrue(meta.setTermAndVotedFor(7, PEER));
        close(meta);
        RaftMetaStorage again = open();
        assertEquals(7, again.getTerm());
        assertEquals(PEER, again.getVotedFor());
        assertEquals(PEER.getPriority(), again.getVotedFor().getPriority());
        close(again);
    }

    @Test
    void setTermKeepsTheVoteAndSetVotedForKeepsTheTerm() throws Exception {
        RaftMetaStorage meta = open();
        assertTrue(meta.setTermAndVotedFor(3, PEER));
        assertTrue(meta.setTerm(4));
        assertEquals(PEER, meta.getVotedFor());
        PeerId other = new PeerId("10.0.0.3", 8082);
        assertTrue(meta.setVotedFor(other));
        assertEquals(4, meta.getTerm());
        close(meta);
        RaftMetaStorage again = open();
        assertEquals(4, again.getTerm());
        assertEquals(other, again.getVotedFor());
        close(again);
    }

    @Test
    void theLastOfManyUpdatesIsTheOneThatSurvives() throws Exception {
        RaftMetaStorage meta = open();
        for (long term = 1; term <= 100; term++) {
            assertTrue(meta.setTermAndVotedFor(term, new PeerId("10.0.0." + (term % 7), 8000 + (int) term)));
        }
        close(meta);
        RaftMetaStorage again = open();
        assertEquals(100, again.getTerm());
        assertEquals(new PeerId("10.0.0.2", 8100), again.getVotedFor());
        close(again);
    }

    @Test
    void anEmptyVoteIsStoredAsNoVote() throws Exception {
        RaftMetaStorage meta = open();
        assertTrue(meta.setTermAndVotedFor(5, PEER));
        assertTrue(meta.setTermAndVotedFor(6, PeerId.emptyPeer()));
        close(meta);
        RaftMetaStorage again = open();
        assertEquals(6, again.getTerm());
        assertTrue(again.getVotedFor().isEmpty(), again.getVotedFor().toString());
        close(again);
    }
}
