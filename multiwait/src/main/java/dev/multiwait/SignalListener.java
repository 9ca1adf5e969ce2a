package dev.multiwait;

/** A watched waitable handle (event, timer, semaphore...) was signalled. Runs on the loop thread. */
@FunctionalInterface
public interface SignalListener extends CloseListener {
    /** The handle was signalled (once per signal for a repeating watch). */
    void onSignal();

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }
}
