package io.github.dax4j.internal.map;

import io.github.dax4j.Alignment;
import io.github.dax4j.AlignmentException;
import io.github.dax4j.DaxException;
import io.github.dax4j.DeviceDaxSource;
import io.github.dax4j.FileSource;
import io.github.dax4j.FileSystemKind;
import io.github.dax4j.MapOptions;
import io.github.dax4j.SimulatedSource;
import io.github.dax4j.Source;
import io.github.dax4j.SourceRangeException;

/**
 * The checked geometry of a mapping: which bytes of the source, at which alignment. {@link #of} applies every rule
 * before anything is mapped, so a mapping that would fault at the wrong size, run past the source's end or be
 * refused by the kernel is refused here with the values that break the rule.
 *
 * <p>The rules, for alignment {@code A} and a source of {@code size} bytes:
 * <ol>
 *   <li>{@code A} is the options' alignment, else the source's natural one (device-DAX: its {@code align};
 *       hugetlbfs: its page size; other files: 4 KiB).</li>
 *   <li>Device-DAX: {@code A} is a multiple of the device's {@code align}, the fault size the kernel enforces.</li>
 *   <li>Hugetlbfs: {@code A} is a multiple of the mount's page size; the kernel refuses anything else.</li>
 *   <li>Strict files (on request): the file can fault at {@code A}. Device-DAX is strict by rule 2: every fault
 *       is of its {@code align}, and {@code A} is a multiple of that.</li>
 *   <li>{@code offset} and {@code length} are multiples of {@code A}; {@code length > 0};
 *       {@code offset + length <= size}. Without a length, everything from {@code offset} to the end.</li>
 * </ol>
 *
 * @param offset    the first byte of the source that is mapped
 * @param length    the number of bytes mapped
 * @param alignment the alignment of offset, length and address
 * @param strict    whether the source's fault size was checked against {@code alignment} (always for device-DAX)
 */
public record MappingPlan(long offset, long length, Alignment alignment, boolean strict) {

    public static MappingPlan of(Source source, MapOptions options) throws DaxException {
        if (source instanceof DeviceDaxSource dax && java.util.Arrays.stream(Alignment.values())
                .noneMatch(a -> a.bytes() == dax.faultSize())) {
            throw new AlignmentException("unsupported align " + dax.faultSize() + " of " + source.describe()
                    + ": dax4j maps at 4 KiB (4096), 2 MiB (2097152) or 1 GiB (1073741824)");
        }
        Alignment alignment = options.alignment().orElseGet(source::naturalAlignment);
        boolean strict = source instanceof DeviceDaxSource || options.isStrict();
        switch (source) {
            case DeviceDaxSource dax -> {
                if (alignment.bytes() % dax.faultSize() != 0) {
                    throw new AlignmentException("alignment " + alignment + " (" + alignment.bytes()
                            + ") is smaller than the align " + dax.faultSize() + " of " + source.describe()
                            + ": device-DAX faults at its align, so map at " + Alignment.ofBytes(dax.faultSize())
                            + " or a multiple of it");
                }
            }
            case SimulatedSource simulated -> {
            }
            case FileSource file -> {
                if (file.fileSystem() == FileSystemKind.HUGETLBFS && alignment.bytes() % file.faultSize() != 0) {
                    throw new AlignmentException("alignment " + alignment + " (" + alignment.bytes()
                            + ") is smaller than the huge page size " + file.faultSize() + " of " + source.describe()
                            + ": hugetlbfs maps whole huge pages only");
                }
                if (strict && file.faultSize() < alignment.bytes()) {
                    throw new AlignmentException("strict mapping refused: " + source.describe() + " faults at "
                            + file.faultSize() + " bytes, not at the alignment " + alignment + " ("
                            + alignment.bytes() + "); " + remedy(alignment));
                }
            }
        }
        long offset = options.offset();
        if (!alignment.isAligned(offset)) {
            throw new AlignmentException("offset " + offset + " into " + source.describe()
                    + " is not a multiple of the alignment " + alignment + " (" + alignment.bytes() + ")");
        }
        long size = source.size();
        if (offset >= size && options.length().isEmpty()) {
            throw new SourceRangeException("nothing to map: offset " + offset + " is at or past the end of "
                    + source.describe() + ", which has " + size + " bytes");
        }
        long length = options.length().orElse(size - offset);
        if (!alignment.isAligned(length)) {
            throw new AlignmentException("length " + length + " of the mapping of " + source.describe()
                    + " is not a multiple of the alignment " + alignment + " (" + alignment.bytes() + ")"
                    + (options.length().isEmpty() ? ": the source's size " + size + " is not, give a length" : ""));
        }
        if (offset > size || length > size - offset) {
            throw new SourceRangeException("cannot map " + length + " bytes at offset " + offset + " of "
                    + source.describe() + ": it has only " + size + " bytes (dax4j never grows a source)");
        }
        return new MappingPlan(offset, length, alignment, strict);
    }

    private static String remedy(Alignment alignment) {
        return switch (alignment) {
            case PAGE_4K -> "any file can fault at 4 KiB";
            case HUGE_2M -> "mount tmpfs with huge=always, or hugetlbfs with pagesize=2M, or map without strict";
            case HUGE_1G -> "mount hugetlbfs with pagesize=1G (hugepagesz=1G on the kernel command line), "
                    + "or map without strict";
        };
    }
}
