package io.github.dax4j;

import java.nio.ReadOnlyBufferException;
import io.github.dax4j.PersistMechanism;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The contract of {@link DaxMapping}, on emulated devices in tmpfs ({@code /dev/shm}) and on ext4. */
class DaxMappingTest {

    private static final long PAGE = 4096;
    private static final long SIZE = 64 * PAGE;

    private Path shm;
    private Path disk;

    @BeforeEach
    void createDirectories() throws IOException {
        shm = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-test-");
        disk = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dax4j-test-");
    }

    @AfterEach
    void deleteDirectories() throws IOException {
        for (Path dir : new Path[] {shm, disk}) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static MapOptions emulated(long size) {
        return MapOptions.ofLength(size).createIfAbsent().emulateMapSync();
    }

    private void assumeExt4(Path dir) throws IOException {
        String type = Files.getFileStore(dir).type();
        assumeTrue(type.equals("ext4"), "needs an ext4 directory for target/, found " + type + " at " + dir);
    }

    @Nested
    class RoundTrip {

        @Test
        void storesPersistedOnTmpfsAreReadBackAfterCloseAndReopen() throws Exception {
            roundTrip(shm.resolve("dev"));
        }

        @Test
        void storesPersistedOnExt4AreReadBackAfterCloseAndReopen() throws Exception {
            assumeExt4(disk);
            roundTrip(disk.resolve("dev"));
        }

        private void roundTrip(Path device) throws Exception {
            try (DaxMapping pmem = DaxMapping.open(device, emulated(SIZE))) {
                MemorySegment memory = pmem.segment();
                for (long i = 0; i < SIZE / Long.BYTES; i += 509) {
                    memory.set(JAVA_LONG, i * Long.BYTES, ~i);
                }
                pmem.persist(0, SIZE);
            }
            try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
                assertEquals(SIZE, pmem.byteSize());
                MemorySegment memory = pmem.segment();
                for (long i = 0; i < SIZE / Long.BYTES; i += 509) {
                    assertEquals(~i, memory.get(JAVA_LONG, i * Long.BYTES), "long " + i);
                }
            }
        }

        @Test
        void aCreatedSourceHasExactlyTheRequestedSize() throws IOException {
            Path device = shm.resolve("dev");
            try (DaxMapping pmem = DaxMapping.open(device, emulated(SIZE))) {
                assertEquals(SIZE, pmem.segment().byteSize());
            }
            assertEquals(SIZE, Files.size(device));
        }

        @Test
        void anExistingSourceIsNeverGrown() throws IOException {
            Path device = shm.resolve("dev");
            Files.write(device, new byte[(int) PAGE]);
            SourceRangeException e = assertThrows(SourceRangeException.class,
                    () -> DaxMapping.open(device, emulated(SIZE)));
            assertTrue(e.getMessage().contains(Long.toString(SIZE)) && e.getMessage().contains(device.toString())
                    && e.getMessage().contains("only " + PAGE + " bytes"), e.getMessage());
            assertEquals(PAGE, Files.size(device));
        }

        @Test
        void anExistingLargerSourceIsMappedForTheRequestedPrefixAndNotShrunk() throws IOException {
            Path device = shm.resolve("dev");
            Files.write(device, new byte[(int) (2 * SIZE)]);
            try (DaxMapping pmem = DaxMapping.open(device, emulated(SIZE))) {
                assertEquals(SIZE, pmem.byteSize());
            }
            assertEquals(2 * SIZE, Files.size(device));
        }
    }

    @Nested
    class MapSync {

        @Test
        void requireFailsOnTmpfsNamingTheFileSystemAndErrno() {
            Path device = shm.resolve("dev");
            MapSyncUnavailableException e = assertThrows(MapSyncUnavailableException.class,
                    () -> DaxMapping.open(device, MapOptions.ofLength(SIZE).createIfAbsent()));
            assertMapSyncRefused(e, device, "tmpfs");
        }

        @Test
        void requireFailsOnExt4NamingTheFileSystemAndErrno() throws IOException {
            assumeExt4(disk);
            Path device = disk.resolve("dev");
            MapSyncUnavailableException e = assertThrows(MapSyncUnavailableException.class,
                    () -> DaxMapping.open(device, MapOptions.ofLength(SIZE).createIfAbsent()));
            assertMapSyncRefused(e, device, "ext4");
        }

        private void assertMapSyncRefused(MapSyncUnavailableException e, Path device, String fileSystem) {
            java.nio.file.FileSystemException cause = (java.nio.file.FileSystemException) e.getCause();
            assertAll(
                    () -> assertTrue(cause.getReason().contains("failed: EOPNOTSUPP"), cause.getReason()),
                    () -> assertTrue(cause.getReason().contains("MAP_SHARED_VALIDATE|MAP_SYNC"), cause.getReason()),
                    () -> assertTrue(e.getMessage().contains(device.toString()), e.getMessage()),
                    () -> assertTrue(e.getMessage().contains(" on " + fileSystem + ":"), e.getMessage()),
                    () -> assertTrue(e.getMessage().contains("not DAX"), e.getMessage()),
                    () -> assertEquals(device, e.path()),
                    // the refused open created the file; failing must remove it again
                    () -> assertFalse(Files.exists(device), "created file left behind"),
                    () -> assertEquals(0, NativeResources.descriptorsOn(device).size()));
        }

        @Test
        void emulateFallsBackToSharedMappingAndMsyncOnTmpfs() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE))) {
                assertFalse(pmem.isSynchronous());
                assertTrue(pmem.mapSyncRefusal().orElseThrow().getReason().contains("failed: EOPNOTSUPP"));
                assertEquals(PersistMechanism.MSYNC, pmem.persistMechanism());
                assertEquals(FileSystemKind.TMPFS, pmem.fileSystem());
                assertTrue(pmem.toString().contains("MAP_SYNC refused: EOPNOTSUPP"), pmem.toString());
            }
        }

        @Test
        void emulateFallsBackToSharedMappingAndMsyncOnExt4() throws IOException {
            assumeExt4(disk);
            try (DaxMapping pmem = DaxMapping.open(disk.resolve("dev"), emulated(SIZE))) {
                assertFalse(pmem.isSynchronous());
                assertEquals(FileSystemKind.EXT4, pmem.fileSystem());
                assertEquals(PersistMechanism.MSYNC, pmem.persistMechanism());
            }
        }
    }

    @Nested
    class Lifecycle {

        @Test
        void closeUnmapsAndClosesTheDescriptor() throws Exception {
            Path device = shm.resolve("dev");
            DaxMapping pmem = DaxMapping.open(device, emulated(SIZE));
            assertEquals(1, NativeResources.mappingsOf(device).size(), "mapped while open");
            assertEquals(1, NativeResources.descriptorsOn(device).size(), "descriptor kept while open");
            pmem.close();
            assertEquals(0, NativeResources.mappingsOf(device).size(), "unmapped by close");
            assertEquals(0, NativeResources.descriptorsOn(device).size(), "descriptor closed by close");
        }

        @Test
        void closingTwiceIsHarmless() throws Exception {
            DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE));
            pmem.close();
            pmem.close();
            assertTrue(pmem.isClosed());
        }

        @Test
        void useAfterCloseFailsCleanly() throws Exception {
            DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE));
            MemorySegment memory = pmem.segment();
            pmem.close();
            assertThrows(IllegalStateException.class, () -> memory.get(JAVA_LONG, 0));
            assertThrows(IllegalStateException.class, () -> memory.set(JAVA_LONG, 0, 1L));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pmem.persist(0, 8));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }

        @Test
        void theMappingIsNotInheritedByForkedChildren() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE))) {
                String flags = NativeResources.vmFlagsAt(pmem.segment().address());
                assertTrue(flags.contains(" dc"), "MADV_DONTFORK sets the dc flag: " + flags);
                assertTrue(flags.contains(" sh"), "a shared mapping: " + flags);
            }
        }

        @Test
        void theSegmentCoversExactlyTheMappingOnAPageBoundary() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE))) {
                assertEquals(SIZE, pmem.segment().byteSize());
                assertEquals(0, pmem.segment().address() % PAGE);
                assertThrows(IndexOutOfBoundsException.class, () -> pmem.segment().get(JAVA_LONG, SIZE));
            }
        }
    }

    @Nested
    class Persist {

        @Test
        void rangesOutsideTheMappingAreRefused() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE))) {
                assertThrows(IndexOutOfBoundsException.class, () -> pmem.persist(-1, 8));
                assertThrows(IndexOutOfBoundsException.class, () -> pmem.persist(0, -8));
                assertThrows(IndexOutOfBoundsException.class, () -> pmem.persist(SIZE - 7, 8));
                assertThrows(IndexOutOfBoundsException.class, () -> pmem.persist(8, Long.MAX_VALUE));
            }
        }

        @Test
        void theWholeMappingAndEmptyRangesPersist() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE))) {
                pmem.persist(0, SIZE);
                pmem.persist(SIZE, 0);
                pmem.persist(SIZE - 1, 1);
            }
        }
    }

    @Nested
    class Options {

        @Test
        void aReadOnlyMappingHasAReadOnlySegmentAndSeesPersistedData() throws Exception {
            Path device = shm.resolve("dev");
            try (DaxMapping pmem = DaxMapping.open(device, emulated(SIZE))) {
                pmem.segment().set(JAVA_LONG, 64, 99L);
                pmem.persist(64, 8);
            }
            try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().readOnly()
                    .emulateMapSync())) {
                assertTrue(pmem.isReadOnly());
                assertTrue(pmem.segment().isReadOnly());
                assertEquals(99L, pmem.segment().get(JAVA_LONG, 64));
                assertThrows(IllegalArgumentException.class, () -> pmem.segment().set(JAVA_LONG, 64, 1L));
                assertThrows(ReadOnlyBufferException.class, () -> pmem.persist(0, SIZE), "nothing it could persist");
                assertTrue(NativeResources.mappingsOf(device).getFirst().contains(" r--s "),
                        NativeResources.mappingsOf(device).toString());
            }
        }

        @Test
        void prefaultTakesEveryFaultAtOpen() throws Exception {
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev"), emulated(SIZE).prefault())) {
                assertEquals(SIZE >> 10, ProcMaps.smapsField(pmem.segment().address(), "Rss"),
                        "every page resident before the first access");
            }
            try (DaxMapping pmem = DaxMapping.open(shm.resolve("dev2"), emulated(SIZE))) {
                assertEquals(0, ProcMaps.smapsField(pmem.segment().address(), "Rss"), "nothing resident untouched");
            }
        }

        @Test
        void exclusiveReadOnlyMappingsShareASource() throws Exception {
            Path device = shm.resolve("dev");
            DaxMapping.open(device, emulated(SIZE)).close();
            MapOptions shared = MapOptions.wholeSource().emulateMapSync().readOnly().exclusive();
            try (DaxMapping first = DaxMapping.open(device, shared);
                 DaxMapping second = DaxMapping.open(device, shared)) {
                assertEquals(first.byteSize(), second.byteSize());
                assertThrows(SourceInUseException.class, () -> DaxMapping.open(device,
                        MapOptions.wholeSource().emulateMapSync().exclusive()));
            }
            try (DaxMapping writer = DaxMapping.open(device,
                    MapOptions.wholeSource().emulateMapSync().exclusive())) {
                assertTrue(writer.segment().byteSize() > 0, "the lock went with the readers' close");
            }
        }

        @Test
        void aSymbolicLinkIsResolvedOnceAndReported() throws IOException {
            Path device = shm.resolve("dev");
            DaxMapping.open(device, emulated(SIZE)).close();
            Path link = Files.createSymbolicLink(shm.resolve("link"), device);
            try (DaxMapping pmem = DaxMapping.open(link, MapOptions.wholeSource().emulateMapSync())) {
                assertEquals(link, pmem.path());
                assertEquals(device, pmem.source().realPath());
                assertTrue(pmem.toString().contains(link + " -> " + device), pmem.toString());
            }
        }

        @Test
        void aFileTruncatedUnderTheMappingFailsAccessesWithInternalError() throws IOException {
            Path device = shm.resolve("dev");
            try (DaxMapping pmem = DaxMapping.open(device, emulated(SIZE))) {
                try (var channel = java.nio.channels.FileChannel.open(device,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(PAGE); // another process could do this; dax4j cannot stop it
                }
                pmem.segment().get(JAVA_LONG, 0); // still backed
                assertThrows(InternalError.class, () -> pmem.segment().get(JAVA_LONG, 2 * PAGE),
                        "SIGBUS past the new end becomes InternalError, not a crash");
            }
        }
    }

    @Nested
    class BadInput {

        @Test
        void anErrnoWithoutAJavaNioFileTypeIsAPlainFileSystemExceptionNamingTheCall() throws Exception {
            Path file = Files.writeString(shm.resolve("plain"), "x");
            Path under = file.resolve("child"); // ENOTDIR: a path through a regular file
            java.nio.file.FileSystemException e = assertThrows(java.nio.file.FileSystemException.class,
                    () -> DaxMapping.open(under, MapOptions.wholeSource()));
            assertEquals(java.nio.file.FileSystemException.class, e.getClass(), "no internal type reaches users");
            assertEquals(under.toString(), e.getFile());
            assertTrue(e.getReason().contains("O_PATH") && e.getReason().contains("failed: ENOTDIR"), e.getReason());
        }

        @Test
        void aMissingSourceFailsWithNoSuchFileExceptionAsFileChannelOpenDoes() {
            Path missing = shm.resolve("no-such-device");
            java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> DaxMapping.open(missing, MapOptions.wholeSource()));
            assertEquals(missing.toString(), e.getFile());
            assertTrue(e.getReason().contains("failed: ENOENT (No such file or directory)"), e.getReason());
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            assertFalse(Files.exists(missing));
        }

        @Test
        void aLengthThatIsNotAWholeNumberOfPagesIsRefusedAndTheCreatedFileRemoved() {
            Path device = shm.resolve("dev");
            AlignmentException e = assertThrows(AlignmentException.class,
                    () -> DaxMapping.open(device, emulated(PAGE + 1)));
            assertTrue(e.getMessage().contains(Long.toString(PAGE + 1)), e.getMessage());
            assertFalse(Files.exists(device));
            assertEquals(0, NativeResources.descriptorsOn(device).size());
        }

        @Test
        void aFifoIsRefusedNamingWhatItIs() throws Exception {
            Path fifo = shm.resolve("fifo");
            Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
            assumeTrue(mkfifo.waitFor() == 0, "needs mkfifo");
            UnsupportedSourceException e = assertThrows(UnsupportedSourceException.class,
                    () -> DaxMapping.open(fifo, MapOptions.wholeSource()));
            assertTrue(e.getMessage().contains(fifo + " is a FIFO"), e.getMessage());
            assertEquals(0, NativeResources.descriptorsOn(fifo).size());
        }

        @Test
        void anEmptyExistingFileIsRefused() throws IOException {
            Path device = Files.createFile(shm.resolve("empty"));
            SourceRangeException e = assertThrows(SourceRangeException.class,
                    () -> DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync()));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            assertTrue(Files.exists(device), "an existing source is never deleted");
            assertEquals(0, NativeResources.descriptorsOn(device).size());
        }

        @Test
        void nonPositiveLengthsAreRefusedByTheOptions() {
            assertThrows(IllegalArgumentException.class, () -> MapOptions.ofLength(0));
            assertThrows(IllegalArgumentException.class, () -> MapOptions.ofLength(-4096));
            assertThrows(IllegalArgumentException.class, () -> MapOptions.wholeSource().createIfAbsent());
        }

        @Test
        void aSystemPropertyIsOnlyADefaultAndABadOneIsRefusedByName() throws Exception {
            Path device = shm.resolve("dev");
            String before = System.setProperty("dax4j.persist", "nonsense");
            try {
                MapOptions msync = emulated(SIZE).persistMechanism(PersistMechanism.MSYNC);
                try (DaxMapping pmem = DaxMapping.open(device, msync)) {
                    assertEquals(PersistMechanism.MSYNC, pmem.persistMechanism(), "the options win, unread property");
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync()));
                assertTrue(e.getMessage().contains("-Ddax4j.persist=nonsense"), e.getMessage());
                System.setProperty("dax4j.persist", "simulated_byte");
                assertThrows(IllegalArgumentException.class,
                        () -> DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync()),
                        "simulated mechanisms are not a real mapping's");
            } finally {
                if (before == null) {
                    System.clearProperty("dax4j.persist");
                } else {
                    System.setProperty("dax4j.persist", before);
                }
            }
        }

        @Test
        void optionsThatExcludeEachOtherNeverExist() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MapOptions.ofLength(2L << 20).createIfAbsent().readOnly());
            assertTrue(e.getMessage().contains("createIfAbsent() and readOnly()"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> MapOptions.ofLength(2L << 20).readOnly().createIfAbsent(), "in either order");
            assertThrows(IllegalArgumentException.class,
                    () -> MapOptions.wholeSource().persistMechanism(PersistMechanism.SIMULATED_BYTE));
            assertThrows(IllegalArgumentException.class, () -> MapOptions.wholeSource().nonTemporalThreshold(-1));
            assertEquals(MapOptions.ofLength(2L << 20).prefault(), MapOptions.ofLength(2L << 20).prefault(), "values");
        }
    }
}
