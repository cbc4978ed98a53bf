package io.github.dax4j.layout;

import io.github.dax4j.DaxException;

/**
 * A region was opened with a layout other than the one it was created with. The message shows both canonical
 * forms (see {@link LayoutSignature}); dax4j never reinterprets a region's bytes under another layout.
 */
public class LayoutMismatchException extends DaxException {

    private static final long serialVersionUID = 1L;

    public LayoutMismatchException(String region, String stored, String expected) {
        super("region '" + region + "' was created with another layout:\n  on the device: " + stored
                + "\n  expected:      " + expected);
    }
}
