/**
 * dax4j's JMH benchmarks. Run from the shaded {@code benchmarks.jar} on the class path, as JMH expects; this
 * descriptor states what the module uses and exports nothing. It is the one module besides {@code io.github.dax4j}
 * that calls native code itself: the libpmem2 anchors ({@code io.github.dax4j.bench.natives}), measured beside
 * dax4j.
 */
@SuppressWarnings("requires-automatic") // JMH, SOFAJRaft and dax4j-jraft ship without a module descriptor
module io.github.dax4j.bench {
    requires io.github.dax4j;
    requires io.github.dax4j.engines;
    requires io.github.dax4j.jraft; // SOFAJRaft's log storages side by side (automatic: see its package-info)
    requires jraft.core;
    requires jmh.core;
    requires java.management;
    // nothing exported: JMH runs the benchmarks from the shaded jar on the class path, where this module's
    // boundary does not apply; no other module is to build on them
}
