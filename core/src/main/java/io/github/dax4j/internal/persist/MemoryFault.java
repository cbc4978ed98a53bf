package io.github.dax4j.internal.persist;

/**
 * A {@code SIGBUS} inside one of dax4j's stubs, as its fault word reported it: the stub stopped at the faulting
 * access and returned. Thrown by the persisters; the mapping turns it into its public exception, which names the
 * mapping and the offset. No stack trace: the public exception has the caller's.
 */
public final class MemoryFault extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long address;
    private final int code;

    private MemoryFault(long word) {
        super(null, null, false, false);
        this.address = word & 0x00ff_ffff_ffff_ffffL;
        this.code = (int) (word >>> 56);
    }

    /** Throws the fault a stub's non-zero return {@code word} reports. */
    static MemoryFault of(long word) {
        return new MemoryFault(word);
    }

    /** {@return the address that faulted} */
    public long address() {
        return address;
    }

    /** {@return the signal's {@code si_code}: {@code BUS_ADRERR} (2), {@code BUS_MCEERR_AR} (4), ...} */
    public int code() {
        return code;
    }
}
