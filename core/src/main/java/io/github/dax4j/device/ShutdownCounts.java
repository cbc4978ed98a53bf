package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Reads a region's {@link UnsafeShutdownCount} from its interleave set's devices. */
final class ShutdownCounts {

    private static final Pattern NMEM = Pattern.compile("nmem[0-9]+");

    /** Where a device's count and identity are: the NFIT DIMM attributes, then the CXL ones (Linux 6.15). */
    private static final List<String> GROUPS = List.of("nfit", "cxl");

    private ShutdownCounts() {
    }

    static Optional<UnsafeShutdownCount> of(NvdimmRegion region) throws IOException {
        Path directory = region.sysfsPath();
        OptionalLong mappings = DaxDevices.readLong(directory.resolve("mappings"));
        if (mappings.isEmpty() || mappings.getAsLong() < 1 || mappings.getAsLong() > 1024) {
            return Optional.empty();
        }
        TreeMap<Long, String> byPosition = new TreeMap<>();
        for (long i = 0; i < mappings.getAsLong(); i++) {
            Path mapping = directory.resolve("mapping" + i);
            String text = Files.readString(mapping).trim();
            String[] fields = text.split(",");
            long position;
            try {
                position = fields.length == 4 ? Long.parseLong(fields[3]) : -1;
            } catch (NumberFormatException e) {
                position = -1;
            }
            if (position < 0 || !NMEM.matcher(fields[0]).matches() || byPosition.put(position, fields[0]) != null) {
                throw new IOException("unexpected content in " + mapping + ": '" + text
                        + "' (expected 'nmemX,offset,length,position', each position once)");
            }
        }
        List<String> ids = new ArrayList<>();
        long count = 0;
        for (String nmem : byPosition.values()) {
            OptionalLong dimm = OptionalLong.empty();
            for (String group : GROUPS) {
                Path attributes = directory.resolveSibling(nmem).resolve(group);
                dimm = DaxDevices.readLong(attributes.resolve("dirty_shutdown"));
                if (dimm.isPresent()) {
                    if (dimm.getAsLong() < 0) {
                        throw new IOException("unexpected content in " + attributes.resolve("dirty_shutdown")
                                + ": " + dimm.getAsLong() + " (a count)");
                    }
                    ids.add(group + ":" + DaxDevices.readString(attributes.resolve("id")).filter(s -> !s.isEmpty())
                            .orElse(nmem));
                    break;
                }
            }
            if (dimm.isEmpty()) {
                return Optional.empty();
            }
            try {
                count = Math.addExact(count, dimm.getAsLong());
            } catch (ArithmeticException e) {
                throw new IOException("the dirty shutdown counts of " + region.name() + " overflow a long", e);
            }
        }
        return Optional.of(new UnsafeShutdownCount(ids, count));
    }
}
