package io.github.dax4j.layout;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Random struct layouts for properties, as a small tree that can be mutated one property at a time. {@link #build}
 * inserts the explicit padding the rules require, so every built layout is legal.
 */
sealed interface LayoutTree {

    String[] KINDS = {"i8", "bool8", "i16", "u16", "i32", "f32", "i64", "f64"};

    MemoryLayout build();

    record Value(String kind, boolean bigEndian, String name) implements LayoutTree {
        @Override
        public MemoryLayout build() {
            ValueLayout v = switch (kind) {
                case "i8" -> ValueLayout.JAVA_BYTE;
                case "bool8" -> ValueLayout.JAVA_BOOLEAN;
                case "i16" -> ValueLayout.JAVA_SHORT;
                case "u16" -> ValueLayout.JAVA_CHAR;
                case "i32" -> ValueLayout.JAVA_INT;
                case "f32" -> ValueLayout.JAVA_FLOAT;
                case "i64" -> ValueLayout.JAVA_LONG;
                case "f64" -> ValueLayout.JAVA_DOUBLE;
                default -> throw new IllegalArgumentException(kind);
            };
            v = v.withOrder(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            return name == null ? v : v.withName(name);
        }
    }

    record Sequence(long count, LayoutTree element, String name) implements LayoutTree {
        @Override
        public MemoryLayout build() {
            MemoryLayout s = MemoryLayout.sequenceLayout(count, element.build());
            return name == null ? s : s.withName(name);
        }
    }

    /** Padding the test chose, on top of what {@link Struct#build} adds to align the next member. */
    record Padding(long bytes) implements LayoutTree {
        @Override
        public MemoryLayout build() {
            return MemoryLayout.paddingLayout(bytes);
        }
    }

    /**
     * A struct of {@code members}; {@code alignment} 0 means its natural alignment, a larger power of two
     * over-aligns it (as a cache-line struct is), padding its end to a multiple.
     */
    record Struct(List<LayoutTree> members, String name, long alignment) implements LayoutTree {
        Struct(List<LayoutTree> members, String name) {
            this(members, name, 0);
        }

        @Override
        public MemoryLayout build() {
            List<MemoryLayout> parts = new ArrayList<>();
            long offset = 0;
            long alignment = Math.max(1, this.alignment);
            for (LayoutTree member : members) {
                MemoryLayout m = member.build();
                long gap = -offset & (m.byteAlignment() - 1);
                if (gap > 0) {
                    parts.add(MemoryLayout.paddingLayout(gap));
                    offset += gap;
                }
                parts.add(m);
                offset += m.byteSize();
                alignment = Math.max(alignment, m.byteAlignment());
            }
            long tail = -offset & (alignment - 1);
            if (tail > 0) {
                parts.add(MemoryLayout.paddingLayout(tail));
            }
            MemoryLayout s = MemoryLayout.structLayout(parts.toArray(MemoryLayout[]::new)).withByteAlignment(alignment);
            return name == null ? s : s.withName(name);
        }
    }

    static Arbitrary<LayoutTree> structs() {
        return struct(3);
    }

    private static Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6).injectNull(0.2);
    }

    private static Arbitrary<LayoutTree> struct(int depth) {
        Arbitrary<LayoutTree> member = depth == 0 ? value() : Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, value()),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 12).map(Padding::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> struct(depth - 1))),
                net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> sequence(depth - 1))));
        Arbitrary<Long> alignments = Arbitraries.of(0L, 0L, 0L, 16L, 64L); // mostly natural, sometimes over-aligned
        return Combinators.combine(member.list().ofMinSize(1).ofMaxSize(5), names(), alignments)
                .as((members, name, alignment) -> new Struct(members, name, alignment));
    }

    private static Arbitrary<LayoutTree> sequence(int depth) {
        Arbitrary<LayoutTree> element = depth == 0 ? value()
                : Arbitraries.oneOf(value(), Arbitraries.lazy(() -> struct(depth - 1)));
        return Combinators.combine(Arbitraries.longs().between(1, 4), element, names())
                .as((count, e, name) -> new Sequence(count, e, name));
    }

    private static Arbitrary<LayoutTree> value() {
        return Combinators.combine(Arbitraries.of(KINDS), Arbitraries.of(true, false), names())
                .as((kind, big, name) -> new Value(kind, big, name));
    }
}
