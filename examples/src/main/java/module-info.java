/**
 * The demo behind the README's first command and a minimal record log: examples, not a library (not deployed).
 */
module io.github.dax4j.examples {
    requires io.github.dax4j;

    exports io.github.dax4j.examples;
}
