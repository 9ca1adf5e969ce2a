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

    /**
     * Attaches any object of yours (null to clear). Any thread, also after the end.
     *
     * @param attachment the object, or null
     * @return the previous one
     */
    Object attach(Object attachment);

    /**
     * What {@link #attach(Object)} set last.
     *
     * @return the object, or null
     */
    Object attachment();

    /**
     * The registration whose listener is running on this thread (any of its callbacks, {@code onClose}
     * included), or null outside a listener: how a listener reaches its own registration.
     *
     * @return the registration, or null outside a listener
     */
    static Registration current() {
        return dev.multiwait.internal.RegistrationBase.current();
    }
}
