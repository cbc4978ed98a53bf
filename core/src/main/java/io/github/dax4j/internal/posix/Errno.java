package io.github.dax4j.internal.posix;

/**
 * Linux errno numbers as the symbols a person searches for ({@code EINVAL}, not {@code 22}).
 *
 * <p>The numbers are the asm-generic ones shared by x86-64 and aarch64. Only the values a mapping library can meet
 * are named; any other number is rendered as {@code errno N} rather than guessed.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;

    private static final String[] SYMBOLS = new String[EOPNOTSUPP + 1];

    static {
        SYMBOLS[EPERM] = "EPERM";
        SYMBOLS[ENOENT] = "ENOENT";
        SYMBOLS[EINTR] = "EINTR";
        SYMBOLS[EIO] = "EIO";
        SYMBOLS[ENXIO] = "ENXIO";
        SYMBOLS[EBADF] = "EBADF";
        SYMBOLS[EAGAIN] = "EAGAIN";
        SYMBOLS[ENOMEM] = "ENOMEM";
        SYMBOLS[EACCES] = "EACCES";
        SYMBOLS[EFAULT] = "EFAULT";
        SYMBOLS[EBUSY] = "EBUSY";
        SYMBOLS[EEXIST] = "EEXIST";
        SYMBOLS[ENODEV] = "ENODEV";
        SYMBOLS[ENOTDIR] = "ENOTDIR";
        SYMBOLS[EISDIR] = "EISDIR";
        SYMBOLS[EINVAL] = "EINVAL";
        SYMBOLS[ENFILE] = "ENFILE";
        SYMBOLS[EMFILE] = "EMFILE";
        SYMBOLS[ETXTBSY] = "ETXTBSY";
        SYMBOLS[EFBIG] = "EFBIG";
        SYMBOLS[ENOSPC] = "ENOSPC";
        SYMBOLS[ESPIPE] = "ESPIPE";
        SYMBOLS[EROFS] = "EROFS";
        SYMBOLS[ENAMETOOLONG] = "ENAMETOOLONG";
        SYMBOLS[ENOSYS] = "ENOSYS";
        SYMBOLS[ELOOP] = "ELOOP";
        SYMBOLS[EOVERFLOW] = "EOVERFLOW";
        SYMBOLS[EOPNOTSUPP] = "EOPNOTSUPP";
    }

    private Errno() {
    }

    /** {@return the symbolic name of {@code errno}, or {@code "errno N"} for a number this class does not name} */
    public static String symbol(int errno) {
        String symbol = errno > 0 && errno < SYMBOLS.length ? SYMBOLS[errno] : null;
        return symbol != null ? symbol : "errno " + errno;
    }
}
