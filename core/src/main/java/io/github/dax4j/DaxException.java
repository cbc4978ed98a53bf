package io.github.dax4j;

/**
 * The base of dax4j's own refusals: a source that cannot be mapped as asked (alignment, range, kind, MAP_SYNC,
 * lock), a persist mechanism that cannot work for it, a damaged or foreign on-device format.
 *
 * <p>An {@link java.io.IOException}, checked, like every failure of the world outside the JVM in dax4j's API (see
 * the package Javadoc): an engine that catches {@code IOException} around {@code DaxMapping.open} sees these
 * beside the {@code java.nio.file} exceptions of the file system. Every message names what was being done, to
 * which path or range, and why it failed. An operation that throws leaves nothing behind: no descriptor, no
 * mapping, no file it created.
 */
public class DaxException extends java.io.IOException {

    private static final long serialVersionUID = 1L;

    public DaxException(String message) {
        super(message);
    }

    public DaxException(String message, Throwable cause) {
        super(message, cause);
    }
}
