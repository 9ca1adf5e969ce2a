package dev.multiwait;

/** A watched process ended. Runs on the loop thread. */
@FunctionalInterface
public interface ExitListener extends CloseListener {
    /**
     * The process has ended.
     *
     * @param exitCode its exit code (GetExitCodeProcess)
     */
    void onExit(int exitCode);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * {@code onExit} told the exit code and {@code onClose} told how the registration ended, both on the loop thread: two lambdas.
     * {@link Registration#current()} in either gives the registration.
     *
     * @param onExit the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static ExitListener of(ExitListener onExit, CloseListener onClose) {
        java.util.Objects.requireNonNull(onExit, "onExit");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new ExitListener() {
            @Override
            public void onExit(int exitCode) {
                onExit.onExit(exitCode);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
