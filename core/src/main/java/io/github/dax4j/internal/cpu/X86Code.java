package io.github.dax4j.internal.cpu;

/**
 * The x86-64 machine code dax4j runs: CPUID, XGETBV, cache-line flush loops, a store fence, and non-temporal copy
 * and fill loops. System V calling convention: arguments in {@code rdi, rsi, rdx, rcx, r8}, result in {@code rax};
 * {@code rbx} is callee-saved, every {@code xmm} register caller-saved.
 *
 * <p>Every stub that touches memory returns a fault word in {@code rax}: 0 when it ran to the end. If it faults
 * ({@code SIGBUS}: a truncated file, a page the file system cannot back, a poisoned line), the {@linkplain
 * #faultHandler fault handler} resumes it at the {@linkplain #faultExit fault exit} with the faulting address in bits
 * 0-55 of {@code rax} and the signal's {@code si_code} in bits 56-63. The stubs use no stack, so returning from the
 * middle of any of them is a plain {@code ret}.
 *
 * <p>Each instruction is written as its bytes with its mnemonic beside it; {@code X86CodeTest} executes every stub
 * on real memory.
 */
final class X86Code {

    private static final int JZ = 0x74;
    private static final int JNZ = 0x75;
    private static final int JB = 0x72;

    private X86Code() {
    }

    /** {@code void cpuid(int leaf, int subleaf, int out[4])}: EAX, EBX, ECX, EDX into {@code out}. */
    static byte[] cpuid() {
        return new CodeBuffer()
                .emit(0x53)                     // push rbx
                .emit(0x49, 0x89, 0xd0)         // mov  r8, rdx          ; out, since cpuid overwrites rdx
                .emit(0x89, 0xf8)               // mov  eax, edi         ; leaf
                .emit(0x89, 0xf1)               // mov  ecx, esi         ; subleaf
                .emit(0x0f, 0xa2)               // cpuid
                .emit(0x41, 0x89, 0x00)         // mov  [r8], eax
                .emit(0x41, 0x89, 0x58, 0x04)   // mov  [r8+4], ebx
                .emit(0x41, 0x89, 0x48, 0x08)   // mov  [r8+8], ecx
                .emit(0x41, 0x89, 0x50, 0x0c)   // mov  [r8+12], edx
                .emit(0x5b)                     // pop  rbx
                .emit(0xc3)                     // ret
                .toByteArray();
    }

    /** {@code long xgetbv(int register)}: EDX:EAX of {@code XGETBV}. Only valid where CPUID says OSXSAVE. */
    static byte[] xgetbv() {
        return new CodeBuffer()
                .emit(0x89, 0xf9)               // mov  ecx, edi
                .emit(0x0f, 0x01, 0xd0)         // xgetbv                ; edx:eax = XCR[ecx]
                .emit(0x48, 0xc1, 0xe2, 0x20)   // shl  rdx, 32
                .emit(0x48, 0x09, 0xd0)         // or   rax, rdx
                .emit(0xc3)                     // ret
                .toByteArray();
    }

    /**
     * {@code long flush(void *base, size_t offset, size_t length)}: writes back every 64-byte line overlapping
     * {@code [base + offset, base + offset + length)}, each exactly once; nothing for length 0. With {@code fence},
     * an {@code SFENCE} follows (persist), except after CLFLUSH, which is ordered by itself.
     */
    static byte[] flush(FlushInstruction instruction, boolean fence) {
        int[] body = switch (instruction) {
            case CLWB -> new int[] {0x66, 0x0f, 0xae, 0x37};       // clwb       [rdi]
            case CLFLUSHOPT -> new int[] {0x66, 0x0f, 0xae, 0x3f}; // clflushopt [rdi]
            case CLFLUSH -> new int[] {0x0f, 0xae, 0x3f};          // clflush    [rdi]
            case DC_CVAP, DC_CVAC -> throw new IllegalArgumentException(instruction + " is an aarch64 instruction");
        };
        return lineLoop(body, fence && instruction != FlushInstruction.CLFLUSH ? SFENCE : NO_FENCE);
    }

    /**
     * {@code long evict(void *base, size_t offset, size_t length)}: writes back and invalidates every 64-byte line
     * overlapping the range with {@code CLFLUSHOPT} or {@code CLFLUSH}, then {@code MFENCE}. The MFENCE, not an
     * SFENCE, because the point is the loads that follow: no later load runs before the invalidations have
     * completed, so it reads memory, not a copy this CPU cached before (SFENCE orders stores only, and CLFLUSH
     * alone is not ordered with later loads).
     */
    static byte[] evict(FlushInstruction instruction) {
        int[] body = switch (instruction) {
            case CLFLUSHOPT -> new int[] {0x66, 0x0f, 0xae, 0x3f}; // clflushopt [rdi]
            case CLFLUSH -> new int[] {0x0f, 0xae, 0x3f};          // clflush    [rdi]
            default -> throw new IllegalArgumentException(instruction + " does not invalidate the line");
        };
        return lineLoop(body, MFENCE);
    }

    private static final int[] NO_FENCE = {}, SFENCE = {0x0f, 0xae, 0xf8}, MFENCE = {0x0f, 0xae, 0xf0};

    /**
     * {@code long lines(void *base, size_t offset, size_t length, void **out)}: the flush loop with its body
     * replaced by a store of the line address to {@code out} (the fourth argument, {@code rcx}): lets the tests
     * see exactly which lines the loop visits.
     */
    static byte[] recordingLineLoop() {
        return lineLoop(new int[] {
                0x48, 0x89, 0x39,                // mov  [rcx], rdi
                0x48, 0x83, 0xc1, 0x08}, NO_FENCE); // add  rcx, 8
    }

    /**
     * The loop over every 64-byte line of the range, with {@code body} run once per line with its address in rdi,
     * then {@code fence} (also for an empty range).
     */
    private static byte[] lineLoop(int[] body, int[] fence) {
        CodeBuffer code = new CodeBuffer();
        int loop = code.newLabel();
        int done = code.newLabel();
        code.emit(0x48, 0x85, 0xd2)             // test rdx, rdx
                .jump(JZ, done)                 // jz   done
                .emit(0x48, 0x01, 0xf7)         // add  rdi, rsi         ; start = base + offset
                .emit(0x48, 0x8d, 0x04, 0x17)   // lea  rax, [rdi+rdx]   ; end = start + length
                .emit(0x48, 0x83, 0xe7, 0xc0)   // and  rdi, -64         ; first line
                .bind(loop)
                .emit(body)                     // (flush or record the line at rdi)
                .emit(0x48, 0x83, 0xc7, 0x40)   // add  rdi, 64
                .emit(0x48, 0x39, 0xc7)         // cmp  rdi, rax
                .jump(JB, loop)                 // jb   loop
                .bind(done);
        return code.emit(fence)                 // (sfence, mfence or nothing)
                .emit(0x31, 0xc0)            // xor  eax, eax         ; 0: no fault
                .emit(0xc3)                     // ret
                .toByteArray();
    }

    /**
     * The exit a faulting stub is resumed at: {@code rax} is already the fault word. With {@code avx}, clears the
     * upper halves of the vector registers first, as the AVX2 copy does on its normal exit.
     */
    static byte[] faultExit(boolean avx) {
        CodeBuffer code = new CodeBuffer();
        if (avx) {
            code.emit(0xc5, 0xf8, 0x77);        // vzeroupper
        }
        return code.emit(0xc3)                  // ret
                .toByteArray();
    }

    /**
     * {@code void handler(int signal, siginfo_t *info, ucontext_t *context)}, the {@code SIGBUS} action: when the
     * interrupted instruction lies in {@code [codeStart, codeEnd)} and the signal is a fault of that very access
     * ({@code si_code} 1 to 4: {@code BUS_ADRALN}, {@code BUS_ADRERR}, {@code BUS_OBJERR}, {@code BUS_MCEERR_AR}), it
     * sets the interrupted {@code rax} to the fault word and its {@code rip} to {@code faultExit}, and returns, so
     * the stub returns to Java. Any other {@code SIGBUS} it passes, with its three arguments untouched, to
     * {@code chained} (the JVM's handler, which turns faults of its own accesses into {@code InternalError}): one
     * sent by a process ({@code si_code <= 0}), and the kernel's asynchronous warning of a poisoned page
     * ({@code BUS_MCEERR_AO}, 5), which may arrive while a stub runs but is no fault of its access.
     * It touches only {@code rax}, {@code r8} and {@code r9}, which the C convention lets a callee clobber.
     *
     * <p>Offsets are Linux x86-64's: {@code si_code} at 8 and {@code si_addr} at 16 of {@code siginfo_t};
     * {@code uc_mcontext.gregs} at 40 of {@code ucontext_t}, {@code REG_RAX} its 13th and {@code REG_RIP} its 16th
     * register (0x90 and 0xa8).
     */
    static byte[] faultHandler(long codeStart, long codeEnd, long faultExit, long chained) {
        CodeBuffer code = new CodeBuffer();
        int chain = code.newLabel();
        return code
                .emit(0x48, 0x8b, 0x82, 0xa8, 0, 0, 0)  // mov  rax, [rdx+0xa8]    ; the interrupted rip
                .emit(0x49, 0xb8).emitLong(codeStart)   // mov  r8, codeStart
                .emit(0x4c, 0x39, 0xc0)                 // cmp  rax, r8
                .jump(JB, chain)                        // jb   chain
                .emit(0x49, 0xb8).emitLong(codeEnd)     // mov  r8, codeEnd
                .emit(0x4c, 0x39, 0xc0)                 // cmp  rax, r8
                .jump(0x73, chain)                      // jae  chain
                .emit(0x44, 0x8b, 0x46, 0x08)           // mov  r8d, [rsi+8]       ; si_code
                .emit(0x41, 0xff, 0xc8)                 // dec  r8d
                .emit(0x41, 0x83, 0xf8, 0x03)           // cmp  r8d, 3
                .jump(0x77, chain)                      // ja   chain              ; unless 1 <= si_code <= 4
                .emit(0x4c, 0x8b, 0x4e, 0x10)           // mov  r9, [rsi+16]       ; si_addr
                .emit(0x44, 0x8b, 0x46, 0x08)           // mov  r8d, [rsi+8]       ; si_code
                .emit(0x49, 0xc1, 0xe0, 0x38)           // shl  r8, 56
                .emit(0x4d, 0x09, 0xc1)                 // or   r9, r8             ; the fault word
                .emit(0x4c, 0x89, 0x8a, 0x90, 0, 0, 0)  // mov  [rdx+0x90], r9     ; interrupted rax
                .emit(0x49, 0xb8).emitLong(faultExit)   // mov  r8, faultExit
                .emit(0x4c, 0x89, 0x82, 0xa8, 0, 0, 0)  // mov  [rdx+0xa8], r8     ; interrupted rip
                .emit(0xc3)                             // ret                     ; sigreturn resumes there
                .bind(chain)
                .emit(0x48, 0xb8).emitLong(chained)     // mov  rax, chained
                .emit(0xff, 0xe0)                       // jmp  rax
                .toByteArray();
    }

    /** {@code void sfence(void)}: orders every earlier flush and non-temporal store before every later store. */
    static byte[] sfence() {
        return new CodeBuffer()
                .emit(0x0f, 0xae, 0xf8)         // sfence
                .emit(0xc3)                     // ret
                .toByteArray();
    }

    /**
     * {@code long copy_nt(void *dst, size_t dst_offset, void *src, size_t src_offset, size_t length)}: copies with
     * 16-byte non-temporal stores that bypass the caches. The destination must be 64-byte aligned and the length a
     * multiple of 64; the source may be anywhere. No fence: the caller drains.
     */
    static byte[] copyNonTemporal() {
        return copyNonTemporal(false);
    }

    /** {@link #copyNonTemporal()}, ending with an {@code SFENCE} when {@code fence}: copy and drain in one call. */
    static byte[] copyNonTemporal(boolean fence) {
        CodeBuffer code = new CodeBuffer();
        int loop = code.newLabel();
        int done = code.newLabel();
        return code
                .emit(0x48, 0x01, 0xf7)         // add  rdi, rsi         ; dst += dst_offset
                .emit(0x48, 0x8d, 0x34, 0x0a)   // lea  rsi, [rdx+rcx]   ; src += src_offset
                .emit(0x4c, 0x89, 0xc2)         // mov  rdx, r8          ; length
                .emit(0x48, 0x85, 0xd2)         // test rdx, rdx
                .jump(JZ, done)                 // jz   done
                .bind(loop)
                .emit(0xf3, 0x0f, 0x6f, 0x06)         // movdqu  xmm0, [rsi]
                .emit(0xf3, 0x0f, 0x6f, 0x4e, 0x10)   // movdqu  xmm1, [rsi+16]
                .emit(0xf3, 0x0f, 0x6f, 0x56, 0x20)   // movdqu  xmm2, [rsi+32]
                .emit(0xf3, 0x0f, 0x6f, 0x5e, 0x30)   // movdqu  xmm3, [rsi+48]
                .emit(0x66, 0x0f, 0xe7, 0x07)         // movntdq [rdi], xmm0
                .emit(0x66, 0x0f, 0xe7, 0x4f, 0x10)   // movntdq [rdi+16], xmm1
                .emit(0x66, 0x0f, 0xe7, 0x57, 0x20)   // movntdq [rdi+32], xmm2
                .emit(0x66, 0x0f, 0xe7, 0x5f, 0x30)   // movntdq [rdi+48], xmm3
                .emit(0x48, 0x83, 0xc6, 0x40)   // add  rsi, 64
                .emit(0x48, 0x83, 0xc7, 0x40)   // add  rdi, 64
                .emit(0x48, 0x83, 0xea, 0x40)   // sub  rdx, 64
                .jump(JNZ, loop)                // jnz  loop
                .bind(done)
                .emit(fence ? new int[] {0x0f, 0xae, 0xf8} : new int[0]) // sfence (when fused with the drain)
                .emit(0x31, 0xc0)               // xor  eax, eax         ; 0: no fault
                .emit(0xc3)                     // ret
                .toByteArray();
    }

    /**
     * {@link #copyNonTemporal()} with 32-byte AVX2 registers: two unaligned loads and two non-temporal stores per
     * line, four lines per round while at least 256 bytes remain. Same contract; needs AVX2 enabled by the OS.
     */
    static byte[] copyNonTemporalAvx2() {
        return copyNonTemporalAvx2(false);
    }

    /** {@link #copyNonTemporalAvx2()}, ending with an {@code SFENCE} when {@code fence}. */
    static byte[] copyNonTemporalAvx2(boolean fence) {
        CodeBuffer code = new CodeBuffer();
        int quad = code.newLabel();
        int single = code.newLabel();
        int done = code.newLabel();
        code.emit(0x48, 0x01, 0xf7)             // add  rdi, rsi         ; dst += dst_offset
                .emit(0x48, 0x8d, 0x34, 0x0a)   // lea  rsi, [rdx+rcx]   ; src += src_offset
                .emit(0x4c, 0x89, 0xc2)         // mov  rdx, r8          ; length
                .bind(quad)
                .emit(0x48, 0x81, 0xfa, 0x00, 0x01, 0x00, 0x00) // cmp rdx, 256
                .jumpNear(single, 0x0f, 0x82);                  // jb  single (near)
        for (int line = 0; line < 4; line++) {
            int at = line * 64;
            code.emit(0xc5, 0xfe, 0x6f, 0x86, at, 0, 0, 0)      // vmovdqu  ymm0, [rsi+at]
                    .emit(0xc5, 0xfe, 0x6f, 0x8e, at + 32, 0, 0, 0); // vmovdqu  ymm1, [rsi+at+32]
            code.emit(0xc5, 0xfd, 0xe7, 0x87, at, 0, 0, 0)      // vmovntdq [rdi+at], ymm0
                    .emit(0xc5, 0xfd, 0xe7, 0x8f, at + 32, 0, 0, 0); // vmovntdq [rdi+at+32], ymm1
        }
        code.emit(0x48, 0x81, 0xc6, 0x00, 0x01, 0x00, 0x00)     // add  rsi, 256
                .emit(0x48, 0x81, 0xc7, 0x00, 0x01, 0x00, 0x00) // add  rdi, 256
                .emit(0x48, 0x81, 0xea, 0x00, 0x01, 0x00, 0x00) // sub  rdx, 256
                .jumpNear(quad, 0xe9)                           // jmp  quad (near)
                .bind(single)
                .emit(0x48, 0x85, 0xd2)                         // test rdx, rdx
                .jump(JZ, done)                                 // jz   done
                .emit(0xc5, 0xfe, 0x6f, 0x06)                   // vmovdqu  ymm0, [rsi]
                .emit(0xc5, 0xfe, 0x6f, 0x4e, 0x20)             // vmovdqu  ymm1, [rsi+32]
                .emit(0xc5, 0xfd, 0xe7, 0x07)                   // vmovntdq [rdi], ymm0
                .emit(0xc5, 0xfd, 0xe7, 0x4f, 0x20)             // vmovntdq [rdi+32], ymm1
                .emit(0x48, 0x83, 0xc6, 0x40)                   // add  rsi, 64
                .emit(0x48, 0x83, 0xc7, 0x40)                   // add  rdi, 64
                .emit(0x48, 0x83, 0xea, 0x40)                   // sub  rdx, 64
                .jump(0xeb, single)                             // jmp  single
                .bind(done)
                .emit(fence ? new int[] {0x0f, 0xae, 0xf8} : new int[0]) // sfence (when fused with the drain)
                .emit(0x31, 0xc0)                               // xor  eax, eax    ; 0: no fault
                .emit(0xc5, 0xf8, 0x77)                         // vzeroupper
                .emit(0xc3);                                    // ret
        return code.toByteArray();
    }

    /**
     * {@code long fill_nt(void *dst, size_t dst_offset, uint64_t pattern, size_t length)}: fills with the 8-byte
     * {@code pattern} using 16-byte non-temporal stores. Same contract as {@link #copyNonTemporal()}.
     */
    static byte[] fillNonTemporal() {
        CodeBuffer code = new CodeBuffer();
        int loop = code.newLabel();
        int done = code.newLabel();
        return code
                .emit(0x48, 0x01, 0xf7)               // add  rdi, rsi
                .emit(0x66, 0x48, 0x0f, 0x6e, 0xc2)   // movq xmm0, rdx
                .emit(0x66, 0x0f, 0x6c, 0xc0)         // punpcklqdq xmm0, xmm0   ; pattern in both halves
                .emit(0x48, 0x85, 0xc9)               // test rcx, rcx
                .jump(JZ, done)                       // jz   done
                .bind(loop)
                .emit(0x66, 0x0f, 0xe7, 0x07)         // movntdq [rdi], xmm0
                .emit(0x66, 0x0f, 0xe7, 0x47, 0x10)   // movntdq [rdi+16], xmm0
                .emit(0x66, 0x0f, 0xe7, 0x47, 0x20)   // movntdq [rdi+32], xmm0
                .emit(0x66, 0x0f, 0xe7, 0x47, 0x30)   // movntdq [rdi+48], xmm0
                .emit(0x48, 0x83, 0xc7, 0x40)         // add  rdi, 64
                .emit(0x48, 0x83, 0xe9, 0x40)         // sub  rcx, 64
                .jump(JNZ, loop)                      // jnz  loop
                .bind(done)
                .emit(0x31, 0xc0)                     // xor  eax, eax   ; 0: no fault
                .emit(0xc3)                           // ret
                .toByteArray();
    }
}
