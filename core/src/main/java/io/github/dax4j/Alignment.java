package io.github.dax4j;

/**
 * The granularity a mapping is configured for: the page sizes x86-64 and aarch64 (4 KiB granule) map with one page
 * table entry at each level.
 *
 * <p>A mapping's offset, length and address are all multiples of its alignment, so that every fault the kernel
 * takes can be served at that size. Device-DAX fixes its fault size when the instance is configured ({@code align}
 * in sysfs); a mapping of it must use that alignment or a multiple of it. Hugetlbfs fixes it per mount
 * ({@code pagesize=}); tmpfs mounted with {@code huge=always} or {@code huge=within_size} may serve 2 MiB; other
 * files fault at 4 KiB.
 */
public enum Alignment {

    /** 4 KiB: a page table entry (PTE). */
    PAGE_4K(4L << 10, "4 KiB"),
    /** 2 MiB: a page middle directory entry (PMD). */
    HUGE_2M(2L << 20, "2 MiB"),
    /** 1 GiB: a page upper directory entry (PUD). */
    HUGE_1G(1L << 30, "1 GiB");

    private final long bytes;
    private final String displayName;

    Alignment(long bytes, String displayName) {
        this.bytes = bytes;
        this.displayName = displayName;
    }

    /** {@return the alignment in bytes: 4096, 2097152 or 1073741824} */
    public long bytes() {
        return bytes;
    }

    /**
     * {@return the alignment of exactly {@code bytes}}
     *
     * @throws IllegalArgumentException if {@code bytes} is none of 4 KiB, 2 MiB and 1 GiB
     */
    public static Alignment ofBytes(long bytes) {
        for (Alignment a : values()) {
            if (a.bytes == bytes) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported alignment " + bytes + ": dax4j maps at 4 KiB (4096), 2 MiB"
                + " (2097152) or 1 GiB (1073741824)");
    }

    /** {@return whether {@code value} is a multiple of this alignment} */
    public boolean isAligned(long value) {
        return (value & (bytes - 1)) == 0;
    }

    /** {@return {@code value} rounded down to a multiple of this alignment} */
    public long alignDown(long value) {
        return value & -bytes;
    }

    /**
     * {@return {@code value} rounded up to a multiple of this alignment}
     *
     * @throws ArithmeticException if the result does not fit in a {@code long}
     */
    public long alignUp(long value) {
        return Math.addExact(value, bytes - 1) & -bytes;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
