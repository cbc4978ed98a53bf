package io.github.dax4j;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module boundary, as an application on the module path meets it: {@code requires io.github.dax4j} gives the
 * API and nothing else. Each consumer is compiled here with {@code javac} against the module's classes and run in
 * its own JVM.
 */
class ModularConsumerTest {

    private static Path dax4j;

    @TempDir
    Path work;

    @BeforeAll
    static void findTheModule() throws URISyntaxException {
        dax4j = Path.of(DaxMapping.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.exists(dax4j.resolve("module-info.class")), "the build made a named module: " + dax4j);
    }

    @Test
    void anApplicationThatRequiresTheModuleCompilesAndMapsWithNativeAccessGrantedToDax4jAlone() throws Exception {
        Path out = compile("""
                module consumer { requires io.github.dax4j; }
                """, """
                package consumer;

                import io.github.dax4j.DaxMapping;
                import io.github.dax4j.MapOptions;
                                import java.nio.file.Path;

                public class Main {
                    public static void main(String[] args) throws java.io.IOException {
                        Path file = Path.of(args[0]);
                        try (DaxMapping pmem = DaxMapping.open(file, MapOptions.ofLength(2L << 20).createIfAbsent()
                                .emulateMapSync())) {
                            pmem.putLong(64, 42L);
                            pmem.persist(64, 8);
                        }
                        try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().readOnly()
                                .emulateMapSync())) {
                            System.out.println("read " + pmem.getLong(64) + " by " + pmem.persistMechanism());
                        }
                    }
                }
                """).orElseThrow();
        Path file = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-module-").resolve("pmem");
        try {
            Run run = run(out, "--enable-native-access=io.github.dax4j", "consumer/consumer.Main", file.toString());
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.stdout().contains("read 42 by "), run.toString());
            assertFalse(run.stderr().contains("restricted method"), "no native access warning: " + run);

            // without the grant the JVM warns, and names the module that holds the native access: dax4j's only
            Files.delete(file);
            Run ungranted = run(out, "-Dunused", "consumer/consumer.Main", file.toString());
            assertEquals(0, ungranted.exit(), ungranted.toString());
            assertTrue(ungranted.stderr().contains("restricted method")
                    && ungranted.stderr().contains("--enable-native-access=io.github.dax4j"), ungranted.toString());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        }
    }

    @Test
    void anApplicationThatNamesAnInternalClassDoesNotCompile() throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        var out = compile(diagnostics, """
                module intruder { requires io.github.dax4j; }
                """, """
                package intruder;

                public class Main {
                    public static void main(String[] args) {
                        System.out.println(io.github.dax4j.internal.posix.Libc.pageSize());
                    }
                }
                """);
        assertTrue(out.isEmpty(), "it compiled");
        String messages = diagnostics.getDiagnostics().stream().map(d -> d.getMessage(null))
                .collect(Collectors.joining("\n"));
        assertTrue(messages.contains("io.github.dax4j.internal.posix") && messages.contains("does not export"),
                messages);
    }

    @Test
    void reflectionCannotReachInternalsEither() throws Exception {
        Path out = compile("""
                module prober { requires io.github.dax4j; }
                """, """
                package prober;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        Class<?> libc = Class.forName("io.github.dax4j.internal.posix.Libc");
                        try {
                            libc.getMethod("pageSize").invoke(null);
                            System.out.println("reached");
                        } catch (IllegalAccessException e) {
                            System.out.println("refused: " + e.getMessage());
                        }
                        try {
                            libc.getMethod("pageSize").setAccessible(true);
                            System.out.println("opened");
                        } catch (RuntimeException e) {
                            System.out.println("not opened: " + e.getClass().getSimpleName());
                        }
                    }
                }
                """).orElseThrow();
        Run run = run(out, "--enable-native-access=io.github.dax4j", "prober/prober.Main");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stdout().contains("refused: ") && run.stdout().contains("does not export"), run.toString());
        assertTrue(run.stdout().contains("not opened: InaccessibleObjectException"), run.toString());
    }

    private java.util.Optional<Path> compile(String moduleInfo, String main) throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        var out = compile(diagnostics, moduleInfo, main);
        assertTrue(out.isPresent(), diagnostics.getDiagnostics().toString());
        return out;
    }

    /** {@return the output directory, or empty when javac refused the sources} */
    private java.util.Optional<Path> compile(DiagnosticCollector<JavaFileObject> diagnostics, String moduleInfo,
                                             String main) throws IOException {
        Path src = Files.createDirectories(work.resolve("src"));
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        String pkg = main.lines().filter(l -> l.startsWith("package ")).findFirst().orElseThrow()
                .replace("package ", "").replace(";", "").trim();
        Path dir = Files.createDirectories(src.resolve(pkg));
        Files.writeString(dir.resolve("Main.java"), main);
        Path out = Files.createDirectories(work.resolve("out"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            // an empty class path: javac would otherwise take this JVM's, which has dax4j's classes unnamed on it
            Path noClasses = Files.createDirectories(work.resolve("no-classes"));
            List<String> options = List.of("--module-path", dax4j.toString(), "--class-path", noClasses.toString(),
                    "-d", out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(src.resolve("module-info.java"), dir.resolve("Main.java"))).call();
            return ok ? java.util.Optional.of(out) : java.util.Optional.empty();
        }
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run run(Path out, String nativeAccess, String module, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                nativeAccess, "--module-path", dax4j + java.io.File.pathSeparator + out, "-m", module));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        var stdout = process.getInputStream().readAllBytes();
        var stderr = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the consumer ended");
        return new Run(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                new String(stderr, StandardCharsets.UTF_8));
    }
}
