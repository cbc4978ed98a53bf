package io.github.dax4j.internal.map;

import io.github.dax4j.internal.posix.ErrnoException;
import io.github.dax4j.Source;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.internal.persist.Durability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Everything an established mapping holds, handed from {@link MappingOpener} to the {@code DaxMapping} handle.
 *
 * @param source          what is mapped
 * @param plan            the checked geometry
 * @param readOnly        whether the mapping is read-only
 * @param mapSyncRefusal  the kernel's refusal of {@code MAP_SYNC}, when it refused and emulation fell back
 * @param domain          the persistence domain of the memory mapped
 * @param arena           the shared arena every view of the mapping belongs to; closing it ends every view
 * @param segment         the caller's view: read-only for a read-only mapping
 * @param writable        the same memory as a writable view (the same as {@code segment} unless read-only), for
 *                        the durability code, which never writes through a read-only mapping
 * @param reason          why the durability's mechanism was chosen, for a log line
 * @param durability      the mapping's flush, drain, persist, copy, fill and move
 * @param release         unmaps the memory and closes the descriptor; run once, after the arena is closed
 */
public record OpenedMapping(Source source, MappingPlan plan, boolean readOnly,
                            Optional<ErrnoException> mapSyncRefusal, PersistenceDomain domain, Arena arena, MemorySegment segment,
                            MemorySegment writable, String reason, Durability durability,
                            Release release) {

    /** Gives back what the open took. */
    @FunctionalInterface
    public interface Release {
        void run() throws IOException;
    }
}
