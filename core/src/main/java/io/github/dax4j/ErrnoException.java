package io.github.dax4j;

/**
 * A native call that failed, with the {@code errno} it set.
 *
 * <p>The message reads {@code open("/dev/dax0.0", O_RDWR) failed: ENOENT (No such file or directory)}: the call
 * and its arguments, the errno symbol and the C library's description of it.
 */
public class ErrnoException extends DaxException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String errnoSymbol;

    /**
     * @param call        the call with its arguments as a person would write it, e.g. {@code msync(0x7f..., 4096, MS_SYNC)}
     * @param errno       the value of {@code errno} captured right after the call
     * @param errnoSymbol the symbolic name of {@code errno}, e.g. {@code EINVAL}
     * @param description the C library's text for {@code errno} ({@code strerror})
     */
    public ErrnoException(String call, int errno, String errnoSymbol, String description) {
        super(call + " failed: " + errnoSymbol + " (" + description + ")");
        this.call = call;
        this.errno = errno;
        this.errnoSymbol = errnoSymbol;
    }

    /** {@return the failed call and its arguments} */
    public String call() {
        return call;
    }

    /** {@return the numeric errno} */
    public int errno() {
        return errno;
    }

    /** {@return the errno symbol, e.g. {@code EOPNOTSUPP}} */
    public String errnoSymbol() {
        return errnoSymbol;
    }
}
