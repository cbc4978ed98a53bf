package io.github.dax4j.bench;

import io.github.dax4j.bench.natives.NativeAnchors;
import io.github.dax4j.PersistMechanism;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One way of making a range durable, set up over its own fresh memory: dax4j with each mechanism, libpmem2, the
 * JDK, and the C loop. The benchmarks dirty {@link #memory()} and call {@link #persist}; every implementation
 * sees the same sizes, offsets and kind of memory (tmpfs, except the disk row).
 */
public abstract class PersistTarget implements AutoCloseable {

    @Override
    public abstract void close() throws IOException;

    /** Every implementation a persist row can measure. */
    public enum Impl {
        DAX4J_CLWB, DAX4J_CLFLUSHOPT, DAX4J_CLFLUSH, DAX4J_MSYNC, DAX4J_MSYNC_DISK, DAX4J_FENCE_ONLY, DAX4J_NONE,
        LIBPMEM2, JDK_MAPPED_BUFFER_FORCE, JDK_SEGMENT_FORCE, C_CLWB, C_CLFLUSHOPT, C_CLFLUSH;

        /** {@return why this implementation cannot run here, or empty when it can} */
        Optional<String> unavailable() {
            return switch (this) {
                case DAX4J_CLWB, DAX4J_CLFLUSHOPT, DAX4J_CLFLUSH -> PersistMechanism.cpuCacheFlush().isEmpty()
                        ? Optional.of("no CPU flush: " + PersistMechanism.whyNoCpuCacheFlush().orElse(""))
                        : Optional.empty();
                case LIBPMEM2 -> NativeAnchors.libpmem2().isPresent() ? Optional.empty()
                        : Optional.of(NativeAnchors.libpmem2Missing());
                case C_CLWB, C_CLFLUSHOPT, C_CLFLUSH -> NativeAnchors.cloop().isPresent() ? Optional.empty()
                        : Optional.of(NativeAnchors.cloopMissing());
                default -> Optional.empty();
            };
        }
    }

    abstract MemorySegment memory();

    abstract void persist(long offset, long length) throws Throwable;

    static PersistTarget create(Impl impl, long bytes) {
        return switch (impl) {
            case DAX4J_CLWB -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.CLWB);
            case DAX4J_CLFLUSHOPT -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.CLFLUSHOPT);
            case DAX4J_CLFLUSH -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.CLFLUSH);
            case DAX4J_MSYNC -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.MSYNC);
            case DAX4J_MSYNC_DISK -> dax4j(Path.of(System.getProperty("java.io.tmpdir")), bytes, PersistMechanism.MSYNC);
            case DAX4J_FENCE_ONLY -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.FENCE_ONLY);
            case DAX4J_NONE -> dax4j(Path.of("/dev/shm"), bytes, PersistMechanism.NONE);
            case LIBPMEM2 -> libpmem2(bytes);
            case JDK_MAPPED_BUFFER_FORCE -> mappedBuffer(bytes);
            case JDK_SEGMENT_FORCE -> mappedSegment(bytes);
            case C_CLWB -> cloop(bytes, NativeAnchors.cloop().orElseThrow().persistClwb());
            case C_CLFLUSHOPT -> cloop(bytes, NativeAnchors.cloop().orElseThrow().persistClflushopt());
            case C_CLFLUSH -> cloop(bytes, NativeAnchors.cloop().orElseThrow().persistClflush());
        };
    }

    private static PersistTarget dax4j(Path directory, long bytes, PersistMechanism mechanism) {
        return of(EmulatedDevice.create(directory, bytes, mechanism));
    }

    /** {@return the target persisting through {@code device}'s mapping} */
    static PersistTarget of(EmulatedDevice device) {
        return new PersistTarget() {
            @Override
            MemorySegment memory() {
                return device.pmem.segment();
            }

            @Override
            void persist(long offset, long length) {
                device.pmem.persist(offset, length);
            }

            @Override
            public void close() throws IOException {
                device.close();
            }
        };
    }

    /** The C loop over a dax4j mapping that dax4j itself never flushes (NONE): the same memory, C's code. */
    private static PersistTarget cloop(long bytes, MethodHandle persist) {
        EmulatedDevice device = EmulatedDevice.create(Path.of("/dev/shm"), bytes, PersistMechanism.NONE);
        long base = device.pmem.segment().address();
        return new PersistTarget() {
            @Override
            MemorySegment memory() {
                return device.pmem.segment();
            }

            @Override
            void persist(long offset, long length) throws Throwable {
                persist.invokeExact(base + offset, length);
            }

            @Override
            public void close() throws IOException {
                device.close();
            }
        };
    }

    private static Path tmpfsFile(long bytes) throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "dax4j-anchor-", ".img");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return file;
    }

    private static PersistTarget libpmem2(long bytes) {
        try {
            Path file = tmpfsFile(bytes);
            int fd = NativeAnchors.openReadWrite(file);
            NativeAnchors.Libpmem2.Map map = NativeAnchors.libpmem2().orElseThrow().map(fd, bytes);
            long base = map.memory().address();
            map.memory().fill((byte) 0); // fault every page in, as the dax4j rows prefault
            MethodHandle persist = map.persist();
            return new Libpmem2Target() {
                @Override
                NativeAnchors.Libpmem2.Map map() {
                    return map;
                }

                @Override
                MemorySegment memory() {
                    return map.memory();
                }

                @Override
                void persist(long offset, long length) throws Throwable {
                    persist.invokeExact(base + offset, length);
                }

                @Override
                public void close() throws IOException {
                    map.delete().run();
                    NativeAnchors.close(fd);
                    Files.deleteIfExists(file);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The libpmem2 target, which also lends its mapping to the copy benchmark. */
    private abstract static class Libpmem2Target extends PersistTarget {
        abstract NativeAnchors.Libpmem2.Map map();
    }

    /** {@return the libpmem2 mapping behind a {@link Impl#LIBPMEM2} target} */
    static NativeAnchors.Libpmem2.Map libpmem2Map(PersistTarget target) {
        return ((Libpmem2Target) target).map();
    }

    private static PersistTarget mappedBuffer(long bytes) {
        try {
            Path file = tmpfsFile(bytes);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
            MemorySegment memory = MemorySegment.ofBuffer(buffer);
            memory.fill((byte) 0);
            return new PersistTarget() {
                @Override
                MemorySegment memory() {
                    return memory;
                }

                @Override
                void persist(long offset, long length) {
                    buffer.force((int) offset, (int) length);
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                    Files.deleteIfExists(file);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PersistTarget mappedSegment(long bytes) {
        try {
            Path file = tmpfsFile(bytes);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Arena arena = Arena.ofShared();
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            memory.fill((byte) 0);
            return new PersistTarget() {
                @Override
                MemorySegment memory() {
                    return memory;
                }

                @Override
                void persist(long offset, long length) {
                    memory.asSlice(offset, length).force();
                }

                @Override
                public void close() throws IOException {
                    arena.close();
                    channel.close();
                    Files.deleteIfExists(file);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
