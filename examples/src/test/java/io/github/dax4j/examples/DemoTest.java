package io.github.dax4j.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo behind README command 1: a new device, then the same device from a later run. */
class DemoTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-demo-test-");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        Files.deleteIfExists(dir.resolve("dev"));
        Files.delete(dir);
    }

    @Test
    void aNewDeviceIsCreatedWrittenPersistedAndVerifiedAfterReopen() throws IOException {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Demo.Outcome outcome = Demo.run(dir.resolve("dev"), new PrintStream(report, true, StandardCharsets.UTF_8));
        String text = report.toString(StandardCharsets.UTF_8);
        assertEquals(new Demo.Outcome(-1, Demo.RECORDS), outcome);
        assertTrue(text.contains("(created, " + Demo.DEVICE_BYTES + " bytes on tmpfs)"), text);
        assertTrue(text.contains("MAP_SYNC       refused (EOPNOTSUPP)"), text);
        assertTrue(text.contains("MSYNC"), text);
        assertTrue(text.contains(Demo.RECORDS + " records intact after close and reopen"), text);
        assertEquals(Demo.DEVICE_BYTES, Files.size(dir.resolve("dev")));
    }

    @Test
    void aSecondRunFindsTheFirstRunsRecords() throws IOException {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Demo.run(dir.resolve("dev"), quiet);
        assertEquals(new Demo.Outcome(Demo.RECORDS, Demo.RECORDS), Demo.run(dir.resolve("dev"), quiet));
    }

    @Test
    void verificationCatchesADamagedRecord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment device = arena.allocate(RecordLog.recordOffset(4));
            RecordLog.reset(device, 7);
            for (int i = 0; i < 3; i++) {
                RecordLog.append(device, 7, i);
                RecordLog.commit(device, i + 1);
            }
            assertEquals(3, RecordLog.verify(device));
            long payloadByte = RecordLog.recordOffset(1) + RecordLog.RECORD_BYTES - 1;
            device.set(java.lang.foreign.ValueLayout.JAVA_BYTE, payloadByte, (byte) 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RecordLog.verify(device));
            assertEquals("committed record 1 is damaged", e.getMessage());
        }
    }
}
