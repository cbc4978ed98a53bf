package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.cpu.CpuStubs;
import io.github.dax4j.internal.cpu.FlushInstruction;

import java.util.Optional;
import java.util.Set;

/** Builds the {@link Persister} of a chosen {@link PersistMechanism}. */
public final class Persisters {

    private Persisters() {
    }

    /**
     * {@return the persister implementing {@code mechanism} on this machine}
     *
     * @throws UnsupportedOperationException if {@code mechanism} needs code this machine cannot run; the
     *                                       {@link MechanismSelector} never chooses such a mechanism
     */
    public static Persister forMechanism(PersistMechanism mechanism) {
        return switch (mechanism) {
            case MSYNC -> MsyncPersister.forBasePages();
            case CLWB, CLFLUSHOPT, CLFLUSH, DC_CVAP, DC_CVAC ->
                    new CpuCachePersister(Mechanisms.instruction(mechanism).orElseThrow());
            case FENCE_ONLY -> new FencePersister(CpuStubs.get().orElse(null));
            case NONE -> NoPersister.INSTANCE;
            case SIMULATED_CACHE_LINE, SIMULATED_BYTE -> throw new UnsupportedOperationException(
                    mechanism + " is set up by DaxMapping.simulate, with its observer");
        };
    }

    /**
     * {@return a persister whose persist writes back <em>and invalidates</em> every line of a range, then fences:
     * {@code CLFLUSHOPT}, else {@code CLFLUSH}; empty where the CPU code is unavailable} For memory shared with
     * another host without coherence, where the next load must read memory rather than this CPU's cache
     * ({@code CLWB} may keep the line, and then the load reads the cached copy).
     */
    public static Optional<Persister> evicting() {
        Set<FlushInstruction> flushes = CpuStubs.get().map(s -> s.features().flushes()).orElse(Set.of());
        return flushes.contains(FlushInstruction.CLFLUSHOPT)
                ? Optional.of(new CpuCachePersister(FlushInstruction.CLFLUSHOPT))
                : flushes.contains(FlushInstruction.CLFLUSH)
                ? Optional.of(new CpuCachePersister(FlushInstruction.CLFLUSH)) : Optional.empty();
    }
}
