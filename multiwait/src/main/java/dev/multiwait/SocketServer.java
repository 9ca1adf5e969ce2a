package dev.multiwait;

import java.net.InetSocketAddress;

/**
 * A listening socket with AcceptEx operations kept pending on a {@link MultiHandleWait}.
 * {@link #cancel()} or {@link #close()} stops it: the pending accepts are cancelled, their
 * sockets closed, then the listening socket; the listener's {@code onClose} follows.
 */
public interface SocketServer extends Registration, AutoCloseable {
    /**
     * The address actually bound.
     *
     * @return the local address, with the port the system chose for port 0
     */
    InetSocketAddress localAddress();

    /**
     * The listening socket.
     *
     * @return its raw SOCKET value
     */
    long socket();

    /**
     * How many AcceptEx operations it keeps pending.
     *
     * @return the number given to {@link MultiHandleWait#listen}
     */
    int pendingAccepts();

    /** Same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
