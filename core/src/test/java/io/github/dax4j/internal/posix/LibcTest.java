package io.github.dax4j.internal.posix;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failing calls come back as {@link ErrnoException}s that say what failed and why. */
class LibcTest {

    @Test
    void openOfAMissingPathIsTheNoSuchFileExceptionOfJavaNioFile() {
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> Libc.open("/nonexistent/dax4j/dev", Libc.O_RDWR | Libc.O_CLOEXEC, 0));
        assertEquals("/nonexistent/dax4j/dev", e.getFile());
        assertEquals("open(\"/nonexistent/dax4j/dev\", O_RDWR|O_CLOEXEC) failed: ENOENT (No such file or directory)",
                e.getReason());
    }

    @Test
    void theOtherErrnosOfJavaNioFileGetTheirTypesAndTheRestCarryTheErrno() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("/dev/shm"), "libc-");
        try {
            java.nio.file.Path file = dir.resolve("f");
            Libc.close(Libc.open(file.toString(), Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL, 0600));
            java.nio.file.FileAlreadyExistsException exists = assertThrows(
                    java.nio.file.FileAlreadyExistsException.class,
                    () -> Libc.open(file.toString(), Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL, 0600));
            assertTrue(exists.getReason().contains("failed: EEXIST"), exists.getReason());
            // O_RDWR on a directory: EISDIR, which java.nio.file has no type for
            ErrnoException isDirectory = assertThrows(ErrnoException.class,
                    () -> Libc.open(dir.toString(), Libc.O_RDWR, 0));
            assertEquals("EISDIR", isDirectory.errnoSymbol());
            assertEquals(dir.toString(), isDirectory.getFile());
            assertTrue(isDirectory instanceof java.nio.file.FileSystemException);
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("f"));
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void closeOfABadDescriptorCapturesEbadf() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.close(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(-1) failed: EBADF (Bad file descriptor)", e.getMessage());
    }

    @Test
    void mmapOfAZeroLengthCapturesEinvalAndNamesTheFlags() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.mmap(0, 0,
                Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_ANONYMOUS, -1, 0, "(anonymous)"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith(
                "mmap(0x0, 0, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1 \"(anonymous)\", 0) failed: EINVAL"),
                e.getMessage());
    }

    @Test
    void msyncOfUnmappedMemoryCapturesEnomem() {
        long page = Libc.pageSize();
        // an address in the low page, which Linux never maps (vm.mmap_min_addr)
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.msync(Libc.view(page, page, arena), Libc.MS_SYNC));
            assertEquals("ENOMEM", e.errnoSymbol());
            assertTrue(e.getMessage().startsWith("msync(0x1000, 4096, MS_SYNC) failed: ENOMEM"), e.getMessage());
        }
    }

    @Test
    void theBasePageSizeIsAPowerOfTwo() {
        assertEquals(1, Long.bitCount(Libc.pageSize()));
    }

    @Test
    void errnoSymbolsAreTheLinuxNames() {
        assertEquals("EINVAL", Errno.symbol(22));
        assertEquals("EOPNOTSUPP", Errno.symbol(95));
        assertEquals("errno 4095", Errno.symbol(4095));
        assertEquals("errno -1", Errno.symbol(-1));
    }

    @Test
    void flagsAreRenderedAsTheirCNames() {
        assertEquals("O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC",
                Libc.openFlags(Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC));
        assertEquals("PROT_NONE", Libc.protection(Libc.PROT_NONE));
        assertEquals("MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE",
                Libc.mapFlags(Libc.MAP_PRIVATE | Libc.MAP_FIXED | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE));
        assertEquals("MADV_DONTFORK", Libc.advice(Libc.MADV_DONTFORK));
    }
}
