package io.github.dax4j.internal.cpu;

import java.util.EnumSet;
import java.util.Set;

/**
 * What the CPU offers for making stores durable and for copying with non-temporal stores.
 *
 * @param architecture   {@code x86_64} or {@code aarch64}
 * @param flushes        the cache-line write-back instructions available
 * @param sse2           non-temporal 16-byte stores ({@code MOVNTDQ}); every x86-64 CPU has them
 * @param avx2           256-bit registers usable by this process (CPUID and {@code XGETBV} agree)
 * @param cacheLineBytes the cache line size the flush instructions work on
 */
public record CpuFeatures(String architecture, Set<FlushInstruction> flushes, boolean sse2, boolean avx2,
                          int cacheLineBytes) {

    public CpuFeatures {
        flushes = flushes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flushes));
    }

    /** {@return whether the CPU executes {@code instruction}} */
    public boolean has(FlushInstruction instruction) {
        return flushes.contains(instruction);
    }

    /**
     * {@return the features of an x86-64 CPU from its CPUID leaves} Leaf 1: EDX bit 19 CLFLUSH, bit 26 SSE2,
     * EBX bits 15..8 the CLFLUSH line size in 8-byte units, ECX bit 27 OSXSAVE. Leaf 7 subleaf 0: EBX bit 5 AVX2,
     * bit 23 CLFLUSHOPT, bit 24 CLWB. AVX2 also needs the OS to save YMM state: XCR0 bits 1 and 2.
     *
     * @param leaf1 EAX, EBX, ECX, EDX of CPUID leaf 1
     * @param leaf7 EAX, EBX, ECX, EDX of CPUID leaf 7, subleaf 0
     * @param xcr0  the low 32 bits of XCR0 ({@code XGETBV} 0), or 0 where OSXSAVE is off
     */
    public static CpuFeatures fromCpuid(int[] leaf1, int[] leaf7, long xcr0) {
        EnumSet<FlushInstruction> flushes = EnumSet.noneOf(FlushInstruction.class);
        if (bit(leaf7[1], 24)) flushes.add(FlushInstruction.CLWB);
        if (bit(leaf7[1], 23)) flushes.add(FlushInstruction.CLFLUSHOPT);
        if (bit(leaf1[3], 19)) flushes.add(FlushInstruction.CLFLUSH);
        boolean osSavesYmm = bit(leaf1[2], 27) && (xcr0 & 0b110) == 0b110;
        int line = ((leaf1[1] >>> 8) & 0xff) * 8;
        return new CpuFeatures("x86_64", flushes, bit(leaf1[3], 26), osSavesYmm && bit(leaf7[1], 5),
                line == 0 ? 64 : line);
    }

    /**
     * {@return the features of an aarch64 CPU from the {@code Features} line of {@code /proc/cpuinfo}}:
     * {@code dcpop} means DC CVAP. DC CVAC exists on every ARMv8 CPU.
     */
    public static CpuFeatures fromAarch64Flags(Set<String> flags) {
        EnumSet<FlushInstruction> flushes = EnumSet.of(FlushInstruction.DC_CVAC);
        if (flags.contains("dcpop")) {
            flushes.add(FlushInstruction.DC_CVAP);
        }
        return new CpuFeatures("aarch64", flushes, false, false, 64);
    }

    private static boolean bit(int register, int bit) {
        return (register >>> bit & 1) != 0;
    }
}
