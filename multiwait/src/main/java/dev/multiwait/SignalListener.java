package dev.multiwait;

/** A watched waitable handle (event, timer, semaphore...) was signalled. Runs on the loop thread. */
@FunctionalInterface
public interface SignalListener extends CloseListener {
    void onSignal();

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }
}
