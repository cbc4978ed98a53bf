/**
 * The {@code dax4j} command line: list device-DAX instances as {@code daxctl} does, inspect and create sources,
 * check directories, logs and tables, measure. Runs from its executable jar on the class path
 * ({@code java -jar dax4j-cli-all.jar}, or {@code bin/dax4j}); this descriptor states what it uses.
 */
module io.github.dax4j.cli {
    requires io.github.dax4j;
    requires io.github.dax4j.engines;
    requires info.picocli;

    exports io.github.dax4j.cli;

    opens io.github.dax4j.cli to info.picocli; // picocli reads the command classes' annotated fields reflectively
}
