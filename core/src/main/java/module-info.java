/**
 * dax4j: persistent and device-DAX memory for the JVM, on the Foreign Function and Memory API.
 *
 * <p>Exports only the API: {@code io.github.dax4j} (the mapping handle and its vocabulary),
 * {@code io.github.dax4j.device} (sysfs discovery) and {@code io.github.dax4j.layout} (fixed-layout regions).
 * Everything under {@code io.github.dax4j.internal} (the open sequence, the durability implementations, the C
 * library bindings, the generated CPU code) is encapsulated: no other module can reach it, so the native access
 * granted to this module is not handed on. Run with {@code --enable-native-access=io.github.dax4j} on the module
 * path, or {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
module io.github.dax4j {
    exports io.github.dax4j;
    exports io.github.dax4j.device;
    exports io.github.dax4j.layout;
}
