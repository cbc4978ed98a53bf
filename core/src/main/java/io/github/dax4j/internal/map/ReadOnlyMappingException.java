package io.github.dax4j.internal.map;

import java.io.Serial;
import java.nio.ReadOnlyBufferException;

/**
 * A write to a read-only mapping, from any dax4j method: the JDK's {@link ReadOnlyBufferException} (an
 * {@link UnsupportedOperationException}), which carries no message of its own, with one naming the mapping and
 * the operation. Callers catch {@code ReadOnlyBufferException}; this class is not API.
 */
public final class ReadOnlyMappingException extends ReadOnlyBufferException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    /**
     * @param what      the mapping, as {@code Source.describe()} gives it
     * @param operation what was refused, e.g. {@code copy}
     */
    public ReadOnlyMappingException(String what, String operation) {
        this.message = operation + " refused: the mapping of " + what + " is read-only";
    }

    @Override
    public String getMessage() {
        return message;
    }
}
