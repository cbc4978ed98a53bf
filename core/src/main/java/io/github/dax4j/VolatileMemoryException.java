package io.github.dax4j;

import io.github.dax4j.device.PersistenceDomain;

import java.io.Serial;

/**
 * Thrown by a call that would make stores durable ({@code persist}, {@code flush}, {@code drain}, {@code deepFlush},
 * the persisting {@code copy}, {@code fill}, {@code move} and {@code putLongAtomicAndPersist}) on a mapping of
 * volatile device-DAX: memory in the {@link PersistenceDomain#NONE} domain (CXL RAM, {@code hmem}), which nothing
 * makes survive power loss. A persist that returned would claim what the hardware cannot do, so it is refused at
 * the first call, like a write to a read-only buffer; a caller that only wants the memory
 * ({@code DaxMapping.allocator()}) maps it with {@code MapOptions.acceptNonDurableStores()}, and every persist call
 * is then a no-op ({@link PersistMechanism#NONE}). Stores made before the call are in memory, as ever.
 */
public final class VolatileMemoryException extends UnsupportedOperationException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** @param source the mapping's source, in a few words ({@link Source#describe()}) */
    public VolatileMemoryException(String source) {
        this(source, "no persist call can succeed; map it with MapOptions.acceptNonDurableStores() to make persist"
                + " calls no-ops");
    }

    /**
     * @param source  the mapping's source, in a few words ({@link Source#describe()})
     * @param refused what is refused on it, and why, e.g. a record of sessions that no power loss would leave
     */
    public VolatileMemoryException(String source, String refused) {
        super(source + " is volatile memory (persistence domain NONE: CXL RAM, or hmem): nothing survives power"
                + " loss, so " + refused);
    }
}
