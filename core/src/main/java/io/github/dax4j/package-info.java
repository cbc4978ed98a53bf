/**
 * dax4j: persistent and device-DAX memory for the JVM, on the Foreign Function and Memory API.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.ofLength(2L << 20).createIfAbsent().syncMode(SyncMode.EMULATE);
 * try (DaxMapping pmem = DaxMapping.open(Path.of("/dev/shm/pmem0"), options)) {
 *     pmem.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
 *     pmem.persist(0, Long.BYTES);                    // durable when this returns
 *     pmem.copy(4096, MemorySegment.ofArray(record));  // copied and durable in one call
 * }
 * }</pre>
 *
 * <p>Data flows one way: a path becomes a {@link io.github.dax4j.Source} (device-DAX or a file), a source becomes a
 * {@link io.github.dax4j.DaxMapping} (checked against the {@link io.github.dax4j.Alignment} rules, placed on an
 * aligned address), and a mapping makes its stores durable with one
 * {@link io.github.dax4j.PersistMechanism}. {@code io.github.dax4j.device} discovers device-DAX instances
 * in sysfs. Packages under {@code io.github.dax4j.internal} are not API.
 *
 * <p>Applications run with {@code --enable-native-access=ALL-UNNAMED} (or the module holding dax4j).
 */
package io.github.dax4j;
