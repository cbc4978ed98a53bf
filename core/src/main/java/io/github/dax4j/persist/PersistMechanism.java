package io.github.dax4j.persist;

import io.github.dax4j.internal.cpu.FlushInstruction;

import java.util.Optional;

/**
 * How a mapping makes stores durable. Every mapping has exactly one, chosen when it is established (see
 * {@link MechanismSelector}) and reported by {@code DaxMapping.persistMechanism()}.
 */
public enum PersistMechanism {

    /**
     * {@code msync(MS_SYNC)} over the page-rounded range: the kernel writes back every dirty page touching it (and,
     * on a DAX file system, flushes the CPU caches for them). Correct for every file; never for device-DAX, where
     * the driver answers {@code EINVAL}.
     */
    MSYNC(Granularity.PAGE, null, "msync(MS_SYNC) over page-rounded ranges"),
    /** {@code CLWB} per 64-byte line, then {@code SFENCE}: writes back and may keep the line cached. */
    CLWB(Granularity.CACHE_LINE, FlushInstruction.CLWB, "clwb per 64-byte line, then sfence"),
    /** {@code CLFLUSHOPT} per line, then {@code SFENCE}: writes back and evicts. */
    CLFLUSHOPT(Granularity.CACHE_LINE, FlushInstruction.CLFLUSHOPT, "clflushopt per 64-byte line, then sfence"),
    /** {@code CLFLUSH} per line: writes back and evicts, ordered by itself, slowest. */
    CLFLUSH(Granularity.CACHE_LINE, FlushInstruction.CLFLUSH, "clflush per 64-byte line"),
    /** aarch64 {@code DC CVAP} per line, then {@code DSB ISH} (ARMv8.2 DCPoP). Not yet runnable. */
    DC_CVAP(Granularity.CACHE_LINE, FlushInstruction.DC_CVAP, "dc cvap per 64-byte line, then dsb ish"),
    /** aarch64 {@code DC CVAC} per line, then {@code DSB ISH}. Not yet runnable. */
    DC_CVAC(Granularity.CACHE_LINE, FlushInstruction.DC_CVAC, "dc cvac per 64-byte line, then dsb ish"),
    /** Only a store fence: the platform has eADR, so a store is durable once it is globally visible. */
    FENCE_ONLY(Granularity.BYTE, null, "sfence only: the CPU caches are in the persistence domain (eADR)"),
    /**
     * Nothing at all: stores are durable only if the platform makes them so by itself. For tests and for
     * benchmarks that measure the stores alone; never chosen unless asked for.
     */
    NONE(Granularity.BYTE, null, "nothing: stores are not made durable (asked for; tests and benchmarks only)"),
    /** A simulated device with ADR: flushes and fences go to a crash simulator ({@code DaxMapping.simulate}). */
    SIMULATED_CACHE_LINE(Granularity.CACHE_LINE, null, "simulated: flushes and fences observed, cache-line model"),
    /** A simulated device with eADR: stores are durable in program order once visible. */
    SIMULATED_BYTE(Granularity.BYTE, null, "simulated: stores observed, eADR model");

    private final Granularity granularity;
    private final FlushInstruction instruction;
    private final String description;

    PersistMechanism(Granularity granularity, FlushInstruction instruction, String description) {
        this.granularity = granularity;
        this.instruction = instruction;
        this.description = description;
    }

    /** {@return the granularity this mechanism makes durable} */
    public Granularity granularity() {
        return granularity;
    }

    /** {@return the cache-line instruction, for the CPU mechanisms} */
    public Optional<FlushInstruction> instruction() {
        return Optional.ofNullable(instruction);
    }

    /** {@return what the mechanism does, in a few words} */
    public String description() {
        return description;
    }

    /** {@return the CPU mechanism that uses {@code instruction}} */
    static PersistMechanism of(FlushInstruction instruction) {
        for (PersistMechanism m : values()) {
            if (m.instruction == instruction) {
                return m;
            }
        }
        throw new IllegalArgumentException(instruction.name());
    }
}
