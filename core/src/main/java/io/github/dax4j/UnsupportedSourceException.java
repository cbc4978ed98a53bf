package io.github.dax4j;

/**
 * A path that dax4j cannot map: a directory, a FIFO, a socket, a block device, or a character device other than
 * device-DAX. The message names the path and what it is.
 */
public class UnsupportedSourceException extends DaxException {

    private static final long serialVersionUID = 1L;

    public UnsupportedSourceException(String message) {
        super(message);
    }
}
