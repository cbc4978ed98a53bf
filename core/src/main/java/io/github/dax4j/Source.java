package io.github.dax4j;

import java.nio.file.Path;

/**
 * What a mapping maps: a device-DAX instance or a file. The set is closed, so a {@code switch} over it is exhaustive.
 *
 * <p>A source is a snapshot taken when the mapping was opened, from the open descriptor ({@code fstat},
 * {@code fstatfs}) and sysfs; it does not change afterwards.
 */
public sealed interface Source permits DeviceDaxSource, FileSource, SimulatedSource {

    /** {@return the path as it was given to {@link DaxMapping#open}} */
    Path path();

    /** {@return the path with every symbolic link resolved: what was actually opened and checked} */
    Path realPath();

    /** {@return the bytes the source provides} */
    long size();

    /**
     * {@return the largest page size the kernel can fault this source in at}: the device's {@code align} for
     * device-DAX, the mount's huge page size for hugetlbfs, 2 MiB for tmpfs mounted with {@code huge=always} or
     * {@code huge=within_size}, else the base page size
     */
    long faultSize();

    /** {@return the alignment a mapping of this source gets unless the options name one} */
    Alignment naturalAlignment();

    /** {@return the source in a few words, for messages: "/dev/shm/x (tmpfs)", "/dev/dax0.0 (device-DAX)"} */
    default String describe() {
        String real = realPath().equals(path()) ? "" : " -> " + realPath();
        return path() + real + " (" + switch (this) {
            case DeviceDaxSource d -> "device-DAX " + d.device().name() + ", align " + alignText(d.faultSize());
            case FileSource f -> f.fileSystem().displayName();
            case SimulatedSource s -> "simulated, " + s.alignment();
        } + ")";
    }

    /** {@return {@code bytes} as an alignment's name, or as a number where it is none dax4j maps at} */
    private static String alignText(long bytes) {
        for (Alignment a : Alignment.values()) {
            if (a.bytes() == bytes) {
                return a.toString();
            }
        }
        return bytes + " bytes";
    }
}
