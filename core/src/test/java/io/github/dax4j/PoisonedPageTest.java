package io.github.dax4j;

import io.github.dax4j.internal.posix.Libc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A poisoned page, as the kernel reports one: {@code madvise(MADV_HWPOISON)} marks a page of a mapped file as a
 * memory failure, and the next access to it gets {@code SIGBUS} with {@code BUS_MCEERR_AR}, the signal a consumed
 * media error of persistent memory raises. dax4j's non-temporal stores into that page end with a
 * {@link MemoryFaultException} that says so, the JVM's own read of it with {@link InternalError}, and the rest of
 * the mapping stays usable. In a child JVM, so that a crash fails the test instead of ending it.
 *
 * <p>Needs root and a kernel built with {@code CONFIG_MEMORY_FAILURE}: the QEMU guest's (Debian's) has it, this
 * project's host kernel does not, so the device-DAX VM run ({@code core/src/test/devdax-vm}) runs it. The page is
 * a tmpfs page of the guest, whose poison the kernel reports at the next access, as a consumed media error is
 * reported. (A poisoned device-DAX page takes the kernel's device-memory path instead, which by its code signals
 * the processes mapping the page when it is poisoned rather than when they touch it; not exercised here.)
 */
@Tag("devdax")
class PoisonedPageTest {

    private static final long PAGE = 4096;
    private static final int MADV_HWPOISON = 100;

    @Test
    void storesIntoAPoisonedPageEndInAMemoryFaultNotACrash() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/sys/vm/memory_failure_recovery")),
                "needs a kernel with CONFIG_MEMORY_FAILURE (the devdax QEMU guest's) and root");
        PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElse(null);
        assumeTrue(cpu != null, "needs dax4j's CPU code: " + PersistMechanism.whyNoCpuCacheFlush().orElse(""));
        Path file = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "dax4j-poison", ".img");
        try {
            String output = ChildJvm.run(120, Child.class, file.toString(), cpu.name());
            List<String> lines = output.lines().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(List.of(
                    "copy: MemoryFaultException offset " + 3 * PAGE + " code 4 media true",
                    "fill: MemoryFaultException offset " + 3 * PAGE + " code 4 media true",
                    "getLong: InternalError",
                    "still usable: 42"), lines.stream().map(l -> l.split(" \\| ")[0]).toList(), output);
            assertTrue(lines.getFirst().contains("SIGBUS (BUS_MCEERR_AR) at offset 12288 of the mapping of " + file
                    + " (tmpfs): the memory is poisoned (a media error)"), lines.getFirst());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Maps 16 pages with a CPU mechanism, poisons page 3, then stores into it. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            Files.delete(file);
            MapOptions options = MapOptions.ofLength(16 * PAGE).createIfAbsent().emulateMapSync()
                    .persistMechanism(PersistMechanism.valueOf(args[1])).acceptNonDurableStores();
            try (DaxMapping pmem = DaxMapping.open(file, options); Arena arena = Arena.ofConfined()) {
                pmem.fill(0, pmem.byteSize(), (byte) 1);
                Libc.madvise(pmem.segment().asSlice(3 * PAGE, PAGE), MADV_HWPOISON);
                MemorySegment source = arena.allocate(PAGE, 64);
                for (String op : List.of("copy", "fill")) {
                    try {
                        if (op.equals("copy")) {
                            pmem.copy(3 * PAGE, source, PersistFlag.NON_TEMPORAL);
                        } else {
                            pmem.fill(3 * PAGE, PAGE, (byte) 2, PersistFlag.NON_TEMPORAL);
                        }
                        System.out.println(op + ": no fault");
                    } catch (MemoryFaultException e) {
                        System.out.println(op + ": MemoryFaultException offset " + e.offset() + " code "
                                + e.signalCode() + " media " + e.isMediaError() + " | " + e.getMessage());
                    }
                }
                try {
                    System.out.println("getLong: " + pmem.getLong(3 * PAGE));
                } catch (InternalError e) {
                    System.out.println("getLong: InternalError");
                }
                pmem.putLong(64, 42);
                pmem.persist(64, 8);
                System.out.println("still usable: " + pmem.getLong(64));
            }
        }
    }
}
