package io.github.dax4j.internal.cpu;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates machine code, with forward and backward 8-bit relative jumps resolved by label. Just enough to write
 * small loops by hand without counting bytes: each instruction is still emitted as its literal bytes, next to its
 * mnemonic, by the caller.
 */
final class CodeBuffer {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<int[]> fixups = new ArrayList<>(); // {position of the offset, label, its size: 1 or 4}
    private final List<Integer> labels = new ArrayList<>();

    /** Appends literal instruction bytes. */
    CodeBuffer emit(int... instruction) {
        for (int b : instruction) {
            bytes.write(b);
        }
        return this;
    }

    /** Appends a 64-bit immediate, little-endian (the operand of {@code mov r64, imm64}). */
    CodeBuffer emitLong(long value) {
        for (int i = 0; i < 8; i++) {
            bytes.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    /** {@return how many bytes are emitted so far} */
    int size() {
        return bytes.size();
    }

    /** {@return a new label, not yet bound to a position} */
    int newLabel() {
        labels.add(-1);
        return labels.size() - 1;
    }

    /** Binds {@code label} to the current position. */
    CodeBuffer bind(int label) {
        labels.set(label, bytes.size());
        return this;
    }

    /** Appends a short jump: the one-byte {@code opcode} (e.g. {@code 0x72} jb) and an 8-bit offset to {@code label}. */
    CodeBuffer jump(int opcode, int label) {
        bytes.write(opcode);
        fixups.add(new int[] {bytes.size(), label, 1});
        bytes.write(0);
        return this;
    }

    /**
     * Appends a near jump: the opcode bytes (e.g. {@code 0x0f, 0x82} jb, {@code 0xe9} jmp) and a 32-bit offset to
     * {@code label}.
     */
    CodeBuffer jumpNear(int label, int... opcode) {
        emit(opcode);
        fixups.add(new int[] {bytes.size(), label, 4});
        emit(0, 0, 0, 0);
        return this;
    }

    /**
     * {@return the finished code}
     *
     * @throws IllegalStateException if a label is unbound or a jump does not fit in 8 bits
     */
    byte[] toByteArray() {
        byte[] code = bytes.toByteArray();
        for (int[] fixup : fixups) {
            int target = labels.get(fixup[1]);
            if (target < 0) {
                throw new IllegalStateException("unbound label " + fixup[1]);
            }
            int size = fixup[2];
            int offset = target - (fixup[0] + size); // relative to the end of the jump
            if (size == 1 && (offset < Byte.MIN_VALUE || offset > Byte.MAX_VALUE)) {
                throw new IllegalStateException("jump offset " + offset + " does not fit in 8 bits");
            }
            for (int i = 0; i < size; i++) {
                code[fixup[0] + i] = (byte) (offset >> (8 * i));
            }
        }
        return code;
    }
}
