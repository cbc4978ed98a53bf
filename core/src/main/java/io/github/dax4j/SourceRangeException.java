package io.github.dax4j;

/**
 * A mapping asked for bytes the source does not have: its offset plus length is past the source's end.
 *
 * <p>dax4j never grows or shrinks an existing source to make a mapping fit; the message gives both sizes.
 */
public class SourceRangeException extends DaxException {

    private static final long serialVersionUID = 1L;

    public SourceRangeException(String message) {
        super(message);
    }
}
