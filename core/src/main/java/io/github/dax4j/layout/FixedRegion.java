package io.github.dax4j.layout;

import io.github.dax4j.DaxMapping;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A named region of a mapping holding {@link #count()} elements of one fixed {@link MemoryLayout}.
 *
 * <pre>{@code
 * StructLayout SLOT = MemoryLayout.structLayout(JAVA_LONG.withName("key"), JAVA_LONG.withName("value"));
 * FixedRegion slots = directory.create("slots", SLOT, 1024, RegionAlignment.MAPPING, true);
 * VarHandle KEY = slots.varHandle(MemoryLayout.PathElement.groupElement("key"));
 * KEY.set(slots.element(7), 0L, 42L);   // the handle's second coordinate is the base offset, 0
 * slots.persist(7);
 * }</pre>
 *
 * <p>Invariants: element {@code i} is the slice {@code [offset + i * stride, offset + i * stride + elementSize)}
 * of the mapping and nothing more, so no access through it can reach another element, padding or region; the
 * bounds, layout and stride are fixed by the directory entry and checked against the expected layout on every
 * open. Persisting an element persists exactly its bytes (with cache-line isolation, exactly its own lines).
 * Immutable; as thread-safe as the mapping.
 */
public final class FixedRegion {

    private final DaxMapping mapping;
    private final RegionInfo info;
    private final MemoryLayout layout;
    /** Made at the first {@link #segment} or {@link #element}: a region opened and read only through the mapping's
     *  accessors never hands out the mapping's segment (which a crash simulator could not see through). A benign race, as for
     *  {@code String.hash}: two threads may each make an equal slice. */
    private MemorySegment segment;

    FixedRegion(DaxMapping mapping, RegionInfo info, MemoryLayout layout) {
        this.mapping = mapping;
        this.info = info;
        this.layout = layout;
    }

    /** {@return the region's name} */
    public String name() {
        return info.name();
    }

    /** {@return what the directory entry records} */
    public RegionInfo info() {
        return info;
    }

    /** {@return the element layout} */
    public MemoryLayout layout() {
        return layout;
    }

    /** {@return the number of elements} */
    public long count() {
        return info.count();
    }

    /** {@return the whole region, padding between isolated elements included} */
    public MemorySegment segment() {
        if (segment == null) {
            segment = mapping.segment().asSlice(info.offset(), info.byteSize());
        }
        return segment;
    }

    /**
     * {@return element {@code index}: a slice exactly {@code layout().byteSize()} bytes long} A slice of
     * {@link DaxMapping#segment()}: read-only for a read-only mapping (a write then throws the JDK's
     * {@code IllegalArgumentException}), and its writes are raw ones for a simulated device (see there).
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, count())}
     */
    public MemorySegment element(long index) {
        Objects.checkIndex(index, info.count());
        return segment().asSlice(index * info.stride(), info.elementSize(), layout.byteAlignment());
    }

    /** {@return the offset of element {@code index} from the start of the mapping} */
    public long elementOffset(long index) {
        Objects.checkIndex(index, info.count());
        return info.offset() + index * info.stride();
    }

    /**
     * {@return a handle to the value at {@code path} inside an element} Coordinates, as
     * {@link MemoryLayout#varHandle} gives them: the element segment and a base offset (pass {@code 0L}).
     */
    public VarHandle varHandle(MemoryLayout.PathElement... path) {
        return layout.varHandle(path);
    }

    /**
     * Makes element {@code index} durable: {@link DaxMapping#persist} of exactly its bytes.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, count())}
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     */
    public void persist(long index) {
        mapping.persist(elementOffset(index), info.elementSize());
    }

    /**
     * Starts making element {@code index} durable; it is after the mapping's next {@link DaxMapping#drain()}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, count())}
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     */
    public void flush(long index) {
        mapping.flush(elementOffset(index), info.elementSize());
    }

    @Override
    public String toString() {
        return "FixedRegion[" + info.name() + ", " + info.count() + " x " + info.elementSize() + " bytes (stride "
                + info.stride() + ") at " + info.offset() + ", " + info.layout() + "]";
    }
}
