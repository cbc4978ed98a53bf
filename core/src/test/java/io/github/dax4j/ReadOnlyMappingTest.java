package io.github.dax4j;

import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.FixedRegion;
import io.github.dax4j.layout.RegionAlignment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write to a read-only mapping fails one way, from every method that writes or persists, in the core and in the
 * layout code: {@link ReadOnlyBufferException}, with a message naming the operation and the mapped path, and
 * nothing written.
 */
class ReadOnlyMappingTest {

    private static final long SIZE = 2L << 20;

    /** A write attempt against the read-only mapping {@code pmem}, whose directory holds the region "r". */
    interface Write {
        void attempt(DaxMapping pmem, Directory directory, FixedRegion region) throws Exception;
    }

    static Stream<Named<Write>> everyWritingMethod() throws Exception {
        byte[] bytes = new byte[300];
        Arrays.fill(bytes, (byte) 7);
        MemorySegment source = MemorySegment.ofArray(bytes);
        return Stream.of(
                Named.of("persist", (p, d, r) -> p.persist(0, 64)),
                Named.of("flush", (p, d, r) -> p.flush(0, 64)),
                Named.of("deepFlush", (p, d, r) -> p.deepFlush(0, 64)),
                Named.of("copy", (p, d, r) -> p.copy(8192, source)),
                Named.of("copy with flags", (p, d, r) -> p.copy(8192, source, PersistFlag.NO_DRAIN)),
                Named.of("fill", (p, d, r) -> p.fill(8192, 300, (byte) 1)),
                Named.of("move", (p, d, r) -> p.move(8192, 16384, 300)),
                Named.of("putLong", (p, d, r) -> p.putLong(8192, 1L)),
                Named.of("putInt", (p, d, r) -> p.putInt(8192, 1)),
                Named.of("putByte", (p, d, r) -> p.putByte(8192, (byte) 1)),
                Named.of("write", (p, d, r) -> p.write(8192, source)),
                Named.of("putLongAtomic", (p, d, r) -> p.putLongAtomic(8192, 1L)),
                Named.of("putLongAtomicAndPersist", (p, d, r) -> p.putLongAtomicAndPersist(8192, 1L)),
                Named.of("Directory.format", (p, d, r) -> Directory.format(p, 4)),
                Named.of("Directory.create", (p, d, r) -> d.create("s", JAVA_LONG, 4, RegionAlignment.CACHE_LINE,
                        false)),
                Named.of("Directory.openOrCreate of a new region", (p, d, r) -> d.openOrCreate("s", JAVA_LONG, 4,
                        RegionAlignment.CACHE_LINE, false)),
                Named.of("Directory.delete", (p, d, r) -> d.delete("r")),
                Named.of("FixedRegion.persist", (p, d, r) -> r.persist(0)),
                Named.of("FixedRegion.flush", (p, d, r) -> r.flush(0)));
    }

    private Path file;

    @BeforeEach
    void aDeviceWithARegion() throws IOException {
        file = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-ro-").resolve("dev");
        try (DaxMapping pmem = DaxMapping.open(file, MapOptions.ofLength(SIZE).createIfAbsent()
                .emulateMapSync())) {
            Directory.open(pmem).create("r", JAVA_LONG, 8, RegionAlignment.CACHE_LINE, false);
        }
    }

    @AfterEach
    void delete() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWritingMethod")
    void isRefusedWithReadOnlyBufferExceptionAndWritesNothing(Write write) throws IOException {
        byte[] before = Files.readAllBytes(file);
        try (DaxMapping pmem = DaxMapping.open(file, MapOptions.wholeSource().readOnly()
                .emulateMapSync())) {
            Directory directory = Directory.open(pmem);
            FixedRegion region = directory.open("r", JAVA_LONG);
            Executable attempt = () -> write.attempt(pmem, directory, region);
            ReadOnlyBufferException e = assertThrows(ReadOnlyBufferException.class, attempt);
            assertTrue(e.getMessage() != null && e.getMessage().contains("read-only")
                    && e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e instanceof UnsupportedOperationException, "what java.nio callers already catch");
            assertArrayEquals(before, pmem.segment().toArray(JAVA_BYTE), "nothing written");
        }
        assertArrayEquals(before, Files.readAllBytes(file), "nothing written to the file");
    }
}
