/**
 * How stores to a mapping become durable: one {@link io.github.dax4j.PersistMechanism} per mapping, chosen
 * by {@link io.github.dax4j.internal.persist.MechanismSelector} (or asked for), run by a
 * {@link io.github.dax4j.persist.Persister}.
 *
 * <h2>Guarantees</h2>
 * Assumptions: the mapping's source is persistent memory (device-DAX, or a DAX file system mapped with
 * {@code MAP_SYNC}, or any file for {@code MSYNC}); the platform has at least ADR (the memory controller's queues
 * are flushed on power loss); the mechanism is the automatic one, or one that the selector accepted for this source.
 * <ol>
 *   <li>When {@code persist(offset, length)} returns, every store to {@code [offset, offset + length)} made by this
 *       thread before the call is durable: it survives power loss and is read back after a restart.</li>
 *   <li>When {@code drain()} returns, every range this thread {@code flush}ed before it, and every non-temporal store
 *       it made (persistent {@code copy}, {@code fill}, {@code move} with {@code NO_DRAIN}), is durable.</li>
 *   <li>A persistent {@code copy}, {@code fill} or {@code move} without {@code NO_DRAIN} is durable when it
 *       returns; with {@code NO_FLUSH} its ordinarily stored bytes are durable only after the caller's flush and
 *       drain.</li>
 *   <li>An aligned 8-byte store is failure-atomic: after a crash those eight bytes hold the old or the new value,
 *       never a mix. {@code DaxMapping.putLongAtomic} is such a store by contract; larger stores may tear at any
 *       8-byte boundary, and stores within one cache line may become durable before they are persisted (lines are
 *       evicted at any time), but never out of program order within the line.</li>
 *   <li>Nothing is promised about stores that were not persisted: each may or may not have survived.</li>
 *   <li>The costs are the hardware's: {@code MSYNC} writes back whole pages by system call; the cache-line
 *       mechanisms write back each overlapping 64-byte line exactly once with one instruction and end with one
 *       {@code SFENCE} (none after {@code CLFLUSH}); {@code FENCE_ONLY} (eADR) only fences; {@code NONE} does
 *       nothing and promises nothing.</li>
 *   <li>Device-DAX is never {@code msync}ed: the driver answers {@code EINVAL}. Where no cache-line instruction can
 *       run (no executable memory), a device-DAX mapping is refused at open rather than left undurable.</li>
 * </ol>
 *
 * <h2>Choosing the mechanism</h2>
 * See {@link io.github.dax4j.internal.persist.MechanismSelector}: {@code MapOptions.persistMechanism(...)} over
 * {@code -Ddax4j.persist=...} over the rules (page cache: {@code MSYNC}; eADR: {@code FENCE_ONLY}; else the best of
 * CLWB, CLFLUSHOPT, CLFLUSH). {@code DaxMapping.toString()} and {@code persistMechanismReason()} say what was chosen
 * and why.
 */
package io.github.dax4j.internal.persist;
