package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.cpu.FlushInstruction;

import java.util.Optional;

/** The link between the public {@link PersistMechanism}s and the instructions that implement them. */
public final class Mechanisms {

    private Mechanisms() {
    }

    /** {@return the cache-line instruction of a CPU mechanism, or empty for the others} */
    public static Optional<FlushInstruction> instruction(PersistMechanism mechanism) {
        return Optional.ofNullable(switch (mechanism) {
            case CLWB -> FlushInstruction.CLWB;
            case CLFLUSHOPT -> FlushInstruction.CLFLUSHOPT;
            case CLFLUSH -> FlushInstruction.CLFLUSH;
            case DC_CVAP -> FlushInstruction.DC_CVAP;
            case DC_CVAC -> FlushInstruction.DC_CVAC;
            case MSYNC, FENCE_ONLY, NONE, SIMULATED_CACHE_LINE, SIMULATED_BYTE -> null;
        });
    }

    /** {@return the CPU mechanism that uses {@code instruction}} */
    public static PersistMechanism of(FlushInstruction instruction) {
        return switch (instruction) {
            case CLWB -> PersistMechanism.CLWB;
            case CLFLUSHOPT -> PersistMechanism.CLFLUSHOPT;
            case CLFLUSH -> PersistMechanism.CLFLUSH;
            case DC_CVAP -> PersistMechanism.DC_CVAP;
            case DC_CVAC -> PersistMechanism.DC_CVAC;
        };
    }
}
