package io.github.dax4j.layout;

import io.github.dax4j.DaxException;

/**
 * A directory operation that cannot be done: the directory on the device is damaged or of another format, a
 * region of that name does not exist or exists already, or there is no free entry or space. The message says which.
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
        FULL
    }

    public DirectoryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** {@return what went wrong} */
    public Reason reason() {
        return reason;
    }
}
