package io.github.dax4j.persist;

/**
 * How a mapping makes stores durable. Every mapping has exactly one, fixed when it is established and reported by
 * {@code DaxMapping.persistMechanism()}.
 */
public enum PersistMechanism {

    /**
     * {@code msync(MS_SYNC)} over the page-rounded range: the kernel writes back every dirty page touching it (and,
     * on a DAX file system, flushes the CPU caches for them). Correct on every file system; costs a system call and
     * works at page granularity.
     */
    MSYNC("msync(MS_SYNC) over page-rounded ranges");

    private final String description;

    PersistMechanism(String description) {
        this.description = description;
    }

    /** {@return what the mechanism does, in a few words} */
    public String description() {
        return description;
    }
}
