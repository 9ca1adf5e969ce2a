package dev.multiwait;

/**
 * A connection was made: a client connected to a named-pipe server end ({@link StreamHandle#connect}),
 * or an outgoing socket connect succeeded ({@link MultiHandleWait#connect}). Runs on the loop thread.
 *
 * <p>The registration is the connect operation, not the stream: after {@link #onConnected} returns,
 * {@link #onClose} follows with {@link CloseReason#COMPLETED} (the connect is done) while the stream
 * stays open and is the listener's. A connect that fails or is cancelled gets only {@code onClose}.
 */
@FunctionalInterface
public interface ConnectListener extends CloseListener {
    /**
     * @param connected the connected stream: the named-pipe server end the connect was made on, or the
     *                  new socket of {@link MultiHandleWait#connect}, now the listener's to use and close
     */
    void onConnected(StreamHandle connected);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * {@code onConnected} told the connected stream and {@code onClose} told how the registration ended, both on the loop thread: two lambdas.
     * {@link Registration#current()} in either gives the registration.
     *
     * @param onConnected the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static ConnectListener of(ConnectListener onConnected, CloseListener onClose) {
        java.util.Objects.requireNonNull(onConnected, "onConnected");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new ConnectListener() {
            @Override
            public void onConnected(StreamHandle connected) {
                onConnected.onConnected(connected);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
