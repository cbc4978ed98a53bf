package io.github.dax4j.layout;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;

/**
 * The rules a layout must follow to describe bytes on a device exactly.
 *
 * <ol>
 *   <li>Its size is a positive multiple of its alignment, so that elements repeat with no gap between them.</li>
 *   <li>Every value is naturally aligned: its alignment is its size (no {@code withByteAlignment(1)}), and so is
 *       its offset (a struct already places members only at multiples of their alignment).</li>
 *   <li>No implicit padding: a struct's members, sequences' elements and, for a union, each member fill the space
 *       exactly; gaps must be written as {@link MemoryLayout#paddingLayout(long)}. Unions whose members differ in
 *       size are refused for that reason.</li>
 *   <li>No addresses: a pointer means nothing on a device that is mapped at another address next time.</li>
 * </ol>
 */
final class LayoutRules {

    private LayoutRules() {
    }

    /**
     * Checks {@code layout} against every rule.
     *
     * @throws DirectoryException with reason {@code LAYOUT_RULE}, naming the first member (as a path from the
     *                            root) that breaks a rule, and why
     */
    static void check(MemoryLayout layout) throws DirectoryException {
        if (layout.byteSize() == 0) {
            throw DirectoryException.layoutRule("the layout " + layout
                    + " is empty: an element needs at least one byte");
        }
        if (layout.byteSize() % layout.byteAlignment() != 0) {
            long padding = layout.byteAlignment() - layout.byteSize() % layout.byteAlignment();
            throw DirectoryException.layoutRule("the layout " + layout + " is " + layout.byteSize() + " bytes, not a"
                    + " multiple of its alignment " + layout.byteAlignment() + ": end it with paddingLayout("
                    + padding + ")");
        }
        check(layout, name(layout, "element"));
    }

    private static void check(MemoryLayout layout, String path) throws DirectoryException {
        switch (layout) {
            case AddressLayout a -> throw DirectoryException.layoutRule(path + " is an address (" + a
                    + "): addresses mean nothing on a device mapped elsewhere next time");
            case ValueLayout v -> {
                if (v.byteAlignment() != v.byteSize()) {
                    throw DirectoryException.layoutRule(path + " (" + v
                            + ") is not naturally aligned: its alignment is "
                            + v.byteAlignment() + ", its size " + v.byteSize());
                }
            }
            case PaddingLayout p -> {
            }
            case SequenceLayout s -> {
                MemoryLayout element = s.elementLayout();
                if (element.byteSize() % element.byteAlignment() != 0) {
                    throw DirectoryException.layoutRule(path + "[] has elements of " + element.byteSize()
                            + " bytes aligned to " + element.byteAlignment() + ": they would be padded implicitly");
                }
                check(element, path + "[]");
            }
            case StructLayout st -> {
                long offset = 0;
                int index = 0;
                for (MemoryLayout member : st.memberLayouts()) {
                    String memberPath = path + "." + name(member, "#" + index++);
                    if (offset % member.byteAlignment() != 0) {
                        throw DirectoryException.layoutRule(memberPath + " at offset " + offset
                                + " is not aligned to " + member.byteAlignment());
                    }
                    check(member, memberPath);
                    offset += member.byteSize();
                }
                if (offset != st.byteSize()) {
                    throw DirectoryException.layoutRule(path + " has " + (st.byteSize() - offset)
                            + " bytes of implicit padding: add paddingLayout(" + (st.byteSize() - offset) + ")");
                }
            }
            case UnionLayout u -> {
                int index = 0;
                for (MemoryLayout member : u.memberLayouts()) {
                    String memberPath = path + "." + name(member, "#" + index++);
                    if (member.byteSize() != u.byteSize()) {
                        throw DirectoryException.layoutRule(memberPath + " is " + member.byteSize()
                                + " bytes in a union of "
                                + u.byteSize() + ": the rest would be implicit padding; pad it to the union's size");
                    }
                    check(member, memberPath);
                }
            }
            default -> throw DirectoryException.layoutRule(path + " is a layout of an unknown kind: " + layout);
        }
    }

    private static String name(MemoryLayout layout, String otherwise) {
        return layout.name().orElse(otherwise);
    }
}
