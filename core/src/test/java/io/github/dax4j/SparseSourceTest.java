package io.github.dax4j;

import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A sparse file on a full file system: before, the first non-temporal store into an unbacked page killed the JVM
 * with {@code SIGBUS} in dax4j's own code. Now every page of a writable file mapping is backed when it is opened,
 * so such a file is refused at open with the file system's {@code ENOSPC}. Run in a child JVM, so that a regression
 * fails this test instead of killing the test JVM.
 */
class SparseSourceTest {

    private static final long SPARSE = 16L << 20;

    @Test
    void aHoleTheFileSystemCannotFillIsRefusedAtOpenNotASigbusLater() throws Exception {
        PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElse(null);
        assumeTrue(cpu != null, "needs dax4j's CPU code: " + PersistMechanism.whyNoCpuCacheFlush().orElse(""));
        try (TestMounts.Mount full = TestMounts.tmpfs("size=1m")) {
            Path file = full.directory().resolve("sparse.img");
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(SPARSE); // 16 MiB of holes on a 1 MiB file system
            }
            String output = ChildJvm.run(60, Child.class, file.toString(), cpu.name());
            assertTrue(output.contains("refused: java.nio.file.FileSystemException")
                    && output.contains("fallocate(") && output.contains("ENOSPC"), output);
            assertEquals(List.of(), NativeResources.mappingsOf(file));
        }
    }

    /** Maps the sparse file with a CPU mechanism and stores into every page with non-temporal stores. */
    public static final class Child {
        public static void main(String[] args) {
            Path file = Path.of(args[0]);
            try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().emulateMapSync()
                    .persistMechanism(PersistMechanism.valueOf(args[1])).acceptNonDurableStores())) {
                pmem.fill(0, pmem.byteSize(), (byte) 1, PersistFlag.NON_TEMPORAL);
                pmem.copy(4096, MemorySegment.ofArray(new byte[1 << 20]), PersistFlag.NON_TEMPORAL);
                System.out.println("stored into every page");
            } catch (Exception e) {
                System.out.println("refused: " + e);
            }
        }
    }
}
