package io.github.dax4j.internal.map;

import io.github.dax4j.*;
import io.github.dax4j.device.DaxDevice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alignment rules of {@link MappingPlan}, checked against an independent statement of them over random
 * sources, offsets, lengths and alignments: a plan is made exactly when every rule holds, and otherwise the
 * exception says which rule broke.
 */
class MappingPlanProperties {

    private static final long K4 = Alignment.PAGE_4K.bytes();
    private static final long M2 = Alignment.HUGE_2M.bytes();
    private static final long G1 = Alignment.HUGE_1G.bytes();

    @Provide
    Arbitrary<Source> sources() {
        Arbitrary<Long> faultSizes = Arbitraries.of(K4, M2, G1);
        // sizes are mostly multiples of 4 KiB, some not; up to 8 GiB
        Arbitrary<Long> sizes = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1L << 21).map(pages -> pages * K4),
                Arbitraries.longs().between(0, 8 * G1),
                Arbitraries.of(M2, 2 * M2, G1, 2 * G1));
        Arbitrary<Source> files = Combinators.combine(
                Arbitraries.of(FileSystemKind.TMPFS, FileSystemKind.EXT4, FileSystemKind.HUGETLBFS), sizes, faultSizes)
                .as((fs, size, fault) -> new FileSource(Path.of("/f"), Path.of("/f"), fs,
                        size, fs == FileSystemKind.EXT4 ? K4 : fault));
        Arbitrary<Source> devices = Combinators.combine(sizes, faultSizes).as((size, align) ->
                new DeviceDaxSource(Path.of("/dev/dax0.0"), Path.of("/dev/dax0.0"), new DaxDevice("dax0.0",
                        Path.of("/dev/dax0.0"), Path.of("/sys/dax0.0"), size, align, OptionalInt.empty(),
                        OptionalInt.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
                        Optional.of("device_dax"))));
        return Arbitraries.oneOf(files, devices);
    }

    @Provide
    Arbitrary<MapOptions> options() {
        Arbitrary<Long> offsets = Arbitraries.oneOf(
                Arbitraries.of(0L, K4, M2, G1, 3 * M2),
                Arbitraries.longs().between(0, 9 * G1));
        Arbitrary<Optional<Long>> lengths = Arbitraries.oneOf(
                Arbitraries.just(Optional.empty()),
                Arbitraries.of(K4, M2, G1, 2 * G1).map(Optional::of),
                Arbitraries.longs().between(1, 9 * G1).map(Optional::of));
        Arbitrary<Optional<Alignment>> alignments = Arbitraries.of(Alignment.class).optional(0.7);
        Arbitrary<Optional<Boolean>> stricts = Arbitraries.of(true, false).optional(0.5);
        return Combinators.combine(offsets, lengths, alignments, stricts).as((offset, length, alignment, strict) -> {
            MapOptions o = length.map(MapOptions::ofLength).orElse(MapOptions.wholeSource()).offset(offset);
            o = alignment.map(o::alignment).orElse(o);
            return strict.map(o::strict).orElse(o);
        });
    }

    @Property(tries = 3000)
    void aPlanIsMadeExactlyWhenEveryRuleHolds(@ForAll("sources") Source source, @ForAll("options") MapOptions options)
            throws Exception {
        long a = options.alignment().orElse(source.naturalAlignment()).bytes();
        boolean deviceDax = source instanceof DeviceDaxSource;
        boolean hugetlbfs = source instanceof FileSource f && f.fileSystem() == FileSystemKind.HUGETLBFS;
        boolean strict = deviceDax || options.isStrict();
        long offset = options.offset();
        long size = source.size();
        long length = options.length().orElse(size - offset);

        Class<? extends DaxException> expected;
        if ((deviceDax || hugetlbfs) && a % source.faultSize() != 0) {
            expected = AlignmentException.class;                       // smaller than the fault size
        } else if (strict && !deviceDax && source.faultSize() < a) {
            expected = AlignmentException.class;                       // a file that cannot fault at a
        } else if (offset % a != 0) {
            expected = AlignmentException.class;
        } else if (options.length().isEmpty() && offset >= size) {
            expected = SourceRangeException.class;                     // nothing left to map
        } else if (length % a != 0) {
            expected = AlignmentException.class;
        } else if (offset + length > size) {
            expected = SourceRangeException.class;
        } else {
            expected = null;
        }

        if (expected == null) {
            MappingPlan plan = MappingPlan.of(source, options);
            assertEquals(offset, plan.offset());
            assertEquals(length, plan.length());
            assertTrue(plan.length() > 0);
            assertEquals(0, plan.offset() % plan.alignment().bytes());
            assertEquals(0, plan.length() % plan.alignment().bytes());
            assertTrue(plan.offset() + plan.length() <= size);
            assertEquals(strict, plan.strict());
        } else {
            assertThrows(expected, () -> MappingPlan.of(source, options));
        }
    }

    @Property(tries = 1000)
    void refusalsNameTheOffendingValue(@ForAll("sources") Source source, @ForAll("options") MapOptions options)
            throws Exception {
        try {
            MappingPlan.of(source, options);
        } catch (AlignmentException | SourceRangeException e) {
            String m = e.getMessage();
            long a = options.alignment().orElse(source.naturalAlignment()).bytes();
            boolean namesValue = m.contains("offset " + options.offset())
                    || options.length().isPresent() && m.contains(Long.toString(options.length().getAsLong()))
                    || m.contains(Long.toString(source.size() - options.offset()))
                    || m.contains("alignment " + Alignment.ofBytes(a));
            assertTrue(namesValue, m);
            assertTrue(m.contains(source.path().toString()), "names the source: " + m);
        }
    }

    @Property
    void alignmentRoundingIsConsistent(@ForAll("alignmentsOf") Alignment a,
                                       @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long value) {
        long down = a.alignDown(value);
        long up = a.alignUp(value);
        assertTrue(a.isAligned(down) && a.isAligned(up));
        assertTrue(down <= value && value <= up);
        assertTrue(value - down < a.bytes() && up - value < a.bytes());
        assertEquals(a.isAligned(value), down == value);
        assertEquals(a.isAligned(value), up == value);
    }

    @Provide
    Arbitrary<Alignment> alignmentsOf() {
        return Arbitraries.of(Alignment.class);
    }

    @Property
    void onlyTheThreeAlignmentsExist(@ForAll @LongRange(min = -1, max = 1L << 31) long bytes) {
        if (bytes == K4 || bytes == M2 || bytes == G1) {
            assertEquals(bytes, Alignment.ofBytes(bytes).bytes());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Alignment.ofBytes(bytes));
            assertTrue(e.getMessage().contains(Long.toString(bytes)));
        }
    }
}
