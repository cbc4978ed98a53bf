package io.github.dax4j.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running kernel's base page size, as the kernel told this process at exec: {@code AT_PAGESZ} in
 * {@code /proc/self/auxv}. Read from a file rather than through {@code sysconf}, because discovery makes no native
 * call (the device package depends on nothing else of dax4j, and listing devices needs no native access).
 */
final class KernelPageSize {

    private static final Path AUXV = Path.of("/proc/self/auxv");
    private static final long AT_NULL = 0, AT_PAGESZ = 6;

    private KernelPageSize() {
    }

    /**
     * {@return the page size in bytes}
     *
     * @throws IOException if {@code /proc/self/auxv} cannot be read, has no {@code AT_PAGESZ}, or gives one that is
     *                     not a power of two from 4 KiB to 1 MiB
     */
    static long read() throws IOException {
        // pairs of native-endian unsigned longs (type, value) up to AT_NULL; dax4j runs on 64-bit Linux only
        ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(AUXV)).order(ByteOrder.nativeOrder());
        while (auxv.remaining() >= 16) {
            long type = auxv.getLong();
            long value = auxv.getLong();
            if (type == AT_NULL) {
                break;
            }
            if (type == AT_PAGESZ) {
                if (value < 4096 || value > 1 << 20 || Long.bitCount(value) != 1) {
                    throw new IOException("unexpected content in " + AUXV + ": a page size of " + value + " bytes");
                }
                return value;
            }
        }
        throw new IOException(AUXV + " holds no AT_PAGESZ: the kernel's page size is unknown");
    }
}
