package io.github.dax4j;

import java.nio.file.Path;

/**
 * A regular file: on a DAX file system, or an emulated device on tmpfs, hugetlbfs or a disk-backed file system.
 *
 * @param path       the path as given
 * @param realPath   the path with symbolic links resolved
 * @param fileSystem the file system holding the file
 * @param size       the file's size in bytes when it was opened (for a file dax4j created, the size it was given)
 * @param faultSize  the largest page size the kernel can fault the file in at (see {@link Source#faultSize()})
 */
public record FileSource(Path path, Path realPath, FileSystemKind fileSystem, long size, long faultSize)
        implements Source {

    /** Hugetlbfs mappings must be aligned to the mount's page size; other files map at 4 KiB unless asked. */
    @Override
    public Alignment naturalAlignment() {
        return fileSystem == FileSystemKind.HUGETLBFS ? Alignment.ofBytes(faultSize) : Alignment.PAGE_4K;
    }
}
