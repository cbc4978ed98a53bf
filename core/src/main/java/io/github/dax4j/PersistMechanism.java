package io.github.dax4j;

import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;
import io.github.dax4j.internal.persist.Mechanisms;

import java.util.Optional;

/**
 * How a mapping makes stores durable. Every mapping has exactly one, chosen when it is established (see
 * by the rules in {@link DaxMapping#open}) and reported by {@link DaxMapping#persistMechanism()}.
 */
public enum PersistMechanism {

    /**
     * {@code msync(MS_SYNC)} over the page-rounded range: the kernel writes back every dirty page touching it (and,
     * on a DAX file system, flushes the CPU caches for them). Correct for every file; never for device-DAX, where
     * the driver answers {@code EINVAL}.
     */
    MSYNC(Granularity.PAGE, false, "msync(MS_SYNC) over page-rounded ranges"),
    /** {@code CLWB} per 64-byte line, then {@code SFENCE}: writes back and may keep the line cached. */
    CLWB(Granularity.CACHE_LINE, true, "clwb per 64-byte line, then sfence"),
    /** {@code CLFLUSHOPT} per line, then {@code SFENCE}: writes back and evicts. */
    CLFLUSHOPT(Granularity.CACHE_LINE, true, "clflushopt per 64-byte line, then sfence"),
    /** {@code CLFLUSH} per line: writes back and evicts, ordered by itself, slowest. */
    CLFLUSH(Granularity.CACHE_LINE, true, "clflush per 64-byte line"),
    /** aarch64 {@code DC CVAP} per line, then {@code DSB ISH} (ARMv8.2 DCPoP). Not yet runnable. */
    DC_CVAP(Granularity.CACHE_LINE, true, "dc cvap per 64-byte line, then dsb ish"),
    /** aarch64 {@code DC CVAC} per line, then {@code DSB ISH}. Not yet runnable. */
    DC_CVAC(Granularity.CACHE_LINE, true, "dc cvac per 64-byte line, then dsb ish"),
    /** Only a store fence: the platform has eADR, so a store is durable once it is globally visible. */
    FENCE_ONLY(Granularity.BYTE, false, "sfence only: the CPU caches are in the persistence domain (eADR)"),
    /**
     * Nothing at all: stores are durable only if the platform makes them so by itself. For tests and for
     * benchmarks that measure the stores alone; never chosen unless asked for.
     */
    NONE(Granularity.BYTE, false, "nothing: stores are not made durable (asked for; tests and benchmarks only)"),
    /** A simulated device with ADR: flushes and fences go to a crash simulator ({@code DaxMapping.simulate}). */
    SIMULATED_CACHE_LINE(Granularity.CACHE_LINE, false, "simulated: flushes and fences observed, cache-line model"),
    /** A simulated device with eADR: stores are durable in program order once visible. */
    SIMULATED_BYTE(Granularity.BYTE, false, "simulated: stores observed, eADR model");

    private final Granularity granularity;
    private final boolean flushesCacheLines;
    private final String description;

    PersistMechanism(Granularity granularity, boolean flushesCacheLines, String description) {
        this.granularity = granularity;
        this.flushesCacheLines = flushesCacheLines;
        this.description = description;
    }

    /** {@return the granularity this mechanism makes durable} */
    public Granularity granularity() {
        return granularity;
    }

    /**
     * {@return whether this mechanism writes cache lines back with a CPU instruction} ({@code CLWB},
     * {@code CLFLUSHOPT}, {@code CLFLUSH}, {@code DC CVAP}, {@code DC CVAC}): its name, in lower case, is the
     * instruction's mnemonic
     */
    public boolean flushesCacheLines() {
        return flushesCacheLines;
    }

    /** {@return what the mechanism does, in a few words} */
    public String description() {
        return description;
    }

    /**
     * {@return the cache-line mechanism this machine uses for device-DAX and {@code MAP_SYNC} mappings without
     * eADR} The best of {@code CLWB}, {@code CLFLUSHOPT}, {@code CLFLUSH} the CPU runs; empty where dax4j cannot
     * run any (no executable memory, or not x86-64), and {@link #whyNoCpuCacheFlush()} then says why.
     */
    public static Optional<PersistMechanism> cpuCacheFlush() {
        return CpuStubs.get().flatMap(s -> FlushInstruction.best(s.features())).map(Mechanisms::of);
    }

    /** {@return why {@link #cpuCacheFlush()} is empty, or empty when it is not} */
    public static Optional<String> whyNoCpuCacheFlush() {
        return cpuCacheFlush().isPresent() ? Optional.empty()
                : Optional.of(CpuStubs.unavailableReason()
                        .orElse("the CPU offers no cache-line write-back instruction"));
    }
}
