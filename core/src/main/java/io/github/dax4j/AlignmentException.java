package io.github.dax4j;

/**
 * A length, offset or address that is not a multiple of the alignment the mapping needs.
 *
 * <p>The message names the offending value, the alignment it must be a multiple of, and the source.
 */
public class AlignmentException extends DaxException {

    private static final long serialVersionUID = 1L;

    public AlignmentException(String message) {
        super(message);
    }
}
