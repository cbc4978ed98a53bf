package io.github.dax4j;

/**
 * The file systems dax4j tells apart, by the magic number {@code statfs(2)} reports in {@code f_type}.
 *
 * <p>The kind decides what a mapping can promise: tmpfs and hugetlbfs live in RAM (nothing survives power loss;
 * they stand in for persistent memory in tests and benchmarks), ext4 and xfs may be DAX-mounted on persistent
 * memory (then they grant {@code MAP_SYNC}), hugetlbfs fixes the page size of every fault.
 */
public enum FileSystemKind {

    TMPFS(0x01021994L, "tmpfs"),
    HUGETLBFS(0x958458f6L, "hugetlbfs"),
    RAMFS(0x858458f6L, "ramfs"),
    EXT4(0xef53L, "ext4"),
    XFS(0x58465342L, "xfs"),
    BTRFS(0x9123683eL, "btrfs"),
    OVERLAYFS(0x794c7630L, "overlayfs"),
    NFS(0x6969L, "nfs"),
    /** Any file system not named above. */
    OTHER(-1L, "another file system");

    private final long magic;
    private final String displayName;

    FileSystemKind(long magic, String displayName) {
        this.magic = magic;
        this.displayName = displayName;
    }

    /** {@return the kind whose {@code statfs} magic number is {@code magic}, or {@link #OTHER}} */
    public static FileSystemKind ofMagic(long magic) {
        long unsigned = magic & 0xffffffffL; // f_type is a signed long; magics with bit 31 set come back negative
        for (FileSystemKind kind : values()) {
            if (kind != OTHER && kind.magic == unsigned) {
                return kind;
            }
        }
        return OTHER;
    }

    /** {@return the name a person knows the file system by, e.g. {@code tmpfs}} */
    public String displayName() {
        return displayName;
    }
}
