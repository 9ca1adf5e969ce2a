package dev.multiwait;

/** A client connected to a named-pipe server end. Runs on the loop thread. */
@FunctionalInterface
public interface ConnectListener extends CloseListener {
    void onConnected(StreamHandle pipe);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }
}
