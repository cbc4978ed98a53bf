package io.github.dax4j.jraft;

import io.github.dax4j.MapOptions;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's log or meta URI naming dax4j storage, as {@link DaxJRaftServiceFactory#DaxJRaftServiceFactory()} reads
 * it: {@code dax4j:<device>?region=<name>[&capacity=<size>][&create=<size>][&emulateMapSync]}.
 * <ul>
 *   <li>{@code <device>}: an absolute path, a device-DAX character device or a file;</li>
 *   <li>{@code region}: the name of the storage's region (regions, for the log) in the device's directory;</li>
 *   <li>{@code capacity}: the log's bytes when it is created (log URIs only; required there);</li>
 *   <li>{@code create}: map a file of that length, created if absent (else the whole existing source);</li>
 *   <li>{@code emulateMapSync}: accept a file system without {@code MAP_SYNC} (see
 *       {@link MapOptions#emulateMapSync()}).</li>
 * </ul>
 * Sizes are bytes or a number of K, M, G (binary). Anything else (an unknown or repeated parameter, a relative
 * path, a size that is not positive) is refused with an {@link IllegalArgumentException} naming the URI.
 *
 * @param device    the device or file
 * @param region    the region name
 * @param capacity  the log's capacity, or 0 for a meta URI
 * @param options   how to map the device (always exclusive): the same for every URI naming it
 */
record DaxStorageUri(Path device, String region, long capacity, MapOptions options) {

    static final String SCHEME = "dax4j:";

    static boolean names(String uri) {
        return uri != null && uri.startsWith(SCHEME);
    }

    /**
     * @param log whether this is the node's log URI (which needs a capacity)
     * @throws IllegalArgumentException if {@code uri} is not a dax4j storage URI as described above
     */
    static DaxStorageUri parse(String uri, boolean log) {
        if (!names(uri)) {
            throw new IllegalArgumentException("'" + uri + "' is not a dax4j storage URI (dax4j:<device>?region=...)");
        }
        String rest = uri.substring(SCHEME.length());
        int query = rest.indexOf('?');
        String path = query < 0 ? rest : rest.substring(0, query);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(uri + ": the device must be an absolute path, not '" + path + "'");
        }
        Map<String, String> parameters = new TreeMap<>();
        if (query >= 0) {
            for (String parameter : rest.substring(query + 1).split("&", -1)) {
                int eq = parameter.indexOf('=');
                String key = eq < 0 ? parameter : parameter.substring(0, eq);
                if (!java.util.Set.of("region", "capacity", "create", "emulateMapSync").contains(key)
                        || (key.equals("capacity") && !log)) {
                    throw new IllegalArgumentException(uri + ": unknown parameter '" + key + "' (" + (log
                            ? "region, capacity, create, emulateMapSync" : "region, create, emulateMapSync") + ")");
                }
                if (parameters.put(key, eq < 0 ? "" : parameter.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException(uri + ": parameter '" + key + "' given twice");
                }
            }
        }
        String region = parameters.get("region");
        if (region == null || region.isEmpty()) {
            throw new IllegalArgumentException(uri + ": no region=<name>");
        }
        long capacity = 0;
        if (log) {
            if (!parameters.containsKey("capacity")) {
                throw new IllegalArgumentException(uri + ": a log URI needs capacity=<size>");
            }
            capacity = size(uri, "capacity", parameters.get("capacity"));
        }
        MapOptions options = parameters.containsKey("create")
                ? MapOptions.ofLength(size(uri, "create", parameters.get("create"))).createIfAbsent()
                : MapOptions.wholeSource();
        options = options.exclusive(); // the region is this process's alone while mapped (see the factory)
        if (parameters.containsKey("emulateMapSync")) {
            if (!parameters.get("emulateMapSync").isEmpty()) {
                throw new IllegalArgumentException(uri + ": emulateMapSync takes no value");
            }
            options = options.emulateMapSync();
        }
        try {
            return new DaxStorageUri(Path.of(path), region, capacity, options);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(uri + ": the device is not a path (" + e.getMessage() + ")", e);
        }
    }

    private static long size(String uri, String key, String text) {
        String t = text.toUpperCase(Locale.ROOT);
        long unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : t.endsWith("G") ? 1L << 30 : 1;
        try {
            long bytes = Math.multiplyExact(Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)), unit);
            if (bytes > 0) {
                return bytes;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // the message below
        }
        throw new IllegalArgumentException(uri + ": " + key + " is '" + text + "', not a positive size (bytes, or"
                + " a number of K, M or G)");
    }
}
