package io.github.dax4j.bench.natives;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The native baselines the benchmarks compare dax4j with: libpmem2 (PMDK) and the C loop library. The one place in
 * the bench module that links native code; each anchor is optional and says why when it is absent.
 */
@SuppressWarnings("restricted") // the anchors call libpmem2 and the C loop: measurements, by design native
public final class NativeAnchors {

    /** The system property naming the C loop library the bench profile builds. */
    public static final String CLOOP_PROPERTY = "dax4j.bench.cloop";

    private static final Linker LINKER = Linker.nativeLinker();

    private NativeAnchors() {
    }

    /**
     * {@return the bench module's {@code target} directory: where the benchmarks' classes or uber-jar lie} It does
     * not depend on the working directory, so {@code java -jar bench/target/benchmarks.jar} finds what the build made.
     */
    public static Path benchTarget() {
        try {
            Path code = Path.of(NativeAnchors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toAbsolutePath().getParent(); // target/classes or target/benchmarks.jar -> target
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("where the benchmarks were loaded from is not a path", e);
        }
    }

    /** {@return the C loop library: the system property's path, else the one the bench module's build makes} */
    public static Path cloopLibrary() {
        String property = System.getProperty(CLOOP_PROPERTY);
        return property != null ? Path.of(property) : benchTarget().resolve("native/libdax4jcloop.so");
    }

    /** {@return the C loop library, or empty (see {@link #cloopMissing()})} */
    public static Optional<CLoop> cloop() {
        Path library = cloopLibrary();
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        FunctionDescriptor range = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG);
        return Optional.of(new CLoop(
                handle(lookup, "cloop_persist_clwb", range), handle(lookup, "cloop_persist_clflushopt", range),
                handle(lookup, "cloop_persist_clflush", range),
                handle(lookup, "cloop_copy_nt", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG))));
    }

    /** {@return why {@link #cloop()} is empty} */
    public static String cloopMissing() {
        return "C loop library not built (needs gcc; the bench profile builds it into bench/target/native)";
    }

    /** The C loops, taking raw addresses (the benchmark keeps the memory mapped). */
    public record CLoop(MethodHandle persistClwb, MethodHandle persistClflushopt, MethodHandle persistClflush,
                        MethodHandle copyNonTemporal) {
    }

    /**
     * {@return libpmem2, or empty when {@code libpmem2.so.1} is not installed (see {@link #libpmem2Missing()})}
     */
    public static Optional<Libpmem2> libpmem2() {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup("libpmem2.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new Libpmem2(lookup));
    }

    /** {@return why {@link #libpmem2()} is empty} */
    public static String libpmem2Missing() {
        return "libpmem2 not installed: apt-get install libpmem2";
    }

    /**
     * libpmem2 mapped over a file descriptor, with its persist and memcpy functions: {@code pmem2_map_new} with
     * required granularity PAGE (so it maps any file), then {@code pmem2_get_persist_fn} and
     * {@code pmem2_get_memcpy_fn}. Without {@code MAP_SYNC} libpmem2 persists with msync unless the environment
     * says {@code PMEM2_FORCE_GRANULARITY=CACHE_LINE}, which the bench launcher sets for its CPU-flush rows.
     */
    public static final class Libpmem2 {
        private final MethodHandle configNew;
        private final MethodHandle setGranularity;
        private final MethodHandle sourceFromFd;
        private final MethodHandle mapNew;
        private final MethodHandle mapAddress;
        private final MethodHandle persistFn;
        private final MethodHandle memcpyFn;
        private final MethodHandle mapDelete;
        private final MethodHandle sourceDelete;
        private final MethodHandle configDelete;
        private final MethodHandle errormsg;

        Libpmem2(SymbolLookup l) {
            configNew = plain(l, "pmem2_config_new", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            setGranularity = plain(l, "pmem2_config_set_required_store_granularity",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            sourceFromFd = plain(l, "pmem2_source_from_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            mapNew = plain(l, "pmem2_map_new", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            mapAddress = plain(l, "pmem2_map_get_address", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            persistFn = plain(l, "pmem2_get_persist_fn", FunctionDescriptor.of(ADDRESS, ADDRESS));
            memcpyFn = plain(l, "pmem2_get_memcpy_fn", FunctionDescriptor.of(ADDRESS, ADDRESS));
            mapDelete = plain(l, "pmem2_map_delete", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            sourceDelete = plain(l, "pmem2_source_delete", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            configDelete = plain(l, "pmem2_config_delete", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            errormsg = plain(l, "pmem2_errormsg", FunctionDescriptor.of(ADDRESS));
        }

        /**
         * A libpmem2 mapping: its memory and its functions, as critical handles taking raw addresses
         * ({@code persist(address, length)}, {@code memcpy(destination, source, length, flags)}).
         */
        public record Map(MemorySegment memory, MethodHandle persist, MethodHandle memcpy, Runnable delete) {
        }

        /** Maps the whole file open on {@code fd}, {@code length} bytes long. */
        public Map map(int fd, long length) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cfg = arena.allocate(ADDRESS);
                MemorySegment src = arena.allocate(ADDRESS);
                MemorySegment map = arena.allocate(ADDRESS);
                check((int) configNew.invokeExact(cfg), "pmem2_config_new");
                check((int) setGranularity.invokeExact(cfg.get(ADDRESS, 0), 2), "pmem2_config_set_required_store_granularity");
                check((int) sourceFromFd.invokeExact(src, fd), "pmem2_source_from_fd");
                check((int) mapNew.invokeExact(map, cfg.get(ADDRESS, 0), src.get(ADDRESS, 0)), "pmem2_map_new");
                MemorySegment m = map.get(ADDRESS, 0);
                long address = (long) mapAddress.invokeExact(m);
                MemorySegment persist = (MemorySegment) persistFn.invokeExact(m);
                MemorySegment memcpy = (MemorySegment) memcpyFn.invokeExact(m);
                MemorySegment config = cfg.get(ADDRESS, 0);
                MemorySegment source = src.get(ADDRESS, 0);
                Runnable delete = () -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment p = a.allocate(ADDRESS);
                        p.set(ADDRESS, 0, m);
                        int unused = (int) mapDelete.invokeExact(p);
                        p.set(ADDRESS, 0, source);
                        unused = (int) sourceDelete.invokeExact(p);
                        p.set(ADDRESS, 0, config);
                        unused = (int) configDelete.invokeExact(p);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                };
                return new Map(MemorySegment.ofAddress(address).reinterpret(length),
                        LINKER.downcallHandle(persist, FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG),
                                Linker.Option.critical(false)),
                        LINKER.downcallHandle(memcpy, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                                JAVA_INT), Linker.Option.critical(false)),
                        delete);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        private void check(int result, String call) throws Throwable {
            if (result != 0) {
                MemorySegment message = (MemorySegment) errormsg.invokeExact();
                throw new IllegalStateException(call + " failed (" + result + "): "
                        + message.reinterpret(4096).getString(0));
            }
        }
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(false));
    }

    private static MethodHandle plain(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close")
            .orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** {@return a read-write descriptor of {@code file}, for libpmem2's {@code pmem2_source_from_fd}} */
    public static int openReadWrite(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), 02 | 02000000, 0);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + file);
            }
            return fd;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Closes a descriptor from {@link #openReadWrite}. */
    public static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return {@code length} bytes at {@code address} as a segment: memory a native anchor mapped} */
    public static MemorySegment at(long address, long length) {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }
}
