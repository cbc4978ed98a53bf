package io.github.dax4j.device;

/**
 * How far a store must travel to survive a power loss, for the memory behind a device or a mapping: what decides
 * which durability mechanism is the cheapest correct one.
 *
 * <p>The kernel says it per libnvdimm region, in {@code persistence_domain}; every persistent region, NVDIMM or
 * CXL, has one. Volatile memory has no libnvdimm region, and dax4j calls it {@link #NONE} only on positive
 * evidence: a CXL region in {@code ram} mode, an {@code hmem} platform device (EFI specific-purpose memory), a
 * tmpfs, hugetlbfs or ramfs file. Device-DAX with neither a region nor such evidence is {@link #UNKNOWN}.
 *
 * <table class="striped">
 *   <caption>Domains, where they come from, and what a persist costs</caption>
 *   <thead><tr><th>domain</th><th>reported as</th><th>a store is durable once</th><th>mechanism</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@link #CPU_CACHE}</td><td>{@code cpu_cache} (eADR)</td><td>globally visible</td>
 *         <td>{@code FENCE_ONLY}</td></tr>
 *     <tr><td>{@link #MEMORY_CONTROLLER}</td><td>{@code memory_controller} (ADR; on CXL, GPF)</td>
 *         <td>written back from the CPU caches</td><td>CLWB &gt; CLFLUSHOPT &gt; CLFLUSH</td></tr>
 *     <tr><td>{@link #UNKNOWN}</td><td>empty; no region, and nothing says volatile</td><td>as
 *         {@code MEMORY_CONTROLLER}, at best</td><td>CLWB &gt; CLFLUSHOPT &gt; CLFLUSH</td></tr>
 *     <tr><td>{@link #NONE}</td><td>a CXL {@code ram} region, {@code hmem}, a file in RAM</td><td>never</td>
 *         <td>none: device-DAX refuses persists (see {@code DaxMapping.persist})</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>There is no separate value for CXL's Global Persistent Flush: Linux reports every persistent CXL region as
 * {@code memory_controller}, the domain GPF provides (on power loss the host drains its write queues to the
 * device, and the device its buffers to media), and no kernel attribute says whether GPF is armed; a separate
 * value would claim what dax4j cannot read.
 */
public enum PersistenceDomain {

    /** The CPU caches are flushed on power loss (eADR): a store is durable once it is globally visible. */
    CPU_CACHE,

    /**
     * The memory controller's write queues are drained on power loss (ADR; on CXL, GPF): a store is durable once
     * written back from the CPU caches.
     */
    MEMORY_CONTROLLER,

    /**
     * Volatile memory: nothing survives power loss, however it is flushed. Device-DAX instances over CXL RAM or
     * {@code hmem}, and files in RAM (tmpfs, hugetlbfs, ramfs).
     */
    NONE,

    /**
     * Memory whose domain the kernel does not report: an empty {@code persistence_domain} (old kernels or
     * platforms), a device-DAX instance with no region and no sign of volatility, or a file whose block device dax4j
     * cannot trace to a region. Flushed as {@link #MEMORY_CONTROLLER}, the weaker assumption that is still
     * correct if the memory persists.
     */
    UNKNOWN;

    /** {@return the domain a libnvdimm region's {@code persistence_domain} attribute names} */
    static PersistenceDomain ofAttribute(String value) {
        return switch (value) {
            case "cpu_cache" -> CPU_CACHE;
            case "memory_controller" -> MEMORY_CONTROLLER;
            default -> UNKNOWN;
        };
    }

    /** {@return the name the kernel gives the domain, {@code none} or {@code unknown} for the others} */
    public String attributeName() {
        return switch (this) {
            case CPU_CACHE -> "cpu_cache";
            case MEMORY_CONTROLLER -> "memory_controller";
            case NONE -> "none";
            case UNKNOWN -> "unknown";
        };
    }
}
