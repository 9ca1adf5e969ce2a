package dev.multiwait;

/** Something a {@link MultiHandleWait} is waiting on for you: a read, an accept, a watched handle. */
public interface Registration {
    /**
     * Stops it, from any thread, idempotently. Pending I/O is cancelled; bytes an aborted read had
     * already moved are still delivered; then the listener's {@code onClose} reports CANCELLED.
     */
    void cancel();

    /**
     * Whether it is still live.
     *
     * @return true until the listener's {@code onClose} has been called
     */
    boolean isActive();
}
