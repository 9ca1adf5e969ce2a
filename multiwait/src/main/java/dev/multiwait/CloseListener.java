package dev.multiwait;

/** Told once, on the loop thread, when a registration ends. */
@FunctionalInterface
public interface CloseListener {
    /** @param error the cause when {@code reason} is FAILED, else null */
    void onClose(CloseReason reason, Exception error);
}
