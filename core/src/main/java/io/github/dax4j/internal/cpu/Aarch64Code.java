package io.github.dax4j.internal.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The aarch64 flush loop, for the day dax4j runs there: {@code DC CVAP} (or {@code DC CVAC}) over every 64-byte
 * line of the range, then {@code DSB ISH}. It cannot run on this project's x86-64 machines, so
 * {@code Aarch64CodeTest} checks the encoding word by word against the Arm Architecture Reference Manual.
 *
 * <p>{@code void flush(void *base, size_t offset, size_t length)}: arguments in {@code x0, x1, x2} (AAPCS64).
 */
final class Aarch64Code {

    static final int RET = 0xd65f03c0;
    static final int DSB_ISH = 0xd5033b9f;

    private Aarch64Code() {
    }

    /** {@code DC <op>, Xt}: SYS #3, C7, Cm, #1, Xt with CRm 12 for CVAP, 10 for CVAC. */
    static int dataCacheClean(FlushInstruction instruction, int register) {
        int crm = switch (instruction) {
            case DC_CVAP -> 12;
            case DC_CVAC -> 10;
            case CLWB, CLFLUSHOPT, CLFLUSH -> throw new IllegalArgumentException(instruction + " is x86-64");
        };
        return 0xd5080000 | 3 << 16 | 7 << 12 | crm << 8 | 1 << 5 | register;
    }

    /** The words of the flush loop, with a {@code DSB ISH} at the end when {@code fence} (persist). */
    static int[] flushWords(FlushInstruction instruction, boolean fence) {
        return new int[] {
                0xb4000002 | 8 << 5,               // cbz  x2, done              ; nothing to flush (done = +8)
                0x8b010000,                        // add  x0, x0, x1            ; start = base + offset
                0x8b020002,                        // add  x2, x0, x2            ; end = start + length
                0x927ae400,                        // and  x0, x0, #~63          ; first line
                dataCacheClean(instruction, 0),    // loop: dc cvap|cvac, x0
                0x91010000,                        // add  x0, x0, #64
                0xeb02001f,                        // cmp  x0, x2
                0x54ffffa3,                        // b.lo loop                  ; -3 instructions
                fence ? DSB_ISH : 0xd503201f,      // done: dsb ish | nop
                RET,                               // ret
        };
    }

    /** {@return the loop as little-endian bytes, ready to install on an aarch64 machine} */
    static byte[] flush(FlushInstruction instruction, boolean fence) {
        int[] words = flushWords(instruction, fence);
        ByteBuffer bytes = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int word : words) {
            bytes.putInt(word);
        }
        return bytes.array();
    }
}
