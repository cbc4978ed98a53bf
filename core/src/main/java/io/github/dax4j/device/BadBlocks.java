package io.github.dax4j.device;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Places a libnvdimm region's {@code badblocks} in one of its device-DAX instances.
 *
 * <p>A bad run's physical address is the region's {@code resource} plus {@code 512 * sector}; the instance holds
 * physical ranges given by its {@code mappingN/{start,end,page_offset}} (a dynamic instance may have several) or,
 * without them, {@code resource} and {@code size}. Every one of those addresses is readable by root only (0400):
 * without them a non-empty list cannot be placed, and that is an {@link AccessDeniedException}, never a guess. An
 * empty list needs no address: no bad blocks anywhere in the region.
 */
final class BadBlocks {

    private static final Pattern MAPPING = Pattern.compile("mapping[0-9]+");
    private static final long SECTOR = 512;
    private static final long PAGE = 4096; // page_offset is in pages of the kernel's PAGE_SIZE, 4 KiB on x86-64

    /** A physical range of the instance: device bytes {@code [offset, offset + length)} are at {@code start}. */
    private record Extent(long offset, long start, long length) {
    }

    private BadBlocks() {
    }

    static List<BadBlock> of(DaxDevice device) throws IOException {
        if (device.region().isEmpty() || device.region().get().badblocks().isEmpty()) {
            return List.of();
        }
        NvdimmRegion region = device.region().get();
        Path list = region.badblocks().get();
        List<long[]> runs = runs(list);
        if (runs.isEmpty()) {
            return List.of();
        }
        OptionalLong regionStart = DaxDevices.readLong(region.sysfsPath().resolve("resource"));
        List<Extent> extents = extents(device);
        if (regionStart.isEmpty() || extents.isEmpty()) {
            throw new AccessDeniedException(list.toString(), null, runs.size() + " bad block run(s) in "
                    + region.name() + ", but where " + device.name() + " lies in it needs the physical addresses"
                    + " (resource, mappingN/start), which sysfs shows to root only");
        }
        List<BadBlock> placed = new ArrayList<>();
        for (long[] run : runs) {
            long start;
            long end;
            try {
                start = Math.addExact(regionStart.getAsLong(), Math.multiplyExact(run[0], SECTOR));
                end = Math.addExact(start, Math.multiplyExact(run[1], SECTOR));
            } catch (ArithmeticException e) {
                throw new IOException("unexpected content in " + list + ": '" + run[0] + " " + run[1] + "' reaches"
                        + " past the end of the physical address space from " + region.name() + "'s start");
            }
            for (Extent e : extents) {
                long from = Math.max(start, e.start());
                long to = Math.min(end, e.start() + e.length());
                if (from < to) {
                    placed.add(new BadBlock(e.offset() + from - e.start(), to - from));
                }
            }
        }
        return merged(placed);
    }

    /** {@return {@code blocks} cut to {@code [offset, offset + length)}, as offsets from {@code offset}} */
    static List<BadBlock> within(List<BadBlock> blocks, long offset, long length) {
        List<BadBlock> cut = new ArrayList<>();
        for (BadBlock b : blocks) {
            long from = Math.max(b.offset(), offset);
            long to = Math.min(b.end(), offset + length);
            if (from < to) {
                cut.add(new BadBlock(from - offset, to - from));
            }
        }
        return List.copyOf(cut);
    }

    /** The {@code sector count} lines of a badblocks attribute; anything else is damage, reported as such. */
    private static List<long[]> runs(Path list) throws IOException {
        List<long[]> runs = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            try {
                long sector = Long.parseLong(fields[0]);
                long count = fields.length == 2 ? Long.parseLong(fields[1]) : -1;
                if (sector < 0 || count <= 0) {
                    throw new NumberFormatException();
                }
                runs.add(new long[] {sector, count});
            } catch (NumberFormatException e) {
                throw new IOException("unexpected content in " + list + ": '" + line + "' (expected 'sector count')");
            }
        }
        return runs;
    }

    private static List<Extent> extents(DaxDevice device) throws IOException {
        List<Path> mappings;
        try (Stream<Path> entries = Files.list(device.sysfsPath())) {
            mappings = entries.filter(p -> MAPPING.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        }
        List<Extent> extents = new ArrayList<>();
        for (Path m : mappings) {
            OptionalLong start = DaxDevices.readLong(m.resolve("start"));
            OptionalLong end = DaxDevices.readLong(m.resolve("end"));
            OptionalLong pageOffset = DaxDevices.readLong(m.resolve("page_offset"));
            if (start.isEmpty() || end.isEmpty() || pageOffset.isEmpty()) {
                return List.of();
            }
            extents.add(new Extent(Math.multiplyExact(pageOffset.getAsLong(), PAGE), start.getAsLong(),
                    end.getAsLong() - start.getAsLong() + 1));
        }
        if (extents.isEmpty() && device.resource().isPresent()) {
            extents.add(new Extent(0, device.resource().getAsLong(), device.size()));
        }
        return extents;
    }

    private static List<BadBlock> merged(List<BadBlock> blocks) {
        List<BadBlock> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparingLong(BadBlock::offset));
        List<BadBlock> merged = new ArrayList<>();
        for (BadBlock b : sorted) {
            BadBlock last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && b.offset() <= last.end()) {
                merged.set(merged.size() - 1, new BadBlock(last.offset(), Math.max(last.end(), b.end()) - last.offset()));
            } else {
                merged.add(b);
            }
        }
        return List.copyOf(merged);
    }
}
