package io.github.dax4j.internal.posix;

import java.io.Serial;
import java.nio.file.FileSystemException;

/**
 * A system call that failed, with the {@code errno} it set: a {@link FileSystemException}, as {@code java.nio.file}
 * reports failures, for the errors that have no more precise JDK type. Not API, as the JDK's own
 * {@code sun.nio.fs.UnixException} is not: callers see a {@code FileSystemException}, dax4j's code reads the
 * errno ({@code ENOENT} is a
 * {@link java.nio.file.NoSuchFileException}, {@code EACCES} and {@code EPERM} an
 * {@link java.nio.file.AccessDeniedException}, {@code EEXIST} a {@link java.nio.file.FileAlreadyExistsException};
 * their reason holds the same call and errno text).
 *
 * <p>The message reads {@code mmap(0x0, 2097152, PROT_READ|PROT_WRITE, MAP_SHARED_VALIDATE|MAP_SYNC, 7 "/dev/shm/x",
 * 0) failed: EOPNOTSUPP (Operation not supported)}: the call and its arguments, the errno symbol and the C
 * library's description of it. {@link #getFile()} is the path the call concerned, or {@code null}.
 */
public class ErrnoException extends FileSystemException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String errnoSymbol;

    /**
     * @param file        the path the call concerned, or {@code null} (an address range, say)
     * @param call        the call with its arguments as a person would write it, e.g. {@code msync(0x7f..., 4096, MS_SYNC)}
     * @param errno       the value of {@code errno} captured right after the call
     * @param errnoSymbol the symbolic name of {@code errno}, e.g. {@code EINVAL}
     * @param description the C library's text for {@code errno} ({@code strerror})
     */
    public ErrnoException(String file, String call, int errno, String errnoSymbol, String description) {
        super(file, null, call + " failed: " + errnoSymbol + " (" + description + ")");
        this.call = call;
        this.errno = errno;
        this.errnoSymbol = errnoSymbol;
    }

    /** {@return the failed call, its arguments and the errno: the call names the path where there is one} */
    @Override
    public String getMessage() {
        return getReason();
    }

    /**
     * {@return this failure as the plain {@link FileSystemException} users see} Same file, reason, stack trace and
     * suppressed failures; the errno stays behind, as the JDK's own errno carrier does.
     */
    public FileSystemException asPublic() {
        FileSystemException visible = new FileSystemException(getFile(), getOtherFile(), getReason());
        visible.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            visible.addSuppressed(suppressed);
        }
        return visible;
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
