package io.github.dax4j;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every combination of {@link MapOptions} settings, on an existing 4 MiB tmpfs file or an absent path: the options
 * are refused by the setter that completes a conflict, or the open either gives a mapping that is exactly what the
 * options asked for or fails with one of the exceptions {@link DaxMapping#open} documents. Never another
 * exception, never a mapping that silently differs, and a refused open leaves no descriptor, mapping or file.
 */
class MapOptionsProperties {

    private static final long FILE = 4L << 20;

    /** One choice per setting; {@code null} or -1 where the setting is left alone. */
    record Choice(boolean existing, long length, long offset, boolean create, boolean readOnly, Alignment alignment,
                  boolean strict, boolean prefault, boolean exclusive, PersistMechanism mechanism,
                  boolean acceptNonDurable, long threshold, boolean emulate) {
    }

    private Path dir;
    private Path path;

    @BeforeTry
    void scratch() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-options-");
        path = dir.resolve("source");
    }

    @AfterTry
    void clean() throws IOException {
        Files.deleteIfExists(path);
        Files.delete(dir);
    }

    @Provide
    Arbitrary<Choice> choices() {
        return Builders.withBuilder(() -> new Object[13])
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 0, v))
                .use(Arbitraries.of(-1L, 4096L, 5000L, 1L << 20, 2L << 20, 3L << 20, 8L << 20)).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.of(0L, 4096L, 4097L, 2L << 20, 4L << 20)).in((a, v) -> set(a, 2, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 3, v))
                .use(Arbitraries.of(true, false, false)).in((a, v) -> set(a, 4, v))
                .use(Arbitraries.of(Alignment.PAGE_4K, Alignment.HUGE_2M, Alignment.HUGE_1G).injectNull(0.4))
                .in((a, v) -> set(a, 5, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 6, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 7, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 8, v))
                .use(Arbitraries.of(PersistMechanism.MSYNC, PersistMechanism.CLWB, PersistMechanism.CLFLUSHOPT,
                        PersistMechanism.CLFLUSH, PersistMechanism.DC_CVAP, PersistMechanism.FENCE_ONLY,
                        PersistMechanism.NONE).injectNull(0.4)).in((a, v) -> set(a, 9, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 10, v))
                .use(Arbitraries.of(-1L, 0L, 64L, 256L, Long.MAX_VALUE)).in((a, v) -> set(a, 11, v))
                .use(Arbitraries.of(true, true, false)).in((a, v) -> set(a, 12, v))
                .build(a -> new Choice((Boolean) a[0], (Long) a[1], (Long) a[2], (Boolean) a[3], (Boolean) a[4],
                        (Alignment) a[5], (Boolean) a[6], (Boolean) a[7], (Boolean) a[8], (PersistMechanism) a[9],
                        (Boolean) a[10], (Long) a[11], (Boolean) a[12]));
    }

    private static Object[] set(Object[] array, int index, Object value) {
        array[index] = value;
        return array;
    }

    /** {@return the options, or empty when a setter refused them as it must} */
    private static Optional<MapOptions> build(Choice c) {
        MapOptions options = c.length() < 0 ? MapOptions.wholeSource() : MapOptions.ofLength(c.length());
        options = options.offset(c.offset());
        boolean conflict = false;
        try {
            if (c.create()) {
                options = options.createIfAbsent();
            }
            if (c.readOnly()) {
                options = options.readOnly();
            }
        } catch (IllegalArgumentException e) {
            conflict = true;
            assertTrue(c.create() && (c.length() < 0 || c.readOnly()), "refused only for a real conflict: " + e);
            return Optional.empty();
        } finally {
            if (!conflict) {
                assertFalse(c.create() && (c.length() < 0 || c.readOnly()), "a conflict the setters let pass");
            }
        }
        if (c.alignment() != null) {
            options = options.alignment(c.alignment());
        }
        options = options.strict(c.strict());
        if (c.prefault()) {
            options = options.prefault();
        }
        if (c.exclusive()) {
            options = options.exclusive();
        }
        if (c.mechanism() != null) {
            options = options.persistMechanism(c.mechanism());
        }
        if (c.acceptNonDurable()) {
            options = options.acceptNonDurableStores();
        }
        if (c.threshold() >= 0) {
            options = options.nonTemporalThreshold(c.threshold());
        }
        return Optional.of(c.emulate() ? options.emulateMapSync() : options);
    }

    @Property(tries = 400)
    void aMappingIsWhatTheOptionsAskOrARefusalOfADocumentedType(@ForAll("choices") Choice c) throws Exception {
        if (c.existing()) {
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                raf.setLength(FILE);
            }
        }
        Optional<MapOptions> options = build(c);
        if (options.isEmpty()) {
            Statistics.label("outcome").collect("refused by a setter");
            assertFalse(Files.exists(path) && !c.existing());
            return;
        }
        boolean opened = false;
        try (DaxMapping pmem = DaxMapping.open(path, options.get())) {
            opened = true;
            long size = c.existing() ? FILE : c.offset() + c.length();
            assertEquals(c.length() < 0 ? size - c.offset() : c.length(), pmem.byteSize(), "length");
            assertEquals(c.offset(), pmem.offset(), "offset");
            assertEquals(c.readOnly(), pmem.isReadOnly(), "read-only");
            if (c.alignment() != null) {
                assertEquals(c.alignment(), pmem.alignment(), "alignment");
            }
            if (c.mechanism() != null) {
                assertEquals(c.mechanism(), pmem.persistMechanism(), "mechanism");
            }
            if (c.threshold() >= 0) {
                assertEquals(c.threshold(), pmem.nonTemporalThreshold(), "threshold");
            }
            assertFalse(pmem.isSynchronous(), "tmpfs has no MAP_SYNC: only an emulated open gets here");
            assertTrue(c.emulate(), "opened without MAP_SYNC although not emulating");
            assertEquals(1, NativeResources.mappingsOf(path).size(), "one mapping");
            Statistics.label("outcome").collect("mapped");
        } catch (AlignmentException | SourceRangeException | MapSyncUnavailableException | NoSuchFileException e) {
            Statistics.label("outcome").collect(e.getClass().getSimpleName());
            if (e instanceof NoSuchFileException) {
                assertTrue(!c.existing() && !c.create(), "no such file only when it is absent and not created");
            }
        } catch (DaxException e) {
            // the mechanism asked for cannot work here, or would not be durable without acceptNonDurableStores()
            assertTrue(c.mechanism() != null, "a bare DaxException only names a mechanism: " + e);
            Statistics.label("outcome").collect("mechanism refused");
        } catch (IOException | RuntimeException e) {
            fail("not a documented refusal of " + c + ": " + e, e);
        }
        assertEquals(List.of(), NativeResources.mappingsOf(path), "nothing mapped once closed or refused");
        assertEquals(List.of(), NativeResources.descriptorsOn(path), "nothing open once closed or refused");
        assertEquals(c.existing() || opened, Files.exists(path), "a refused create leaves no file");
        Statistics.label("outcome").coverage(k -> k.check("mapped").percentage(p -> p > 4)); // not vacuous
    }
}
