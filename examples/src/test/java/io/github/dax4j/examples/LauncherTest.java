package io.github.dax4j.examples;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/dax4j}, as a shell user runs it: it finds a JDK 22+ by itself, runs the executable jar the cli module
 * built, and passes the command's exit code and streams through. (This module builds after the cli module, so the
 * jar is there; the launcher's own build-on-first-use is not exercised here, as it would start Maven in Maven.)
 */
class LauncherTest {

    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

    record Result(int exit, String out, String err) {
    }

    private static Result dax4j(String... args) throws Exception {
        assumeTrue(Files.list(CHECKOUT.resolve("cli/target")).anyMatch(p -> p.getFileName().toString()
                .endsWith("-all.jar")), "needs cli/target/dax4j-cli-*-all.jar: run the cli module's package first");
        List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", CHECKOUT.resolve("bin/dax4j").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_HOME"); // found by its own search, as on a machine with Java 17 on PATH
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ended");
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void listPrintsAJsonListOfThisMachinesInstances() throws Exception {
        Result list = dax4j("list");
        assertEquals(0, list.exit(), list.err());
        int instances = io.github.dax4j.device.DaxDevices.system().list().stream()
                .filter(d -> d.driver().isPresent()).toList().size();
        if (instances == 0) {
            assertEquals("[]\n", list.out(), "no device-DAX on this machine: an empty JSON list");
        } else {
            assertTrue(list.out().startsWith("[") && list.out().strip().endsWith("]")
                    && list.out().split("\"chardev\"", -1).length == instances + 1, list.out());
        }
    }

    @Test
    void exitCodesPassThroughAndAFailureIsOneLine() throws Exception {
        assertEquals(2, dax4j("--no-such-option").exit(), "a usage error stays 2");
        Result missing = dax4j("info", "/nonexistent/dax4j");
        assertEquals(1, missing.exit());
        assertEquals(List.of("dax4j: /nonexistent/dax4j: open(\"/nonexistent/dax4j\", O_RDONLY|O_CLOEXEC|O_PATH) "
                + "failed: ENOENT (No such file or directory)"), missing.err().lines().toList());
        assertTrue(dax4j("--version").out().startsWith("dax4j "));
    }
}
