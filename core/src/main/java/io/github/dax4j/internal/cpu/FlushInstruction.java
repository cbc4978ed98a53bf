package io.github.dax4j.internal.cpu;

/**
 * The instructions that write a cache line back towards memory, in the order dax4j prefers them.
 *
 * <p>x86-64: {@code CLWB} writes back and may keep the line cached; {@code CLFLUSHOPT} writes back and evicts;
 * both are weakly ordered and need an {@code SFENCE} before later stores may be taken as durable. {@code CLFLUSH}
 * evicts and is ordered with other {@code CLFLUSH}es and stores, so it needs no fence (but costs most).
 * aarch64: {@code DC CVAP} cleans to the point of persistence (ARMv8.2 DCPoP); {@code DC CVAC} cleans to the point
 * of coherency, which on most platforms is also persistent; both need a {@code DSB ISH}.
 */
public enum FlushInstruction {
    CLWB, CLFLUSHOPT, CLFLUSH, DC_CVAP, DC_CVAC;

    /**
     * {@return the best instruction the CPU offers, or none} CLWB > CLFLUSHOPT > CLFLUSH on x86-64; DC CVAP >
     * DC CVAC on aarch64.
     */
    public static java.util.Optional<FlushInstruction> best(CpuFeatures cpu) {
        for (FlushInstruction i : values()) {
            if (cpu.has(i)) {
                return java.util.Optional.of(i);
            }
        }
        return java.util.Optional.empty();
    }

    /** {@return the assembler mnemonic, e.g. {@code clwb} or {@code dc cvap}} */
    public String mnemonic() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
