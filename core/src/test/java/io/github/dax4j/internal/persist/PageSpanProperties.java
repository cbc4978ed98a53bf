package io.github.dax4j.internal.persist;

import io.github.dax4j.*;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PageSpan} covers a byte range with whole pages, and never more than it must. */
class PageSpanProperties {

    /** A page-aligned mapping of some pages, and a range inside it. */
    record Case(long pageSize, long mappingLength, long offset, long length) {
    }

    @Provide
    Arbitrary<Case> rangesInsideMappings() {
        Arbitrary<Long> pageSizes = Arbitraries.of(4096L, 16384L, 65536L, 2L << 20, 1L << 30);
        Arbitrary<Long> pages = Arbitraries.longs().between(1, 1 << 20);
        return Combinators.combine(pageSizes, pages).flatAs((page, count) -> {
            long mapping = page * count;
            return Arbitraries.longs().between(0, mapping).flatMap(offset ->
                    Arbitraries.longs().between(0, mapping - offset)
                            .map(length -> new Case(page, mapping, offset, length)));
        });
    }

    @Property(tries = 2000)
    void theSpanIsPageAlignedAndCoversTheRange(@ForAll("rangesInsideMappings") Case c) {
        PageSpan span = PageSpan.covering(c.offset(), c.length(), c.pageSize());
        assertEquals(0, span.offset() % c.pageSize(), "start on a page boundary");
        assertEquals(0, span.length() % c.pageSize(), "whole pages");
        if (c.length() > 0) {
            assertTrue(span.offset() <= c.offset(), "starts at or before the range");
            assertTrue(span.offset() + span.length() >= c.offset() + c.length(), "ends at or after the range");
        } else {
            assertEquals(0, span.length(), "an empty range gives an empty span");
        }
    }

    @Property(tries = 2000)
    void theSpanNeverLeavesTheMapping(@ForAll("rangesInsideMappings") Case c) {
        PageSpan span = PageSpan.covering(c.offset(), c.length(), c.pageSize());
        assertTrue(span.offset() >= 0);
        assertTrue(span.offset() + span.length() <= c.mappingLength(),
                () -> span + " leaves a mapping of " + c.mappingLength());
    }

    @Property(tries = 2000)
    void theSpanIsTheSmallestCover(@ForAll("rangesInsideMappings") Case c) {
        PageSpan span = PageSpan.covering(c.offset(), c.length(), c.pageSize());
        if (c.length() > 0) {
            assertTrue(c.offset() - span.offset() < c.pageSize(), "less than a page before the range");
            assertTrue(span.offset() + span.length() - (c.offset() + c.length()) < c.pageSize(),
                    "less than a page after the range");
        }
    }

    @Property
    void pageSizesThatAreNotPowersOfTwoAreRefused(@ForAll @LongRange(min = 3, max = 1 << 30) long pageSize) {
        if (Long.bitCount(pageSize) != 1) {
            assertThrows(IllegalArgumentException.class, () -> PageSpan.covering(0, 1, pageSize));
        }
    }

    @Property
    void negativeRangesAreRefused(@ForAll @IntRange(min = 1) int negative) {
        assertThrows(IllegalArgumentException.class, () -> PageSpan.covering(-negative, 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> PageSpan.covering(0, -negative, 4096));
    }
}
