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
}
