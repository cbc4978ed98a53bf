package io.github.dax4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the kernel says this process holds for a path: open descriptors ({@code /proc/self/fd}) and mappings
 * ({@code /proc/self/maps}). Tests use it to prove that a failed or closed mapping leaves nothing behind.
 */
public final class NativeResources {

    private NativeResources() {
    }

    /** {@return the descriptors of this process open on {@code path}} */
    public static List<Path> descriptorsOn(Path path) {
        Path target = path.toAbsolutePath().normalize();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException e) {
                    return false; // closed between list and readlink, e.g. the listing's own descriptor
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the lines of {@code /proc/self/maps} that map {@code path}} */
    public static List<String> mappingsOf(Path path) {
        String target = path.toAbsolutePath().normalize().toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.endsWith(" " + target) || line.endsWith(" " + target + " (deleted)"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the {@code VmFlags} line of the {@code /proc/self/smaps} entry for the mapping at {@code address}} */
    public static String vmFlagsAt(long address) {
        String start = Long.toHexString(address) + "-";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
            boolean inEntry = false;
            for (String line : lines) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    inEntry = line.startsWith(start);
                } else if (inEntry && line.startsWith("VmFlags:")) {
                    return line;
                }
            }
            throw new AssertionError("no mapping starts at 0x" + Long.toHexString(address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
