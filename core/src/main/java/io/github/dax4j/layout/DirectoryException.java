package io.github.dax4j.layout;

import io.github.dax4j.DaxException;

/**
 * A directory or region operation that cannot be done: the directory on the device is damaged or of another
 * format, a region of that name does not exist or exists already, there is no free entry or space, or a layout
 * breaks the rules of strict fixed layouts or differs from the region's. {@link #reason()} says which, the message
 * says where and why; every failure of the layout package is this one exception.
 */
public class DirectoryException extends DaxException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    /** What went wrong, for callers that handle some cases (e.g. create a region that is not found). */
    public enum Reason {
        /** Magic, version or a checksum is wrong: the device holds no intact dax4j directory. */
        CORRUPTED,
        /** No magic, yet the directory's bytes are not blank: another program's data, which open never overwrites. */
        NOT_EMPTY,
        /** No region has that name. */
        NOT_FOUND,
        /** A region of that name exists already. */
        EXISTS,
        /** No free entry, or no free range large enough. */
        FULL,
        /**
         * A region was opened with a layout other than the one it was created with. The message shows both
         * canonical forms (see {@link LayoutSignature}); dax4j never reinterprets a region's bytes under another
         * layout.
         */
        LAYOUT_MISMATCH,
        /**
         * A layout that breaks a rule of strict fixed layouts; the message names the first member (as a path from
         * the root) that breaks one, and why. The rules a layout must follow to describe bytes on a device exactly:
         * <ol>
         *   <li>Its size is a positive multiple of its alignment, so that elements repeat with no gap between
         *       them.</li>
         *   <li>Every value is naturally aligned: its alignment is its size (no {@code withByteAlignment(1)}), and
         *       so is its offset (a struct already places members only at multiples of their alignment).</li>
         *   <li>No implicit padding: a struct's members, sequences' elements and, for a union, each member fill the
         *       space exactly; gaps must be written as
         *       {@link java.lang.foreign.MemoryLayout#paddingLayout(long)}. Unions whose members differ in size are
         *       refused for that reason.</li>
         *   <li>No addresses: a pointer means nothing on a device that is mapped at another address next
         *       time.</li>
         * </ol>
         */
        LAYOUT_RULE
    }

    public DirectoryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** {@return a {@link Reason#LAYOUT_RULE} failure} Unchecked where a layout is inspected outside an operation. */
    static DirectoryException layoutRule(String message) {
        return new DirectoryException(Reason.LAYOUT_RULE, message);
    }

    /** {@return what went wrong} */
    public Reason reason() {
        return reason;
    }
}
