/**
 * dax4j: persistent and device-DAX memory for the JVM, on the Foreign Function and Memory API.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(2L << 20).createIfAbsent().emulateMapSync();
 * try (DaxMapping pmem = DaxMapping.open(Path.of("/dev/shm/pmem0"), options)) {
 *     pmem.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
 *     pmem.persist(0, Long.BYTES);                    // durable when this returns
 *     pmem.copy(4096, MemorySegment.ofArray(record));  // copied and durable in one call
 * }
 * }</pre>
 *
 * <p>Data flows one way: a path becomes a {@link io.github.dax4j.Source} (device-DAX or a file), a source becomes a
 * {@link io.github.dax4j.DaxMapping} (checked against the {@link io.github.dax4j.Alignment} rules, placed on an
 * aligned address), and a mapping makes its stores durable with one {@link io.github.dax4j.PersistMechanism},
 * chosen when it is opened. {@code io.github.dax4j.device} discovers device-DAX instances in sysfs;
 * {@code io.github.dax4j.layout} lays out fixed-layout regions. The module exports nothing else.
 *
 * <p>Applications run with {@code --enable-native-access=io.github.dax4j} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 *
 * <h2>Misuse and failure: checked where the world outside the JVM answers, unchecked on the memory path</h2>
 * One rule, the JDK's for mapped files ({@code FileChannel.open} and {@code map} against {@code MemorySegment} and
 * {@code MappedByteBuffer.force}):
 * <ol>
 *   <li>Establishing something outside the JVM's memory, opening or mapping a source, reading sysfs, opening or
 *       changing an on-device format ({@code Directory}), throws a checked {@link java.io.IOException}. File-system
 *       failures are {@code java.nio.file}'s own types, as {@code FileChannel.open} gives them:
 *       {@link java.nio.file.NoSuchFileException}, {@link java.nio.file.AccessDeniedException},
 *       {@link java.nio.file.FileAlreadyExistsException}, otherwise a
 *       {@link java.nio.file.FileSystemException} whose reason is the system call with its arguments, the errno
 *       symbol and its text, e.g. {@code mmap(0x0, 2097152, PROT_READ|PROT_WRITE, MAP_SHARED_VALIDATE|MAP_SYNC,
 *       7 "/dev/shm/x", 0) failed: EOPNOTSUPP (Operation not supported)} (as the JDK keeps its own errno carrier
 *       internal, so does dax4j). dax4j's own refusals are
 *       {@link io.github.dax4j.DaxException}s with precise subtypes ({@code AlignmentException},
 *       {@code SourceRangeException}, {@code UnsupportedSourceException}, {@code MapSyncUnavailableException},
 *       {@code SourceInUseException}, the layout package's {@code DirectoryException}). An engine catches
 *       {@code IOException} once around its open and sees them all.</li>
 *   <li>The memory path of an established mapping (accesses, {@code persist}, {@code flush}, {@code drain},
 *       {@code copy}, {@code fill}, {@code move}, {@code close}) declares no checked exception: it runs millions of
 *       times a second, and on the CPU mechanisms it fails only when the memory does. The rare failures arrive as
 *       an {@link java.io.UncheckedIOException}: wrapping the {@code FileSystemException} when {@code msync} reports
 *       {@code EIO}, and as its subclass {@link io.github.dax4j.MemoryFaultException} when the memory faults under
 *       dax4j's own code (a truncated file, a poisoned line: the kernel's {@code SIGBUS}, which dax4j's handler turns
 *       into the exception). The JVM's own accesses report the same fault with {@link InternalError}.</li>
 *   <li>Misuse is a runtime exception, the same from every method: a write or persist through a read-only mapping
 *       throws {@link java.nio.ReadOnlyBufferException}; an access after {@code close()}
 *       {@link IllegalStateException}; a range outside the mapping {@link IndexOutOfBoundsException}; options that
 *       exclude each other, conflicting flags or a bad system property default {@link IllegalArgumentException}.</li>
 * </ol>
 *
 * <h2>Durability guarantees</h2>
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
 */
package io.github.dax4j;
