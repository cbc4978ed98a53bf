package io.github.dax4j.layout;

import io.github.dax4j.DaxException;

/**
 * A layout that breaks a rule of strict fixed layouts; the message names the first member (as a path from the
 * root) that breaks one, and why.
 *
 * <p>The rules a layout must follow to describe bytes on a device exactly.
 *
 * <ol>
 *   <li>Its size is a positive multiple of its alignment, so that elements repeat with no gap between them.</li>
 *   <li>Every value is naturally aligned: its alignment is its size (no {@code withByteAlignment(1)}), and so is
 *       its offset (a struct already places members only at multiples of their alignment).</li>
 *   <li>No implicit padding: a struct's members, sequences' elements and, for a union, each member fill the space
 *       exactly; gaps must be written as {@link java.lang.foreign.MemoryLayout#paddingLayout(long)}. Unions whose members differ in
 *       size are refused for that reason.</li>
 *   <li>No addresses: a pointer means nothing on a device that is mapped at another address next time.</li>
 * </ol>
 */
public class LayoutRuleException extends DaxException {

    private static final long serialVersionUID = 1L;

    public LayoutRuleException(String message) {
        super(message);
    }
}
