package dev.multiwait;

/**
 * Characters typed on a console, on the loop thread. Only key-down records carrying a character
 * are delivered; every other input record (focus, mouse, resize, key-up) is read and dropped, so
 * a console that signals for them never makes the loop spin.
 */
@FunctionalInterface
public interface ConsoleInputListener extends CloseListener {
    /**
     * Characters typed since the last call.
     *
     * @param typed the characters, never empty
     */
    void onInput(String typed);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * {@code onInput} told what was typed and {@code onClose} told how the registration ended, both on the loop thread: two lambdas.
     * {@link Registration#current()} in either gives the registration.
     *
     * @param onInput the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static ConsoleInputListener of(ConsoleInputListener onInput, CloseListener onClose) {
        java.util.Objects.requireNonNull(onInput, "onInput");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new ConsoleInputListener() {
            @Override
            public void onInput(String typed) {
                onInput.onInput(typed);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
