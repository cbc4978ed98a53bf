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
 *
 * <p>The ranges cover the instance one after the other in {@code page_offset} order, with nothing left over: each
 * one's device offset is the sum of the lengths before it, and must be its {@code page_offset} in pages of the
 * running kernel ({@code AT_PAGESZ}: 4 KiB on x86-64, up to 64 KiB on arm64). Ranges that overlap,
 * leave gaps, run backwards, exceed the instance's size or do not add up to it (a range missing, as while
 * {@code daxctl} reconfigures the instance) are damage ({@link IOException}), as is a list that fills the kernel's
 * one page for a sysfs attribute (the kernel cuts it there, so runs after it would be missing): a partial list
 * would call bad memory good.
 */
final class BadBlocks {

    private static final Pattern MAPPING = Pattern.compile("mapping[0-9]+");
    private static final long SECTOR = 512;
    /** The longest line of a bad block list: {@code "%llu %u\n"}. */
    private static final int LONGEST_LINE = 32;

    /** A physical range of the instance: device bytes {@code [offset, offset + length)} are at {@code start}. */
    private record Extent(long offset, long start, long length) {
    }

    private BadBlocks() {
    }

    /** {@link #of(DaxDevice, long)} with the running kernel's page size. */
    static List<BadBlock> of(DaxDevice device) throws IOException {
        return of(device, 0);
    }

    /**
     * @param pageSize the page size of the kernel whose sysfs this is (a sysfs attribute shows at most one page, and
     *                 {@code page_offset} counts pages), or 0 for the running kernel's, read only when the list is
     *                 not empty
     */
    static List<BadBlock> of(DaxDevice device, long pageSize) throws IOException {
        if (device.region().isEmpty() || device.region().get().badblocks().isEmpty()) {
            return List.of();
        }
        NvdimmRegion region = device.region().get();
        Path list = region.badblocks().get();
        String text = Files.readString(list);
        if (text.isBlank()) {
            return List.of();
        }
        if (pageSize == 0) {
            pageSize = KernelPageSize.read();
        }
        List<long[]> runs = runs(list, text, pageSize);
        OptionalLong regionStart = DaxDevices.readLong(region.sysfsPath().resolve("resource"));
        if (regionStart.isPresent() && regionStart.getAsLong() < 0) {
            throw damaged(region.sysfsPath().resolve("resource"), "a physical start of 0x"
                    + Long.toHexString(regionStart.getAsLong()) + ", past 2^63");
        }
        List<Extent> extents = extents(device, pageSize);
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
    private static List<long[]> runs(Path list, String text, long pageSize) throws IOException {
        if (text.length() > pageSize - 1 - LONGEST_LINE || !text.endsWith("\n")) { // text is not blank here
            throw new IOException("the bad block list " + list + " may be cut short: " + text.length() + " bytes"
                    + (text.endsWith("\n") ? "" : " ending mid-line") + ", where the kernel stops at one page of "
                    + pageSize + " bytes; the runs after the cut cannot be read");
        }
        List<long[]> runs = new ArrayList<>();
        for (String line : text.lines().toList()) {
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

    private static List<Extent> extents(DaxDevice device, long pageSize) throws IOException {
        List<Path> mappings;
        try (Stream<Path> entries = Files.list(device.sysfsPath())) {
            mappings = entries.filter(p -> MAPPING.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        }
        // {page_offset, start, end}, in device order
        List<long[]> ranges = new ArrayList<>();
        for (Path m : mappings) {
            OptionalLong start = DaxDevices.readLong(m.resolve("start"));
            OptionalLong end = DaxDevices.readLong(m.resolve("end"));
            OptionalLong pageOffset = DaxDevices.readLong(m.resolve("page_offset"));
            if (start.isEmpty() || end.isEmpty() || pageOffset.isEmpty()) {
                return List.of();
            }
            if (pageOffset.getAsLong() < 0 || start.getAsLong() < 0 || end.getAsLong() < start.getAsLong()
                    || end.getAsLong() == Long.MAX_VALUE) {
                throw damaged(m, "start " + start.getAsLong() + ", end " + end.getAsLong() + ", page_offset "
                        + pageOffset.getAsLong());
            }
            ranges.add(new long[] {pageOffset.getAsLong(), start.getAsLong(), end.getAsLong()});
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        List<Extent> extents = new ArrayList<>();
        long offset = 0;
        for (long[] r : ranges) {
            long length = r[2] - r[1] + 1;
            if (Math.multiplyHigh(r[0], pageSize) != 0 || r[0] * pageSize != offset) {
                throw damaged(device.sysfsPath(), "the range at page_offset " + r[0] + " (pages of " + pageSize
                        + " bytes) does not start where the ones before it end, at " + offset);
            }
            if (length > device.size() - offset) {
                throw damaged(device.sysfsPath(), "its ranges hold more than its " + device.size() + " bytes");
            }
            extents.add(new Extent(offset, r[1], length));
            offset += length;
        }
        if (!extents.isEmpty() && offset != device.size()) {
            throw damaged(device.sysfsPath(), "its ranges hold " + offset + " of its " + device.size() + " bytes:"
                    + " a mappingN is missing (being reconfigured?), and bad blocks in it would go unseen");
        }
        if (extents.isEmpty() && device.resource().isPresent()) {
            if (device.resource().getAsLong() < 0 || device.resource().getAsLong() > Long.MAX_VALUE - device.size()) {
                throw damaged(device.sysfsPath().resolve("resource"), device.resource().getAsLong() + " with "
                        + device.size() + " bytes reaches past the physical address space");
            }
            extents.add(new Extent(0, device.resource().getAsLong(), device.size()));
        }
        return extents;
    }

    private static IOException damaged(Path where, String what) {
        return new IOException("unexpected content in " + where + ": " + what);
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
