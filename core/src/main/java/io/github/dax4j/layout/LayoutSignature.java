package io.github.dax4j.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A canonical, stable description of a {@link MemoryLayout} and a 128-bit hash of it: what a region records on the
 * device so that it is never reopened under another layout.
 *
 * <p>The canonical form, one grammar rule per kind of layout ({@code A} is the byte alignment):
 * <pre>
 * value     i8 | i16 | i32 | i64 | u16 (char) | bool8 | f32 | f64, then le|be, then /A      e.g.  i64le/8
 * padding   pad&lt;bytes&gt;                                                                    e.g.  pad4
 * sequence  &lt;count&gt;x(&lt;element&gt;)/A                                                       e.g.  16x(i32le/4)/4
 * struct    struct/A{@&lt;offset&gt; &lt;member&gt;; @&lt;offset&gt; &lt;member&gt;; ...}
 * union     union/A{@0 &lt;member&gt;; @0 &lt;member&gt;; ...}
 * name      any of the above followed by  '&lt;name&gt;'  when the layout has a name ('\' and ''' escaped by '\')
 * </pre>
 * So {@code struct/8{@0 i64le/8 'key'; @8 i32le/4 'state'; @12 pad4}} is a key, a state and explicit padding.
 * Every property that changes the bytes' meaning (member names, kinds, sizes, offsets, byte order, alignment,
 * nesting, sequence counts) is in the form; nothing else is. The hash is the first 128 bits of SHA-256 of the form's
 * UTF-8 bytes: equal across JVM runs and machines.
 *
 * @param canonical the canonical form
 * @param high      the first 64 bits of the hash
 * @param low       the next 64 bits of the hash
 */
record LayoutSignature(String canonical, long high, long low) {

    /** {@return the signature of {@code layout}} */
    static LayoutSignature of(MemoryLayout layout) {
        return ofCanonical(canonical(layout));
    }

    /** {@return the signature of a layout whose canonical form is {@code canonical}, e.g. as read from a device} */
    static LayoutSignature ofCanonical(String canonical) {
        byte[] digest = sha256(canonical.getBytes(StandardCharsets.UTF_8));
        ByteBuffer hash = ByteBuffer.wrap(digest).order(ByteOrder.BIG_ENDIAN);
        return new LayoutSignature(canonical, hash.getLong(), hash.getLong());
    }

    /** {@return the canonical form of {@code layout}} */
    static String canonical(MemoryLayout layout) {
        StringBuilder out = new StringBuilder();
        append(out, layout);
        return out.toString();
    }

    /** {@return whether the hash of this signature is {@code high}, {@code low}} */
    boolean matches(long high, long low) {
        return this.high == high && this.low == low;
    }

    private static void append(StringBuilder out, MemoryLayout layout) {
        switch (layout) {
            case ValueLayout v -> out.append(kind(v)).append(v.order() == ByteOrder.LITTLE_ENDIAN ? "le" : "be")
                    .append('/').append(v.byteAlignment());
            case PaddingLayout p -> out.append("pad").append(p.byteSize());
            case SequenceLayout s -> {
                out.append(s.elementCount()).append("x(");
                append(out, s.elementLayout());
                out.append(")/").append(s.byteAlignment());
            }
            case StructLayout st -> {
                out.append("struct/").append(st.byteAlignment()).append('{');
                long offset = 0;
                String separator = "";
                for (MemoryLayout member : st.memberLayouts()) {
                    out.append(separator).append('@').append(offset).append(' ');
                    append(out, member);
                    offset += member.byteSize();
                    separator = "; ";
                }
                out.append('}');
            }
            case UnionLayout u -> {
                out.append("union/").append(u.byteAlignment()).append('{');
                String separator = "";
                for (MemoryLayout member : u.memberLayouts()) {
                    out.append(separator).append("@0 ");
                    append(out, member);
                    separator = "; ";
                }
                out.append('}');
            }
            default -> throw new IllegalArgumentException("a layout of an unknown kind: " + layout);
        }
        layout.name().ifPresent(name -> out.append(" '")
                .append(name.replace("\\", "\\\\").replace("'", "\\'")).append('\''));
    }

    private static String kind(ValueLayout v) {
        Class<?> carrier = v.carrier();
        if (carrier == byte.class) return "i8";
        if (carrier == short.class) return "i16";
        if (carrier == int.class) return "i32";
        if (carrier == long.class) return "i64";
        if (carrier == char.class) return "u16";
        if (carrier == boolean.class) return "bool8";
        if (carrier == float.class) return "f32";
        if (carrier == double.class) return "f64";
        throw new IllegalArgumentException("a value of carrier " + carrier + " has no place on a device: " + v);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low) + " " + canonical;
    }
}
