package io.github.dax4j.internal.cpu;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The aarch64 path cannot run here: its encoding is checked word by word against values worked out from the Arm
 * Architecture Reference Manual (A64 base instructions), and its selection against feature sets.
 */
class Aarch64CodeTest {

    @Test
    void dataCacheCleanEncodings() {
        assertEquals(0xd50b7c20, Aarch64Code.dataCacheClean(FlushInstruction.DC_CVAP, 0), "dc cvap, x0");
        assertEquals(0xd50b7a20, Aarch64Code.dataCacheClean(FlushInstruction.DC_CVAC, 0), "dc cvac, x0");
        assertEquals(0xd50b7c23, Aarch64Code.dataCacheClean(FlushInstruction.DC_CVAP, 3), "dc cvap, x3");
        assertEquals(0xd5033b9f, Aarch64Code.DSB_ISH, "dsb ish");
        assertEquals(0xd65f03c0, Aarch64Code.RET, "ret");
    }

    @Test
    void theFlushLoop() {
        assertArrayEquals(new int[] {
                0xb4000102, // cbz  x2, +8
                0x8b010000, // add  x0, x0, x1
                0x8b020002, // add  x2, x0, x2
                0x927ae400, // and  x0, x0, #0xffffffffffffffc0
                0xd50b7c20, // dc   cvap, x0
                0x91010000, // add  x0, x0, #64
                0xeb02001f, // cmp  x0, x2
                0x54ffffa3, // b.lo -3
                0xd5033b9f, // dsb  ish
                0xd65f03c0, // ret
        }, Aarch64Code.flushWords(FlushInstruction.DC_CVAP, true));
        byte[] bytes = Aarch64Code.flush(FlushInstruction.DC_CVAC, false);
        assertEquals(40, bytes.length);
        assertEquals((byte) 0x02, bytes[0], "little-endian: the low byte of cbz first");
    }

    @Test
    void selectionPrefersCvapAndFallsBackToCvac() {
        assertEquals(Optional.of(FlushInstruction.DC_CVAP),
                FlushInstruction.best(CpuFeatures.fromAarch64Flags(Set.of("fp", "asimd", "dcpop"))));
        assertEquals(Optional.of(FlushInstruction.DC_CVAC),
                FlushInstruction.best(CpuFeatures.fromAarch64Flags(Set.of("fp", "asimd"))));
    }

    @Test
    void x86SelectionPrefersClwbThenClflushoptThenClflush() {
        int[] leaf1 = {0, 8 << 8, 0, 1 << 19 | 1 << 26};
        assertEquals(Optional.of(FlushInstruction.CLWB),
                FlushInstruction.best(CpuFeatures.fromCpuid(leaf1, new int[] {0, 1 << 24 | 1 << 23, 0, 0}, 0)));
        assertEquals(Optional.of(FlushInstruction.CLFLUSHOPT),
                FlushInstruction.best(CpuFeatures.fromCpuid(leaf1, new int[] {0, 1 << 23, 0, 0}, 0)));
        assertEquals(Optional.of(FlushInstruction.CLFLUSH),
                FlushInstruction.best(CpuFeatures.fromCpuid(leaf1, new int[4], 0)));
        assertEquals(Optional.empty(),
                FlushInstruction.best(CpuFeatures.fromCpuid(new int[4], new int[4], 0)));
    }
}
