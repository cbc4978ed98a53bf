package io.github.dax4j;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A test's child JVM, for what could crash the JVM that runs it: the same java, native access granted, the class
 * path of dax4j's classes and the test's own (taken from their locations, since a test launcher's
 * {@code java.class.path} may be its own jar only, as in the device-DAX guest).
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Runs {@code main} with {@code args} and {@return its output, standard error included}, once it has ended
     * normally within {@code timeoutSeconds}
     */
    static String run(long timeoutSeconds, Class<?> main, String... args) throws Exception {
        String[] command = new String[5 + args.length];
        command[0] = ProcessHandle.current().info().command().orElseThrow();
        command[1] = "--enable-native-access=ALL-UNNAMED";
        command[2] = "-cp";
        command[3] = location(main) + File.pathSeparator + location(DaxMapping.class);
        command[4] = main.getName();
        System.arraycopy(args, 0, command, 5, args.length);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(timeoutSeconds, TimeUnit.SECONDS), "the child ended");
        assertEquals(0, child.exitValue(), "the child JVM survived: " + output);
        return output;
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
