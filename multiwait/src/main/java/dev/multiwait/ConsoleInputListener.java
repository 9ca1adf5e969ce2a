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
}
