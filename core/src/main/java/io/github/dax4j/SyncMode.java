package io.github.dax4j;

/**
 * What a mapping does when the kernel will not map its source synchronously.
 *
 * <p>A synchronous mapping ({@code MAP_SHARED_VALIDATE|MAP_SYNC}) guarantees that the file system's metadata for
 * every page written through it is durable before the write fault returns, so that flushing CPU caches is enough
 * to make stores durable. Only DAX file systems and device-DAX offer it: tmpfs, hugetlbfs and ext4 or xfs on a
 * block device answer {@code EOPNOTSUPP}.
 */
public enum SyncMode {

    /** Fail with {@link MapSyncUnavailableException} unless the kernel grants {@code MAP_SYNC}. */
    REQUIRE,

    /**
     * Ask for {@code MAP_SYNC}; when the kernel refuses it, map with {@code MAP_SHARED} and make stores durable with
     * {@code msync(MS_SYNC)} over page-rounded ranges. {@link DaxMapping#isSynchronous()} says which it got.
     */
    EMULATE
}
