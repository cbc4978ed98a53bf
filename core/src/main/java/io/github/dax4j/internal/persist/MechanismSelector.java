package io.github.dax4j.internal.persist;

import io.github.dax4j.DaxException;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.device.PersistenceDomain;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses a mapping's {@link PersistMechanism}: the cheapest one that is correct, unless one is asked for.
 *
 * <p>Precedence: {@code MapOptions.persistMechanism(...)}, then the system property {@code dax4j.persist}
 * ({@code -Ddax4j.persist=clwb}, any mechanism's name, case ignored; not for volatile device-DAX, rule 2, which
 * a process-wide default for persistent memory does not concern), then these rules:
 * <ol>
 *   <li>A file without {@code MAP_SYNC}: {@link PersistMechanism#MSYNC}. Its dirty data lives in the page cache;
 *       only the kernel can write it back.</li>
 *   <li>Device-DAX over volatile memory ({@link PersistenceDomain#NONE}: CXL RAM, {@code hmem}): nothing can make
 *       a store survive power loss, so a persist call is refused (see {@code DaxMapping.persist}), unless the
 *       caller accepts non-durable stores ({@code MapOptions.acceptNonDurableStores()}), when it is
 *       {@link PersistMechanism#NONE}.</li>
 *   <li>Device-DAX or {@code MAP_SYNC}, in the {@link PersistenceDomain#CPU_CACHE} domain (the libnvdimm region
 *       behind it reports {@code persistence_domain} {@code cpu_cache}: eADR): {@link PersistMechanism#FENCE_ONLY}.
 *       Only then: {@code MEMORY_CONTROLLER} and {@code UNKNOWN} need cache flushes.</li>
 *   <li>Device-DAX or {@code MAP_SYNC}: the best cache-line instruction the CPU runs, CLWB > CLFLUSHOPT > CLFLUSH
 *       (DC CVAP > DC CVAC on aarch64).</li>
 *   <li>No such instruction (no executable memory, say): {@code MSYNC} for a file; for device-DAX, where
 *       {@code msync} answers {@code EINVAL}, a {@link DaxException}: dax4j refuses rather than pretend.</li>
 * </ol>
 * An asked-for mechanism is checked too: {@code MSYNC} on device-DAX and an instruction the CPU lacks are refused;
 * one that would not make stores durable there ({@code NONE}; a CPU mechanism or {@code FENCE_ONLY} without
 * {@code MAP_SYNC}; {@code FENCE_ONLY} without eADR) is refused unless the caller accepts that
 * ({@code MapOptions.acceptNonDurableStores()}: benchmarks compare mechanisms on the same memory), and the reason
 * then says that stores are not durable.
 */
public final class MechanismSelector {

    /** What the choice depends on. */
    public record Situation(boolean deviceDax, boolean synchronous, PersistenceDomain domain,
                            Set<PersistMechanism> runnable, Optional<String> whyNoCpuMechanism, String source) {

        /** {@return whether stores are durable once visible: device-DAX or {@code MAP_SYNC} in the CPU cache domain} */
        boolean eadr() {
            return synchronous && domain == PersistenceDomain.CPU_CACHE;
        }

        /** {@return whether this is device-DAX over memory that nothing makes survive power loss} */
        boolean volatileDevice() {
            return deviceDax && domain == PersistenceDomain.NONE;
        }
    }

    /**
     * The choice, and why, in words fit for a log line.
     *
     * @param refused whether every persist call is to be refused: device-DAX over volatile memory, where the caller
     *                did not accept non-durable stores (the mechanism is then {@code NONE})
     */
    public record Selection(PersistMechanism mechanism, String reason, boolean refused) {

        public Selection(PersistMechanism mechanism, String reason) {
            this(mechanism, reason, false);
        }
    }

    private MechanismSelector() {
    }

    /**
     * {@return the mechanism for a mapping in {@code situation}}
     *
     * @param asked            the mechanism the options ask for, if any
     * @param property         the mechanism the system property {@code dax4j.persist} asks for, if any
     * @param acceptNonDurable whether the caller accepts a mechanism that does not make stores durable here
     *                         ({@code MapOptions.acceptNonDurableStores()})
     * @throws DaxException if what is asked for cannot work here, or device-DAX has no usable mechanism
     */
    public static Selection select(Situation situation, Optional<PersistMechanism> asked,
                                   Optional<PersistMechanism> property, boolean acceptNonDurable) throws DaxException {
        if (asked.isPresent()) {
            return checked(situation, asked.get(), "MapOptions.persistMechanism(" + asked.get() + ")",
                    acceptNonDurable);
        }
        // before the property: a process-wide default for persistent memory is no reason to refuse to map volatile
        // memory, nor to flush it
        if (situation.volatileDevice()) {
            String why = "the memory is volatile (CXL RAM or hmem, persistence domain NONE); nothing survives power"
                    + " loss";
            return acceptNonDurable ? new Selection(PersistMechanism.NONE, why + ", accepted by the caller")
                    : new Selection(PersistMechanism.NONE, why + ": persist calls are refused", true);
        }
        if (property.isPresent()) {
            return checked(situation, property.get(), "-Ddax4j.persist=" + property.get().name().toLowerCase(
                    Locale.ROOT), acceptNonDurable);
        }
        if (!situation.synchronous()) {
            return new Selection(PersistMechanism.MSYNC, "MAP_SYNC not granted: the page cache holds the data, the"
                    + " kernel writes it back");
        }
        if (situation.eadr()) {
            return new Selection(PersistMechanism.FENCE_ONLY, "the region reports persistence_domain cpu_cache"
                    + " (eADR): stores are durable once visible");
        }
        for (PersistMechanism m : PersistMechanism.values()) {
            if (Mechanisms.instruction(m).isPresent() && situation.runnable().contains(m)) {
                return new Selection(m, "the best cache-line write-back this CPU offers");
            }
        }
        String why = situation.whyNoCpuMechanism().orElse("the CPU offers no cache-line write-back instruction");
        if (situation.deviceDax()) {
            throw new DaxException("cannot make stores to " + situation.source() + " durable: device-DAX needs a CPU"
                    + " cache flush and " + why + "; map it with persistMechanism(NONE) if durability is not needed");
        }
        return new Selection(PersistMechanism.MSYNC, "MAP_SYNC granted but " + why + ": msync makes the file"
                + " system flush");
    }

    private static Selection checked(Situation situation, PersistMechanism m, String origin,
                                     boolean acceptNonDurable) throws DaxException {
        if (m == PersistMechanism.SIMULATED_CACHE_LINE || m == PersistMechanism.SIMULATED_BYTE) {
            throw new DaxException(origin + ": simulated mechanisms belong to DaxMapping.simulate, not to "
                    + situation.source());
        }
        if (m == PersistMechanism.MSYNC && situation.deviceDax()) {
            throw new DaxException(origin + " cannot work for " + situation.source()
                    + ": device-DAX answers msync with EINVAL; it is made durable by CPU cache flushes only");
        }
        if (Mechanisms.instruction(m).isPresent() && !situation.runnable().contains(m)) {
            throw new DaxException(origin + " cannot work for " + situation.source() + ": "
                    + situation.whyNoCpuMechanism()
                    .orElse("this CPU has no " + Mechanisms.instruction(m).orElseThrow().mnemonic()));
        }
        Optional<String> notDurable = whyNotDurable(situation, m);
        if (notDurable.isEmpty()) {
            return new Selection(m, "asked for by " + origin);
        }
        if (!acceptNonDurable) {
            throw new DaxException(origin + " refused for " + situation.source() + ": " + notDurable.get()
                    + "; stores would not be durable. Use MapOptions.acceptNonDurableStores() to map it so anyway");
        }
        return new Selection(m, "asked for by " + origin + " and accepted as not durable: " + notDurable.get());
    }

    /**
     * {@return why {@code m} does not make stores durable in {@code situation}, or empty where it does} One rule
     * for every mechanism asked for: {@code NONE} never does; a CPU mechanism or {@code FENCE_ONLY} on the page
     * cache leaves the data there; {@code FENCE_ONLY} without eADR leaves it in volatile CPU caches.
     */
    private static Optional<String> whyNotDurable(Situation situation, PersistMechanism m) {
        if (m == PersistMechanism.NONE) {
            return Optional.of("NONE does nothing");
        }
        if (situation.volatileDevice()) {
            return Optional.of("the memory is volatile (persistence domain NONE): nothing survives power loss");
        }
        if (m != PersistMechanism.MSYNC && !situation.synchronous()) {
            return Optional.of(m + " runs on the CPU, but MAP_SYNC was not granted, so stores stay in the page cache"
                    + " until the kernel writes them back");
        }
        if (m == PersistMechanism.FENCE_ONLY && !situation.eadr()) {
            return Optional.of("FENCE_ONLY only fences, and the persistence domain is " + situation.domain()
                    + ", not CPU_CACHE (eADR), so stores stay in volatile caches until evicted");
        }
        return Optional.empty();
    }

    /** {@return the mechanisms a set of installed cache-line instructions can run, plus those that need none} */
    public static Set<PersistMechanism> runnable(Set<io.github.dax4j.internal.cpu.FlushInstruction> instructions) {
        EnumSet<PersistMechanism> set = EnumSet.of(PersistMechanism.MSYNC, PersistMechanism.FENCE_ONLY,
                PersistMechanism.NONE);
        instructions.forEach(i -> set.add(Mechanisms.of(i)));
        return set;
    }
}
