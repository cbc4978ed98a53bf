package io.github.dax4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads {@code /proc/self/maps} and {@code /proc/self/smaps}: what the kernel says is mapped, and how. */
public final class ProcMaps {

    private ProcMaps() {
    }

    /** {@return the lines of {@code /proc/self/maps} whose range overlaps {@code [from, to)}} */
    public static List<String> linesOverlapping(long from, long to) {
        try {
            return overlapping(Files.readAllLines(Path.of("/proc/self/maps")), from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the lines of a {@code maps} listing whose range overlaps {@code [from, to)}} */
    public static List<String> overlapping(List<String> maps, long from, long to) {
        return maps.stream().filter(line -> {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
            return Long.compareUnsigned(start, to) < 0 && Long.compareUnsigned(from, end) < 0;
        }).toList();
    }

    /**
     * {@return the value in kB of the field {@code name} (e.g. {@code KernelPageSize}) of the {@code smaps} entry
     * that starts at {@code address}}
     */
    public static long smapsField(long address, String name) {
        String start = Long.toHexString(address) + "-";
        try {
            boolean inEntry = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    inEntry = line.startsWith(start);
                } else if (inEntry && line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
                }
            }
            throw new AssertionError("no field " + name + " in the smaps entry at 0x" + Long.toHexString(address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
