package dev.multiwait;

import java.net.InetSocketAddress;

/** Connections accepted on a listening socket ({@link MultiHandleWait#listen}). Runs on the loop thread. */
@FunctionalInterface
public interface AcceptListener extends CloseListener {
    /**
     * A client connected. {@code socket} is already attached to the same waiter and is now the
     * listener's to read, write, relay or close (if this method throws, the library closes it).
     *
     * @param server the listening socket that accepted it
     * @param socket the accepted connection, attached to the waiter
     * @param peer   the client's address and port
     */
    void onAccepted(SocketServer server, StreamHandle socket, InetSocketAddress peer);

    /**
     * One connection was lost before it could be handed over (the client reset it, or the accepted
     * socket could not be set up). The server goes on accepting.
     *
     * @param server the listening socket
     * @param error  what went wrong, naming the call and the WSA error
     */
    default void onAcceptFailed(SocketServer server, MultiWaitException error) {
    }

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * {@code onAccepted} told of each connection and {@code onClose} told how the listening ended, both on the
     * loop thread: two lambdas ({@code onAcceptFailed} keeps its default). {@link Registration#current()} in
     * either gives the server's registration.
     *
     * @param onAccepted the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static AcceptListener of(AcceptListener onAccepted, CloseListener onClose) {
        java.util.Objects.requireNonNull(onAccepted, "onAccepted");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new AcceptListener() {
            @Override
            public void onAccepted(SocketServer server, StreamHandle socket, InetSocketAddress peer) {
                onAccepted.onAccepted(server, socket, peer);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
