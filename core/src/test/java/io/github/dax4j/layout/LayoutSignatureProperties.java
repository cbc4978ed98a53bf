package io.github.dax4j.layout;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A layout's signature is a function of what its bytes mean, and of nothing else. */
class LayoutSignatureProperties {

    @Provide
    Arbitrary<LayoutTree> layouts() {
        return LayoutTree.structs();
    }

    @Property(tries = 500)
    void theSameLayoutBuiltTwiceHasTheSameSignature(@ForAll("layouts") LayoutTree tree) {
        assertEquals(LayoutSignature.of(tree.build()), LayoutSignature.of(tree.build()));
    }

    @Property(tries = 3000)
    void everySingleChangeChangesTheSignature(@ForAll("layouts") LayoutTree tree) {
        LayoutSignature original = LayoutSignature.of(tree.build());
        for (LayoutTree changed : mutations(tree)) {
            LayoutSignature other = LayoutSignature.of(changed.build());
            assertNotEquals(original.canonical(), other.canonical(), () -> "unchanged by " + changed);
            assertNotEquals(original.high() + ":" + original.low(), other.high() + ":" + other.low());
        }
    }

    @Property(tries = 300)
    void everyGeneratedLayoutFollowsTheRules(@ForAll("layouts") LayoutTree tree) throws Exception {
        LayoutRules.check(tree.build());
    }

    /** The stable form, pinned: a change here breaks every device written before it. */
    @Test
    void theCanonicalFormAndHashAreStable() {
        MemoryLayout slot = MemoryLayout.structLayout(JAVA_LONG.withName("key"), JAVA_INT.withName("state"),
                MemoryLayout.paddingLayout(4), MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("value"));
        LayoutSignature signature = LayoutSignature.of(slot);
        assertEquals("struct/8{@0 i64le/8 'key'; @8 i32le/4 'state'; @12 pad4; @16 2x(i64le/8)/8 'value'}",
                signature.canonical());
        assertEquals(LayoutSignature.ofCanonical(signature.canonical()), signature);
        assertEquals("struct/8{@0 i64le/8 'it\\'s'}",
                LayoutSignature.canonical(MemoryLayout.structLayout(JAVA_LONG.withName("it's"))));
        assertEquals(PINNED_HASH, java.util.HexFormat.of().toHexDigits(signature.high())
                + java.util.HexFormat.of().toHexDigits(signature.low()));
    }

    /** SHA-256 of the canonical form above, first 128 bits ({@code printf %s '...' | sha256sum}), pinned. */
    private static final String PINNED_HASH = "80a425681e34ae85cbbfc87feb6db0dd";

    /** Every tree that differs from {@code tree} in exactly one property of one node. */
    static List<LayoutTree> mutations(LayoutTree tree) {
        List<LayoutTree> out = new ArrayList<>();
        mutate(tree, UnaryOperator.identity(), out);
        return out;
    }

    private static void mutate(LayoutTree node, UnaryOperator<LayoutTree> rebuild, List<LayoutTree> out) {
        switch (node) {
            case LayoutTree.Value v -> {
                out.add(rebuild.apply(new LayoutTree.Value(v.kind(), !v.bigEndian(), v.name())));
                out.add(rebuild.apply(new LayoutTree.Value(sibling(v.kind()), v.bigEndian(), v.name())));
                out.add(rebuild.apply(new LayoutTree.Value(v.kind(), v.bigEndian(), renamed(v.name()))));
            }
            case LayoutTree.Sequence s -> {
                out.add(rebuild.apply(new LayoutTree.Sequence(s.count() + 1, s.element(), s.name())));
                out.add(rebuild.apply(new LayoutTree.Sequence(s.count(), s.element(), renamed(s.name()))));
                mutate(s.element(), e -> rebuild.apply(new LayoutTree.Sequence(s.count(), e, s.name())), out);
            }
            case LayoutTree.Padding p -> out.add(rebuild.apply(new LayoutTree.Padding(p.bytes() + 1)));
            case LayoutTree.Struct st -> {
                out.add(rebuild.apply(new LayoutTree.Struct(st.members(), renamed(st.name()), st.alignment())));
                out.add(rebuild.apply(new LayoutTree.Struct(st.members(), st.name(), overAligned(st))));
                List<LayoutTree> longer = new ArrayList<>(st.members());
                longer.add(new LayoutTree.Value("i8", false, null));
                out.add(rebuild.apply(new LayoutTree.Struct(longer, st.name(), st.alignment())));
                // padding of the struct's alignment in front: every member moves by it (a smaller one could fill
                // a gap the alignment left, and the bytes would stay where they were)
                List<LayoutTree> padded = new ArrayList<>(st.members());
                padded.addFirst(new LayoutTree.Padding(st.build().byteAlignment()));
                out.add(rebuild.apply(new LayoutTree.Struct(padded, st.name(), st.alignment())));
                // the first member one level deeper: same bytes, other nesting
                List<LayoutTree> nested = new ArrayList<>(st.members());
                nested.set(0, new LayoutTree.Struct(List.of(st.members().getFirst()), null));
                out.add(rebuild.apply(new LayoutTree.Struct(nested, st.name(), st.alignment())));
                if (st.members().size() > 1 && !st.members().get(0).equals(st.members().get(1))) {
                    List<LayoutTree> swapped = new ArrayList<>(st.members());
                    swapped.set(0, st.members().get(1));
                    swapped.set(1, st.members().get(0));
                    out.add(rebuild.apply(new LayoutTree.Struct(swapped, st.name(), st.alignment())));
                }
                for (int i = 0; i < st.members().size(); i++) {
                    int index = i;
                    mutate(st.members().get(i), m -> {
                        List<LayoutTree> members = new ArrayList<>(st.members());
                        members.set(index, m);
                        return rebuild.apply(new LayoutTree.Struct(members, st.name(), st.alignment()));
                    }, out);
                }
            }
        }
    }

    /** {@return an alignment for {@code st} above the one it has} */
    private static long overAligned(LayoutTree.Struct st) {
        return 2 * Math.max(st.alignment(), st.build().byteAlignment());
    }

    /** The other kind of the same size: the bytes stay where they are, their meaning changes. */
    private static String sibling(String kind) {
        return switch (kind) {
            case "i8" -> "bool8";
            case "bool8" -> "i8";
            case "i16" -> "u16";
            case "u16" -> "i16";
            case "i32" -> "f32";
            case "f32" -> "i32";
            case "i64" -> "f64";
            case "f64" -> "i64";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static String renamed(String name) {
        return name == null ? "renamed" : name.equals("x") ? null : "x";
    }
}
