package io.github.dax4j.hostile;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.PersistFlag;
import io.github.dax4j.PersistMechanism;

import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * The child JVM of the campaign's cases that need a fresh JVM (system properties are read once) or could take one
 * down. Prints {@code outcome <kind>\t<message>} and exits normally; a JVM that dies prints no outcome.
 */
public final class CampaignChild {

    private CampaignChild() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        try {
            switch (args[0]) {
                case "open" -> {
                    DaxMapping.open(file, MapOptions.wholeSource().emulateMapSync()).close();
                }
                case "truncated" -> {
                    // dax4j's own stubs store into a page the file no longer has: SIGBUS, caught by dax4j's handler
                    PersistMechanism cpu = PersistMechanism.cpuCacheFlush().orElseThrow(() ->
                            new IllegalStateException("no CPU cache flush: " + PersistMechanism.whyNoCpuCacheFlush()));
                    try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().emulateMapSync()
                            .persistMechanism(cpu).acceptNonDurableStores());
                         RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.setLength(0);
                        pmem.fill(0, pmem.byteSize(), (byte) 1, PersistFlag.NON_TEMPORAL);
                    }
                }
                case "truncated-crc" -> {
                    // the JVM's own access: a CRC over a page the file no longer has must fail, not crash the JVM
                    try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().emulateMapSync());
                         RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.setLength(0);
                        pmem.crc32cMatches(0, pmem.byteSize(), 0);
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("outcome returns\t");
        } catch (Throwable t) {
            System.out.println("outcome " + t.getClass().getSimpleName() + "\t" + t.getMessage());
        }
    }
}
