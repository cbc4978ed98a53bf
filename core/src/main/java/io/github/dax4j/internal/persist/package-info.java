/**
 * How stores to a mapping become durable: one {@link io.github.dax4j.internal.persist.Durability} per mapping,
 * made of the {@link io.github.dax4j.internal.persist.Persister} of the mechanism that
 * {@link io.github.dax4j.internal.persist.MechanismSelector} chose (or that was asked for). The simulated device's
 * persister is one more implementation behind the same {@code Durability}, so it executes exactly the stores a real
 * one does. The guarantees users rely on are stated once, in the Javadoc of the {@code io.github.dax4j} package.
 */
package io.github.dax4j.internal.persist;
