package io.github.dax4j.internal.posix;


import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileSystemException;

/**
 * Turns machine code into callable method handles: the one place where dax4j makes memory executable.
 *
 * <p>Invariants: code is copied into a fresh anonymous page while it is writable, and the page is then made
 * read+execute; no page is ever writable and executable at once (W^X). Installed code stays for the life of the
 * process (a few pages in all). Where policy forbids executable memory (SELinux {@code execmem}, PaX), {@link
 * #install} fails with the {@code mprotect} errno and callers fall back to a mechanism that needs none.
 */
@SuppressWarnings("restricted") // this package is where dax4j's restricted FFM calls live, on purpose and alone
public final class ExecutableMemory {

    private static final Linker LINKER = Linker.nativeLinker();

    private ExecutableMemory() {
    }

    /**
     * {@return the address of a read+execute copy of {@code code}, as a zero-length segment}
     *
     * @throws ErrnoException if the page cannot be mapped or made executable; nothing stays mapped
     */
    public static MemorySegment install(byte[] code) throws FileSystemException {
        long length = (code.length + Libc.pageSize() - 1) & -Libc.pageSize();
        long address = Libc.mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0, "(code page)");
        try {
            MemorySegment page = MemorySegment.ofAddress(address).reinterpret(length);
            MemorySegment.copy(MemorySegment.ofArray(code), 0, page, 0, code.length);
            Libc.mprotect(address, length, Libc.PROT_READ | Libc.PROT_EXEC);
            return MemorySegment.ofAddress(address);
        } catch (FileSystemException | RuntimeException | Error e) {
            try {
                Libc.munmap(address, length);
            } catch (FileSystemException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * {@return a handle calling the function at {@code function} with the C calling convention, as a critical
     * call} Critical ({@code Linker.Option.critical}): the code is short, never blocks and never calls back, so the
     * JVM skips the thread-state transition. With {@code heapAccess}, arguments may be heap segments (the GC waits
     * for the call), which the non-temporal copy needs for sources in Java arrays.
     */
    public static MethodHandle link(MemorySegment function, FunctionDescriptor descriptor, boolean heapAccess) {
        return LINKER.downcallHandle(function, descriptor, Linker.Option.critical(heapAccess));
    }
}
