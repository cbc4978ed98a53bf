package io.github.dax4j;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.stateful.Action;
import net.jqwik.api.stateful.ActionSequence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The lifecycle of a mapping as a state machine: any sequence of stores, reads, persists, copies and closes keeps
 * a mapping that is either open (every call works, the memory holds what was stored, one mapping of the file
 * exists) or closed (every call fails with {@link IllegalStateException}, nothing of the file is mapped or open),
 * and closing again changes nothing.
 */
class MappingLifecycleProperties {

    private static final long SIZE = 64 * 1024;

    /** The mapping under test and what it should hold. */
    static final class Subject {
        final Path file;
        final DaxMapping pmem;
        final Map<Long, Long> stored = new HashMap<>();
        boolean closed;

        Subject() {
            try {
                file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-lifecycle-", ".img");
                Files.delete(file);
                pmem = DaxMapping.open(file, MapOptions.ofLength(SIZE).createIfAbsent().emulateMapSync());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void checkInvariant() {
            assertEquals(closed, pmem.isClosed());
            assertEquals(closed ? List.of() : List.of(1), NativeResources.mappingsOf(file).stream().map(l -> 1)
                    .toList(), "one mapping while open, none once closed");
            assertEquals(closed ? 0 : 1, NativeResources.descriptorsOn(file).size());
        }
    }

    record Put(long slot, long value) implements Action<Subject> {
        @Override
        public Subject run(Subject s) {
            if (s.closed) {
                assertThrows(IllegalStateException.class, () -> s.pmem.putLong(slot * 8, value));
            } else {
                s.pmem.putLong(slot * 8, value);
                s.stored.put(slot, value);
            }
            return s;
        }
    }

    record Read(long slot) implements Action<Subject> {
        @Override
        public Subject run(Subject s) {
            if (s.closed) {
                assertThrows(IllegalStateException.class, () -> s.pmem.getLong(slot * 8));
                assertThrows(IllegalStateException.class, () -> s.pmem.segment().get(
                        java.lang.foreign.ValueLayout.JAVA_LONG, slot * 8));
            } else {
                assertEquals(s.stored.getOrDefault(slot, 0L), s.pmem.getLong(slot * 8));
            }
            return s;
        }
    }

    record Persist(long slot, long slots) implements Action<Subject> {
        @Override
        public Subject run(Subject s) {
            if (s.closed) {
                assertThrows(IllegalStateException.class, () -> s.pmem.persist(slot * 8, slots * 8));
            } else {
                s.pmem.persist(slot * 8, slots * 8);
            }
            return s;
        }
    }

    record Copy(long slot, long value) implements Action<Subject> {
        @Override
        public Subject run(Subject s) {
            MemorySegment source = MemorySegment.ofArray(new long[] {value, value + 1});
            if (s.closed) {
                assertThrows(IllegalStateException.class, () -> s.pmem.copy(slot * 8, source));
            } else {
                s.pmem.copy(slot * 8, source);
                s.stored.put(slot, value);
                s.stored.put(slot + 1, value + 1);
            }
            return s;
        }
    }

    record Close() implements Action<Subject> {
        @Override
        public Subject run(Subject s) {
            s.pmem.close();
            s.closed = true;
            return s;
        }
    }

    @Provide
    Arbitrary<ActionSequence<Subject>> lifecycles() {
        Arbitrary<Long> slots = Arbitraries.longs().between(0, SIZE / 8 - 2);
        Arbitrary<Long> values = Arbitraries.longs();
        return Arbitraries.sequences(Arbitraries.oneOf(
                net.jqwik.api.Combinators.combine(slots, values).as(Put::new),
                slots.map(Read::new),
                net.jqwik.api.Combinators.combine(slots, Arbitraries.longs().between(0, 2)).as(Persist::new),
                net.jqwik.api.Combinators.combine(slots, values).as(Copy::new),
                Arbitraries.of(new Close()))).ofSize(30);
    }

    @Property(tries = 200)
    void everySequenceKeepsTheMappingOpenOrClosedNeverBetween(@ForAll("lifecycles") ActionSequence<Subject> calls)
            throws IOException {
        Subject subject = new Subject();
        try {
            calls.withInvariant(Subject::checkInvariant).run(subject);
        } finally {
            subject.pmem.close();
            Files.deleteIfExists(subject.file);
        }
    }
}
