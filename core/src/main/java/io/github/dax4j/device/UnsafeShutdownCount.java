package io.github.dax4j.device;

import java.util.List;

/**
 * How many times the memory behind a region may have lost stores that were persisted: the sum of the dirty (unsafe)
 * shutdown counts of the devices in its interleave set, with their identities. A device counts a shutdown as dirty
 * when it could not complete its power-loss flush (ADR or GPF failed, the energy source was spent): stores that
 * reached the persistence domain before it may be gone. libpmem2 calls this the unsafe shutdown count, PMDK checks
 * it at every pool open.
 *
 * <p>The counts come from {@code nmemX/nfit/dirty_shutdown} (NVDIMMs, ACPI NFIT) or {@code nmemX/cxl/dirty_shutdown}
 * (CXL memdevs, Linux 6.15+), the identities from {@code id} beside them. A count means something only for the same
 * devices: compare {@link #deviceIds()} before comparing {@link #count()}.
 *
 * @param deviceIds the devices of the region's interleave set in position order: NFIT DIMM ids, CXL serial numbers
 * @param count     the sum of their counts, never negative
 */
public record UnsafeShutdownCount(List<String> deviceIds, long count) {

    /** @throws IllegalArgumentException if there are no devices or the count is negative */
    public UnsafeShutdownCount {
        deviceIds = List.copyOf(deviceIds);
        if (deviceIds.isEmpty() || count < 0) {
            throw new IllegalArgumentException("an unsafe shutdown count needs devices and a count >= 0: "
                    + deviceIds + ", " + count);
        }
    }
}
