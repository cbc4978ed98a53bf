package io.github.dax4j.internal.persist;

import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.cpu.CpuStubs;


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
}
