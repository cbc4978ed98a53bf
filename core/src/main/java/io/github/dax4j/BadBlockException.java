package io.github.dax4j;

import io.github.dax4j.device.BadBlock;

import java.io.Serial;
import java.nio.file.Path;
import java.util.List;

/**
 * A mapping that {@linkplain MapOptions#refuseBadBlocks() refuses bad blocks} would cover known media errors of its
 * device-DAX instance: reading them raises a machine check. Nothing was mapped.
 */
public final class BadBlockException extends DaxException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<BadBlock> badBlocks;

    /**
     * @param path      the source as given
     * @param offset    the mapping's offset in the source
     * @param badBlocks the runs the mapping would cover, as offsets of the mapping
     */
    public BadBlockException(Path path, long offset, List<BadBlock> badBlocks) {
        super(path + " has " + badBlocks.size() + " run(s) of known media errors in the range to map (offset "
                + offset + "): " + badBlocks + " as offsets of the mapping; refused by MapOptions.refuseBadBlocks()."
                + " Map around them, or clear them by writing each run whole (ndctl clear-errors)");
        this.badBlocks = List.copyOf(badBlocks);
    }

    /** {@return the runs the mapping would have covered, as offsets of the mapping} */
    public List<BadBlock> badBlocks() {
        return badBlocks;
    }
}
