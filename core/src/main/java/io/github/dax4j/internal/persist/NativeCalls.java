package io.github.dax4j.internal.persist;

/** Rethrows what a {@code MethodHandle.invokeExact} of a native stub can throw: only unchecked exceptions. */
final class NativeCalls {

    private NativeCalls() {
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("a native stub threw a checked exception", t);
    }
}
