package dev.multiwait;

/** A watched waitable handle (event, timer, semaphore...) was signalled. Runs on the loop thread. */
@FunctionalInterface
public interface SignalListener extends CloseListener {
    /** The handle was signalled (once per signal for a repeating watch). */
    void onSignal();

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * {@code onSignal} told of each signal and {@code onClose} told how the registration ended, both on the loop thread: two lambdas.
     * {@link Registration#current()} in either gives the registration.
     *
     * @param onSignal the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static SignalListener of(SignalListener onSignal, CloseListener onClose) {
        java.util.Objects.requireNonNull(onSignal, "onSignal");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new SignalListener() {
            @Override
            public void onSignal() {
                onSignal.onSignal();
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
