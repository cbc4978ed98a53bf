package io.github.dax4j;

import java.nio.file.Path;

/**
 * An {@linkplain MapOptions#exclusive() exclusive} mapping found its source locked by another open: another
 * process, or another mapping in this one.
 */
public class SourceInUseException extends DaxException {

    private static final long serialVersionUID = 1L;

    public SourceInUseException(Path path) {
        super(path + " is in use: another open holds a conflicting lock on it (fcntl F_OFD_SETLK answered EAGAIN)");
    }
}
