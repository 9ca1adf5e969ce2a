package dev.multiwait;

/**
 * A connection was made: a client connected to a named-pipe server end ({@link StreamHandle#connect}),
 * or an outgoing socket connect succeeded ({@link MultiHandleWait#connect}). Runs on the loop thread.
 */
@FunctionalInterface
public interface ConnectListener extends CloseListener {
    void onConnected(StreamHandle pipe);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }
}
