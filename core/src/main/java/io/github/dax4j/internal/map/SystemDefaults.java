package io.github.dax4j.internal.map;

import io.github.dax4j.MapOptions;
import io.github.dax4j.PersistMechanism;
import io.github.dax4j.internal.persist.Durability;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The system properties that give {@link MapOptions} their defaults, read at each open and validated as the
 * options' own setters validate: a bad value is an {@link IllegalArgumentException} naming the property.
 *
 * <ul>
 *   <li>{@value #PERSIST}: a {@link PersistMechanism} name, case ignored, asked for where the options ask for
 *       none.</li>
 *   <li>{@value #NON_TEMPORAL_THRESHOLD}: bytes, {@code >= 0}, where the options give no threshold; else
 *       {@value Durability#DEFAULT_THRESHOLD}.</li>
 * </ul>
 */
public final class SystemDefaults {

    /** The system property that asks for a mechanism when the options do not. */
    public static final String PERSIST = "dax4j.persist";

    /** The system property that sets the non-temporal threshold when the options do not. */
    public static final String NON_TEMPORAL_THRESHOLD = "dax4j.nonTemporalThreshold";

    private SystemDefaults() {
    }

    /**
     * {@return the mechanism {@value #PERSIST} asks for, or empty where it is unset or blank}
     *
     * @throws IllegalArgumentException naming the accepted values when it names no mechanism
     */
    public static Optional<PersistMechanism> persistMechanism() {
        String value = System.getProperty(PERSIST);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        for (PersistMechanism m : PersistMechanism.values()) {
            if (!m.name().startsWith("SIMULATED_") && m.name().equalsIgnoreCase(value.trim())) {
                return Optional.of(m);
            }
        }
        throw new IllegalArgumentException("-D" + PERSIST + "=" + value + " names no persist mechanism of a real"
                + " mapping; one of " + Arrays.stream(PersistMechanism.values())
                .filter(m -> !m.name().startsWith("SIMULATED_")).map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * {@return the threshold {@value #NON_TEMPORAL_THRESHOLD} gives, else {@value Durability#DEFAULT_THRESHOLD}}
     *
     * @throws IllegalArgumentException if it is not a number of bytes {@code >= 0}
     */
    public static long nonTemporalThreshold() {
        String value = System.getProperty(NON_TEMPORAL_THRESHOLD);
        if (value == null || value.isBlank()) {
            return Durability.DEFAULT_THRESHOLD;
        }
        try {
            // the options' own check: the same condition and message for the property as for the setter
            return MapOptions.wholeSource().nonTemporalThreshold(Long.parseLong(value.trim()))
                    .nonTemporalThreshold().orElseThrow();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + NON_TEMPORAL_THRESHOLD + "=" + value
                    + " is not a number of bytes");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + NON_TEMPORAL_THRESHOLD + "=" + value + ": " + e.getMessage());
        }
    }
}
