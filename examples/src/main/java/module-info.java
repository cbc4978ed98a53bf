/**
 * Engines built on dax4j (a write-ahead log, a key-value table, a record log), the demo, and the {@code dax4j}
 * command line (picocli, which reads the command classes reflectively).
 */
module io.github.dax4j.examples {
    requires io.github.dax4j;
    requires info.picocli;

    exports io.github.dax4j.examples;
    exports io.github.dax4j.examples.kv;
    exports io.github.dax4j.examples.wal;
    exports io.github.dax4j.cli;

    opens io.github.dax4j.cli to info.picocli;
}
