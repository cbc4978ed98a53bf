package io.github.dax4j;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The module's structure, read from its class files by {@code jdeps}: data flows one way.
 * <ol>
 *   <li>The exported packages form no cycle: the device package depends on no other dax4j package, the root
 *       package on none but the device package and the internals, the layout package sits on top.</li>
 *   <li>The internals never call back into the handle ({@code DaxMapping}) or the layout package: they use the
 *       root package's vocabulary only (sources, options, mechanisms, exceptions).</li>
 *   <li>{@code internal.posix} (the C library) and {@code internal.cpu} (the generated code) are the bottom:
 *       they depend on no dax4j package outside {@code internal.posix} and {@code internal.cpu}.</li>
 * </ol>
 */
class PackageDependenciesTest {

    /** Class-level dependencies inside dax4j: {@code from -> to}, both class names. */
    private static List<String[]> edges;

    @BeforeAll
    static void readTheClassFiles() throws Exception {
        Path classes = Path.of(DaxMapping.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "-filter:none",
                classes.toString());
        assertEquals(0, exit, out.toString());
        Matcher line = Pattern.compile("^\\s+(io\\.github\\.dax4j\\S*)\\s+->\\s+(io\\.github\\.dax4j\\S*)",
                Pattern.MULTILINE).matcher(out.toString());
        edges = line.results().map(m -> new String[] {m.group(1), m.group(2)}).toList();
        assertFalse(edges.isEmpty(), "jdeps found dependencies: " + out);
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    private static List<String> edgesFrom(String fromPackagePrefix, java.util.function.Predicate<String> to) {
        return edges.stream()
                .filter(e -> packageOf(e[0]).equals(fromPackagePrefix)
                        || packageOf(e[0]).startsWith(fromPackagePrefix + "."))
                .filter(e -> to.test(e[1]))
                .map(e -> e[0] + " -> " + e[1]).toList();
    }

    @Test
    void theExportedPackagesFormNoCycle() {
        assertEquals(List.of(), edgesFrom("io.github.dax4j.device",
                c -> !packageOf(c).equals("io.github.dax4j.device")), "device depends on nothing else of dax4j");
        assertEquals(List.of(), edges.stream().filter(e -> packageOf(e[0]).equals("io.github.dax4j"))
                .filter(e -> packageOf(e[1]).equals("io.github.dax4j.layout"))
                .map(e -> e[0] + " -> " + e[1]).toList(), "the root package does not reach up to layout");
    }

    @Test
    void theInternalsNeverCallBackIntoTheHandleOrTheLayoutPackage() {
        assertEquals(List.of(), edgesFrom("io.github.dax4j.internal",
                c -> c.equals("io.github.dax4j.DaxMapping") || c.startsWith("io.github.dax4j.DaxMapping$")
                        || packageOf(c).equals("io.github.dax4j.layout")));
    }

    @Test
    void theCLibraryAndTheCpuCodeAreTheBottomLayer() {
        Set<String> bottom = Set.of("io.github.dax4j.internal.posix", "io.github.dax4j.internal.cpu");
        for (String layer : bottom) {
            assertEquals(List.of(), edgesFrom(layer, c -> !bottom.contains(packageOf(c))), layer);
        }
    }
}
