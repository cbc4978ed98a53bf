package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A file truncated under a mapping: before, a persist, flush, evict, copy, fill or move into the lost pages with a CPU mechanism
 * killed the JVM with {@code SIGBUS} in dax4j's own code. Now each ends with a {@link MemoryFaultException} naming
 * the offset, the rest of the mapping stays usable, and a fault of the JVM's own access still reaches the JVM's
 * handler ({@link InternalError}). In a child JVM, so that a regression fails this test instead of killing it.
 */
class MemoryFaultTest {

    private static final long PAGE = 4096;

    @Test
    void aTruncatedFileFaultsEveryNativeOperationIntoAnExceptionNotACrash() throws Exception {
        PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElse(null);
        assumeTrue(cpu != null, "needs dax4j's CPU code: " + PersistMechanism.whyNoCpuCacheFlush().orElse(""));
        Path file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-fault", ".img");
        try {
            List<String> lines = runChild(file, cpu);
            List<String> expected = new ArrayList<>();
            for (String op : Child.OPERATIONS) {
                expected.add(op + ": MemoryFaultException offset " + 2 * PAGE + " code 2");
            }
            expected.add("getLong: InternalError");
            expected.add("still usable: 42");
            assertEquals(expected, lines.stream().map(l -> l.split(" \\| ")[0]).toList(), String.join("\n", lines));
            assertTrue(lines.getFirst().endsWith("| java.io.IOException: SIGBUS (BUS_ADRERR) at offset 8192 of the "
                    + "mapping of " + file + " (tmpfs): no page backs it (the file was truncated under the mapping, or its"
                    + " file system could not fill a hole)"), lines.getFirst());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static List<String> runChild(Path file, PersistMechanism cpu) throws Exception {
        String output = ChildJvm.run(60, Child.class, file.toString(), cpu.name());
        return output.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    /** Maps 16 pages with a CPU mechanism, truncates the file to one page, then runs each operation on page 2. */
    public static final class Child {
        static final List<String> OPERATIONS = List.of("persist", "flush", "evict", "copy", "fill", "move");

        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(16 * PAGE);
            }
            MapOptions options = MapOptions.wholeSource().emulateMapSync()
                    .persistMechanism(PersistMechanism.valueOf(args[1])).acceptNonDurableStores();
            try (DaxMapping pmem = DaxMapping.open(file, options); Arena arena = Arena.ofConfined()) {
                MemorySegment source = arena.allocate(PAGE, 64);
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(PAGE); // as another process would: pages 1-15 are gone
                }
                for (String op : OPERATIONS) {
                    try {
                        switch (op) {
                            case "persist" -> pmem.persist(2 * PAGE, PAGE);
                            case "flush" -> pmem.flush(2 * PAGE, 64);
                            case "evict" -> pmem.evict(2 * PAGE, 64);
                            case "copy" -> pmem.copy(2 * PAGE, source, PersistFlag.NON_TEMPORAL);
                            case "fill" -> pmem.fill(2 * PAGE, PAGE, (byte) 1, PersistFlag.NON_TEMPORAL);
                            case "move" -> pmem.move(0, 2 * PAGE, PAGE, PersistFlag.NON_TEMPORAL);
                            default -> throw new AssertionError(op);
                        }
                        System.out.println(op + ": no fault");
                    } catch (MemoryFaultException e) {
                        System.out.println(op + ": MemoryFaultException offset " + e.offset() + " code "
                                + e.signalCode() + " | " + e.getMessage());
                    }
                }
                try {
                    System.out.println("getLong: " + pmem.getLong(2 * PAGE));
                } catch (InternalError e) {
                    System.out.println("getLong: InternalError");
                }
                pmem.putLong(64, 42);
                pmem.persist(64, 8);
                pmem.fill(PAGE - 256, 256, (byte) 3, PersistFlag.NON_TEMPORAL);
                System.out.println("still usable: " + pmem.getLong(64));
            }
        }
    }
}
