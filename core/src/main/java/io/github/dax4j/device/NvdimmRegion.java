package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The libnvdimm region ({@code /sys/bus/nd/devices/regionN}) behind a persistent device-DAX instance, an NVDIMM's or
 * a persistent CXL region's (which registers with libnvdimm too): its persistence domain, how to flush the memory
 * controller's write queues, and where its known media errors are.
 *
 * @param name              the region's name, e.g. {@code region0}
 * @param sysfsPath         the region's directory in sysfs
 * @param persistenceDomain what {@code persistence_domain} says: {@code cpu_cache} (eADR: stores are durable once
 *                          globally visible), {@code memory_controller} (ADR, or GPF on CXL: durable once flushed
 *                          from the CPU caches), {@link PersistenceDomain#UNKNOWN} where the kernel says nothing
 *                          (old kernels, or an unknown platform)
 * @param deepFlush         the {@code deep_flush} attribute, where the region has one: writing {@code 1} flushes
 *                          the memory controller's write-pending queues
 * @param badblocks         the {@code badblocks} attribute, listing known media errors as {@code sector count}
 */
public record NvdimmRegion(String name, Path sysfsPath, PersistenceDomain persistenceDomain,
                           Optional<Path> deepFlush, Optional<Path> badblocks) {

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
