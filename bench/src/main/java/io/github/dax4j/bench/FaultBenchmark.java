/*
 * Run (from the checkout, as root for the huge page rows; the report runs this with the others):
 *
 *   ./mvnw -q -Pbench package -Dbench.args="--jmh FaultBenchmark -f 1 -wi 2 -i 5"
 *
 * Page-fault cost: open a fresh mapping of an existing emulated device and touch every page once (one write per
 * page of the backing's page size), lazily (each touch faults) or with prefault (MADV_POPULATE_WRITE takes every
 * fault inside open), then close. SingleShotTime: each invocation is one whole map + touch + unmap; the report
 * divides by pages and bytes. 64 MiB for 4 KiB and 2 MiB pages, 1 GiB for 1 GiB pages. DISK_4K is a regular
 * file on the disk-backed java.io.tmpdir (its pages in the page cache after the first invocation).
 */
package io.github.dax4j.bench;

import io.github.dax4j.Alignment;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@State(Scope.Thread)
public class FaultBenchmark {

    /** What backs the emulated device, and so the page size of every fault. */
    public enum Backing {
        TMPFS_4K(4L << 10, 64L << 20), DISK_4K(4L << 10, 64L << 20), TMPFS_HUGE_2M(2L << 20, 64L << 20),
        HUGETLBFS_2M(2L << 20, 64L << 20), HUGETLBFS_1G(1L << 30, 1L << 30);

        final long pageSize;
        final long bytes;

        Backing(long pageSize, long bytes) {
            this.pageSize = pageSize;
            this.bytes = bytes;
        }

        /** {@return the number of pages touched per invocation} */
        public long pages() {
            return bytes / pageSize;
        }

        /** {@return the bytes mapped per invocation} */
        public long bytes() {
            return bytes;
        }

        /** {@return why this backing cannot be had here, or empty} */
        Optional<String> unavailable() {
            return switch (this) {
                case TMPFS_4K, DISK_4K -> Optional.empty();
                case TMPFS_HUGE_2M -> BenchMounts.isRoot() ? Optional.empty()
                        : Optional.of("needs root to mount tmpfs with huge=always");
                case HUGETLBFS_2M, HUGETLBFS_1G -> BenchMounts.hugetlbfsUnavailable(pageSize, (int) pages());
            };
        }
    }

    /** Lazy: every touch faults; prefault: open takes every fault (MADV_POPULATE_WRITE). */
    public enum Faulting { LAZY, PREFAULT }

    @Param({"TMPFS_4K", "DISK_4K", "TMPFS_HUGE_2M", "HUGETLBFS_2M", "HUGETLBFS_1G"})
    public Backing backing;

    @Param({"LAZY", "PREFAULT"})
    public Faulting faulting;

    private BenchMounts.Mount mount;
    private Path device;
    private MapOptions options;

    @Setup(Level.Trial)
    public void createDevice() throws IOException {
        Path dir = switch (backing) {
            case TMPFS_4K -> Path.of("/dev/shm");
            case DISK_4K -> Path.of(System.getProperty("java.io.tmpdir")); // a regular file in the page cache
            case TMPFS_HUGE_2M -> (mount = BenchMounts.tmpfsHuge(backing.bytes)).directory();
            case HUGETLBFS_2M, HUGETLBFS_1G ->
                    (mount = BenchMounts.hugetlbfs(backing.pageSize, (int) backing.pages())).directory();
        };
        device = dir.resolve("fault-bench-" + ProcessHandle.current().pid() + ".img");
        Files.deleteIfExists(device);
        options = MapOptions.ofLength(backing.bytes).emulateMapSync()
                .alignment(Alignment.ofBytes(backing.pageSize));
        DaxMapping.open(device, options.createIfAbsent()).close();
        if (faulting == Faulting.PREFAULT) {
            options = options.prefault();
        }
    }

    @TearDown(Level.Trial)
    public void deleteDevice() throws IOException {
        Files.deleteIfExists(device);
        if (mount != null) {
            mount.close();
        }
    }

    @Benchmark
    public long mapTouchUnmap() throws IOException {
        long sum = 0;
        try (DaxMapping pmem = DaxMapping.open(device, options)) {
            MemorySegment memory = pmem.segment();
            for (long at = 0; at < backing.bytes; at += backing.pageSize) {
                memory.set(JAVA_BYTE, at, (byte) at);
                sum += at;
            }
        }
        return sum;
    }
}
