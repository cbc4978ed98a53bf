package io.github.dax4j.internal.posix;

/**
 * The fields of {@code struct stat} that dax4j reads, copied out of native memory by {@link Libc#fstat}.
 *
 * @param dev       {@code st_dev}: the device number of the file system holding the file
 * @param inode     {@code st_ino}: the file's inode number on that file system
 * @param mode      {@code st_mode}: file type and permission bits
 * @param rdev      {@code st_rdev}: the device number of a character or block device, else 0
 * @param size      {@code st_size}: bytes in a regular file; 0 for a device-DAX character device
 * @param blockSize {@code st_blksize}: the preferred I/O size
 */
public record FileStatus(long dev, long inode, int mode, long rdev, long size, long blockSize) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isCharacterDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    /** {@return {@link #rdev()} as {@code major:minor}, the form sysfs uses under {@code /sys/dev/char}} */
    public String rdevName() {
        return major(rdev) + ":" + minor(rdev);
    }

    /** {@return {@link #dev()} as {@code major:minor}, the form of the third field of {@code /proc/self/mountinfo}} */
    public String devName() {
        return major(dev) + ":" + minor(dev);
    }

    /** {@return the major number of a device number, decoded as glibc's {@code major()} does} */
    public static long major(long device) {
        return ((device >>> 32) & 0xfffff000L) | ((device >>> 8) & 0x00000fffL);
    }

    /** {@return the minor number of a device number, decoded as glibc's {@code minor()} does} */
    public static long minor(long device) {
        return ((device >>> 12) & 0xffffff00L) | (device & 0x000000ffL);
    }

    /** {@return what kind of file this is, as a person would say it: "a directory", "a FIFO", ...} */
    public String describeType() {
        return switch (mode & S_IFMT) {
            case S_IFREG -> "a regular file";
            case 0040000 -> "a directory";
            case S_IFCHR -> "a character device (" + rdevName() + ")";
            case 0060000 -> "a block device (" + rdevName() + ")";
            case 0010000 -> "a FIFO";
            case 0140000 -> "a socket";
            case 0120000 -> "a symbolic link";
            default -> "a file of unknown type (st_mode 0" + Integer.toOctalString(mode) + ")";
        };
    }
}
