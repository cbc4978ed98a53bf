package io.github.dax4j;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The memory under a mapping failed while dax4j's own code was storing to or flushing it: the kernel raised
 * {@code SIGBUS}, and dax4j's handler stopped the store or flush at the faulting access and returned here instead of
 * letting the signal kill the JVM.
 *
 * <p>Causes, by {@link #signalCode()}: {@code BUS_ADRERR} (2), the page is no longer backed (the file was truncated
 * under the mapping by another process, or is a hole its file system could not fill); {@code BUS_MCEERR_AR} (4), a
 * poisoned line (a media error of persistent memory, or memory the kernel took offline). The rest of the mapping
 * stays usable; stores of the failed call before the fault may or may not have been written, none is durable.
 *
 * <p>Only dax4j's own code reports a fault so: its flushes and its non-temporal stores. Accesses the JVM makes
 * itself report the same fault with {@link InternalError}: through {@link DaxMapping#segment()}, {@code put*},
 * {@code get*} and {@code write}, the ordinary stores of a copy or fill (below the non-temporal threshold, and the
 * unaligned head and tail of the lines above it), and every store of a mapping persisted by {@code MSYNC}. With
 * {@code MSYNC} a persist of pages truncated away does not fail at all: {@code msync} reports nothing for them.
 */
public final class MemoryFaultException extends UncheckedIOException {

    private static final long serialVersionUID = 1L;

    private final long offset;
    private final int signalCode;

    /**
     * @param source     the mapped source, as its {@code describe()} names it
     * @param offset     the faulting access's offset in the mapping, or -1 if it lies outside (in a copy's source)
     * @param address    the faulting address
     * @param signalCode the signal's {@code si_code}
     */
    MemoryFaultException(String source, long offset, long address, int signalCode) {
        super(new IOException("SIGBUS (" + codeName(signalCode) + ") at "
                + (offset >= 0 ? "offset " + offset + " of the mapping of " + source
                : "address 0x" + Long.toHexString(address) + ", outside the mapping of " + source
                + " (in the source of the copy)")
                + ": " + meaning(signalCode)));
        this.offset = offset;
        this.signalCode = signalCode;
    }

    /**
     * {@return the offset in the mapping of the access that faulted, or -1 when it lies in a copy's source instead}
     * A flush faults at the start of its 64-byte line, which may lie before the range asked for.
     */
    public long offset() {
        return offset;
    }

    /** {@return the {@code si_code} of the {@code SIGBUS}: 2 for {@code BUS_ADRERR}, 4 for {@code BUS_MCEERR_AR}} */
    public int signalCode() {
        return signalCode;
    }

    /** {@return whether the memory itself failed (a poisoned line: {@code BUS_MCEERR_AR}), not its backing} */
    public boolean isMediaError() {
        return signalCode == 4;
    }

    private static String codeName(int code) {
        return switch (code) {
            case 1 -> "BUS_ADRALN";
            case 2 -> "BUS_ADRERR";
            case 3 -> "BUS_OBJERR";
            case 4 -> "BUS_MCEERR_AR";
            case 5 -> "BUS_MCEERR_AO";
            default -> "si_code " + code;
        };
    }

    private static String meaning(int code) {
        return switch (code) {
            case 2 -> "no page backs it (the file was truncated under the mapping, or its file system could not"
                    + " fill a hole)";
            case 4, 5 -> "the memory is poisoned (a media error)";
            default -> "the memory cannot be accessed";
        };
    }
}
