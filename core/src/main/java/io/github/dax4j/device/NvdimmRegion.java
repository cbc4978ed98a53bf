package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The libnvdimm region ({@code /sys/bus/nd/devices/regionN}) behind a device-DAX instance: what decides whether
 * CPU caches are inside the persistence domain and how to flush the memory controller's write queues.
 *
 * @param name              the region's name, e.g. {@code region0}
 * @param sysfsPath         the region's directory in sysfs
 * @param persistenceDomain the content of {@code persistence_domain}: {@code cpu_cache} (eADR: stores are durable
 *                          once globally visible), {@code memory_controller} (ADR: durable once flushed from the CPU
 *                          caches), or empty where the kernel does not say (old kernels, or an unknown platform)
 * @param deepFlush         the {@code deep_flush} attribute, where the region has one: writing {@code 1} flushes
 *                          the memory controller's write-pending queues
 * @param badblocks         the {@code badblocks} attribute, listing known media errors as {@code sector count}
 */
public record NvdimmRegion(String name, Path sysfsPath, String persistenceDomain, Optional<Path> deepFlush,
                           Optional<Path> badblocks) {

    /** {@return whether the CPU caches are in the persistence domain (eADR): no cache flush is needed} */
    public boolean cachesArePersistent() {
        return persistenceDomain.equals("cpu_cache");
    }

    /**
     * Flushes the memory controller's write-pending queues of this region: writes {@code 1} to {@code deep_flush},
     * as libpmem2's {@code pmem2_deep_flush} does, where the attribute exists and does not read {@code 0} (it reads
     * 0 where the region has no flush hints, and then nothing beyond ADR is to be flushed).
     *
     * @return whether a flush was written
     * @throws IOException if the attribute cannot be read or written (writing needs root)
     */
    public boolean flushWriteQueues() throws IOException {
        if (deepFlush.isEmpty()) {
            return false;
        }
        Path attribute = deepFlush.get();
        if (Files.readString(attribute).trim().equals("0")) {
            return false;
        }
        Files.writeString(attribute, "1");
        return true;
    }
}
