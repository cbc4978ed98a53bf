/**
 * dax4j's crash simulator: runs a workload against a simulated device and checks every durable state a power
 * failure could leave. Its jqwik integration ({@code io.github.dax4j.testkit.jqwik}) needs jqwik on the module
 * path; the rest does not.
 */
module io.github.dax4j.testkit {
    requires transitive io.github.dax4j;
    requires static transitive net.jqwik.api; // CrashChoices returns jqwik's Arbitrary

    exports io.github.dax4j.testkit;
    exports io.github.dax4j.testkit.jqwik;
}
