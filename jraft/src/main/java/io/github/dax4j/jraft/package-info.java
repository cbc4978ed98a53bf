/**
 * SOFAJRaft's storage on persistent memory: {@link io.github.dax4j.jraft.DaxLogStorage} keeps a Raft node's log
 * in dax4j's write-ahead log, and {@link io.github.dax4j.jraft.DaxRaftMetaStorage} its term and vote, each in
 * regions of a dax4j {@link io.github.dax4j.layout.Directory}.
 *
 * <p>This jar has no {@code module-info}: SOFAJRaft (and most of what it depends on) is not modular, and a named
 * module that requires a jar by its file name breaks as soon as that jar names its module. It is the automatic
 * module {@code io.github.dax4j.jraft} (its manifest says so) and runs on the class path beside SOFAJRaft.
 */
package io.github.dax4j.jraft;
