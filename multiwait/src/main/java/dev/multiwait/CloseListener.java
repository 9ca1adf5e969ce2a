package dev.multiwait;

/** Told once, on the loop thread, when a registration ends. */
@FunctionalInterface
public interface CloseListener {
    /**
     * The registration has ended; no other callback of it follows.
     *
     * @param reason why it ended
     * @param error  the cause when {@code reason} is FAILED, else null
     */
    void onClose(CloseReason reason, Exception error);
}
