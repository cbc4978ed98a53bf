package io.github.dax4j;

/**
 * The base of every failure dax4j reports: a source that cannot be mapped as asked, a native call that failed, a
 * range outside a mapping.
 *
 * <p>Unchecked, like the exceptions of {@code java.lang.foreign}: a persistence engine handles them where it can
 * act on them, not at every call site. Every message names what was being done, to which path or range, and why
 * it failed. An operation that throws leaves nothing behind: no descriptor, no mapping, no file it created.
 */
public class DaxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DaxException(String message) {
        super(message);
    }

    public DaxException(String message, Throwable cause) {
        super(message, cause);
    }
}
