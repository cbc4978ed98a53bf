/*
 * Run (from the checkout; Maven selects a JDK >= 22 itself):
 *
 *   ./mvnw -q -Pbench package -Djmh.args="PersistBenchmark -f 1 -wi 3 -i 5 -r 1 -w 1"
 *
 * Measures dirty + persist latency of one range of a mapping, for dax4j's persist and for the JDK's
 * MappedByteBuffer.force(index, length) on the same kind of file (the baseline), on tmpfs (/dev/shm) and on the
 * disk-backed file system of java.io.tmpdir.
 */
package io.github.dax4j.bench;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.SyncMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class PersistBenchmark {

    private static final long REGION = 64L << 20;

    /** Where the emulated device lives: {@code shm} is tmpfs, {@code disk} the file system of java.io.tmpdir. */
    @Param({"shm", "disk"})
    public String medium;

    @Param({"64", "4096", "65536"})
    public int bytes;

    private Path file;
    private DaxMapping dax;
    private MemorySegment memory;
    private FileChannel channel;
    private MappedByteBuffer buffer;
    private MemorySegment bufferMemory;
    private long offset;

    @Setup(Level.Trial)
    public void map() throws IOException {
        Path dir = medium.equals("shm") ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        file = Files.createTempFile(dir, "dax4j-bench-", ".img");
        Files.delete(file);
        dax = DaxMapping.open(file, MapOptions.ofLength(REGION).createIfAbsent().syncMode(SyncMode.EMULATE));
        memory = dax.segment();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, REGION);
        bufferMemory = MemorySegment.ofBuffer(buffer);
    }

    @TearDown(Level.Trial)
    public void unmap() throws IOException {
        dax.close();
        channel.close();
        Files.deleteIfExists(file);
    }

    /** Rotates through the region so that each operation dirties pages that are not already dirty. */
    private long next() {
        offset += Math.max(bytes, 4096);
        if (offset + bytes > REGION) {
            offset = 0;
        }
        return offset;
    }

    @Benchmark
    public void daxPersist() {
        long at = next();
        memory.asSlice(at, bytes).fill((byte) at);
        dax.persist(at, bytes);
    }

    @Benchmark
    public void jdkMappedByteBufferForce() {
        long at = next();
        bufferMemory.asSlice(at, bytes).fill((byte) at);
        buffer.force((int) at, bytes);
    }

    @Benchmark
    public void dirtyOnlyBaseline() {
        long at = next();
        memory.asSlice(at, bytes).fill((byte) at);
        memory.get(JAVA_BYTE, at);
    }
}
