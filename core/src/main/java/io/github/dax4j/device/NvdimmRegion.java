package io.github.dax4j.device;

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
}
