package io.github.dax4j.jraft;

import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.RaftMetaStorageOptions;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.testkit.CrashReport;
import io.github.dax4j.testkit.CrashTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What dax4j's meta storage does beyond JRaft's contract: crashes, damage, forgery, limits. */
class DaxRaftMetaStorageTest {

    private Path device;

    @BeforeEach
    void newDevice() throws Exception {
        device = Files.createTempFile(Path.of("/dev/shm"), "dax4j-raft-meta-", ".img");
        Files.delete(device);
    }

    @AfterEach
    void deleteDevice() throws Exception {
        Files.deleteIfExists(device);
    }

    private static String state(DaxMapping pmem) throws Exception {
        DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, Directory.open(pmem, 4), "raft.meta");
        return meta.init(new RaftMetaStorageOptions()) ? meta.getTerm() + " " + meta.getVotedFor()
                : "failed: " + meta.failure().orElseThrow().getMessage();
    }

    /**
     * Every crash of the first init and of a run of updates leaves the state of the last acknowledged one or of the
     * one in flight. (Found by this test: a torn first update of a new region, the other copy blank, read as
     * damage; init now writes a first copy whose tear is told apart.)
     */
    @Test
    void everyCrashLeavesTheLastAcknowledgedStateOrTheOneInFlight() {
        List<String> states = List.of("1 10.0.0.1:8081", "2 10.0.0.2:8082:3", "3 0.0.0.0:0", "4 10.0.0.4:8084:1:50");
        CrashReport report = CrashTest.onDevice(64 * 1024).run((pmem, acks) -> {
            acks.checkCrashes(false);
            Directory directory = Directory.open(pmem, 4);
            acks.checkCrashes(true);
            DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, directory, "raft.meta");
            assertTrue(meta.init(new RaftMetaStorageOptions()));
            for (String s : states) {
                String[] parts = s.split(" ");
                acks.begin(s);
                PeerId vote = new PeerId();
                assertTrue(vote.parse(parts[1]) || parts[1].equals("0.0.0.0:0"));
                meta.setTermAndVotedFor(Long.parseLong(parts[0]), parts[1].equals("0.0.0.0:0") ? null : vote);
                acks.acknowledge(s);
            }
        }, DaxRaftMetaStorageTest::state, (recovered, acked, inFlight) -> {
            // before any update: a new node (its region perhaps not even created yet)
            String last = acked.isEmpty() ? "0 0.0.0.0:0" : (String) acked.getLast();
            return recovered.equals(last) || inFlight.contains(recovered);
        });
        System.out.println("Raft meta storage: " + report);
        report.assertNoFailure();
        // the first write's crash point is enumerated: telling its tear from damage reads a copy whose CRC failed
        assertTrue(report.exhaustive(), report.toString());
    }

    private static DaxRaftMetaStorage initialised(DaxMapping pmem) throws Exception {
        DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, Directory.open(pmem), "raft.meta");
        assertTrue(meta.init(new RaftMetaStorageOptions()), () -> meta.failure().toString());
        return meta;
    }

    private long copyAt(DaxMapping pmem, int copy) throws Exception {
        return Directory.open(pmem).find("raft.meta").orElseThrow().offset() + (long) copy * DaxRaftMetaStorage.COPY;
    }

    /** Each update writes both copies: damage to either one alone loses nothing, not the last vote either. */
    @Test
    void damageToEitherCopyAloneLosesNothing() throws Exception {
        for (int damaged = 0; damaged < 2; damaged++) {
            Files.deleteIfExists(device);
            try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
                DaxRaftMetaStorage meta = initialised(pmem);
                meta.setTermAndVotedFor(1, new PeerId("10.0.0.1", 8081));
                meta.setTermAndVotedFor(2, new PeerId("10.0.0.2", 8082));
                long at = copyAt(pmem, damaged);
                pmem.putByte(at + 8, (byte) (pmem.getByte(at + 8) ^ 1));
                pmem.persist(at, 256);
                assertEquals("2 10.0.0.2:8082", state(pmem), "copy " + damaged + " damaged");
            }
        }
    }

    @Test
    void bothCopiesDamagedIsRefusedNamingM2() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
            DaxRaftMetaStorage meta = initialised(pmem);
            meta.setTermAndVotedFor(1, new PeerId("10.0.0.1", 8081));
            meta.setTermAndVotedFor(2, new PeerId("10.0.0.2", 8082));
            for (int copy = 0; copy < 2; copy++) {
                pmem.putByte(copyAt(pmem, copy) + 9, (byte) 0x5A);
            }
            pmem.persist(copyAt(pmem, 0), 512);
            String state = state(pmem);
            assertTrue(state.startsWith("failed: ") && state.contains("M2"), state);
        }
    }

    @Test
    void aForgedVoteWithAValidChecksumIsRefusedNamingM3() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
            DaxRaftMetaStorage meta = initialised(pmem);
            meta.setTermAndVotedFor(1, new PeerId("10.0.0.1", 8081));
            long at = copyAt(pmem, 1); // the copy used when intact
            byte[] text = "not a peer".getBytes(StandardCharsets.UTF_8);
            MemorySegment copy = MemorySegment.ofArray(new byte[256]);
            pmem.read(at, copy);
            copy.asSlice(24, 224).fill((byte) 0);
            copy.set(JAVA_INT_UNALIGNED, 20, text.length);
            MemorySegment.copy(MemorySegment.ofArray(text), 0, copy, 24, text.length);
            CRC32C crc = new CRC32C();
            crc.update(copy.asSlice(0, 252).asByteBuffer());
            copy.set(JAVA_INT_UNALIGNED, 252, (int) crc.getValue());
            pmem.copy(at, copy);
            String state = state(pmem);
            assertTrue(state.startsWith("failed: ") && state.contains("M3") && state.contains("not a peer"), state);
        }
    }

    @Test
    void aVoteTooLongForItsCopyIsRefusedAndChangesNothing() throws Exception {
        // (in a node, the refusal is also the node's error, as with JRaft's own meta storage: see save)
        try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
            DaxRaftMetaStorage meta = initialised(pmem);
            meta.setTermAndVotedFor(1, new PeerId("10.0.0.1", 8081));
            assertFalse(meta.setTermAndVotedFor(2, new PeerId("h".repeat(230), 8081)), "refused: JRaft's result");
            String why = meta.failure().orElseThrow().getMessage();
            assertTrue(why.contains("224"), why);
            assertEquals(1, meta.getTerm());
            assertEquals("1 10.0.0.1:8081", state(pmem));
        }
    }

    @Test
    void anUpdateAfterTheMappingClosedReturnsFalseAndSaysWhy() throws Exception {
        DaxRaftMetaStorage meta;
        try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
            meta = initialised(pmem);
            assertTrue(meta.setTerm(3));
        }
        assertFalse(meta.setTermAndVotedFor(4, new PeerId("10.0.0.1", 8081)));
        assertTrue(meta.failure().orElseThrow().getMessage().contains("not saved"), meta.failure().toString());
        assertEquals(3, meta.getTerm(), "the state it had");
    }

    @Test
    void useBeforeInitFailsCleanly() throws Exception {
        try (DaxMapping pmem = DaxMapping.open(device, DaxRaftMetaStorageContractTest.OPTIONS)) {
            DaxRaftMetaStorage meta = new DaxRaftMetaStorage(pmem, Directory.open(pmem), "raft.meta");
            assertThrows(IllegalStateException.class, meta::getTerm);
            assertThrows(IllegalStateException.class, () -> meta.setTerm(1));
            assertFalse(Directory.open(pmem).find("raft.meta").isPresent(), "nothing created before init");
        }
    }
}
