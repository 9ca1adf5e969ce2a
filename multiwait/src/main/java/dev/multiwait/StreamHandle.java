package dev.multiwait;

import java.nio.ByteBuffer;

/**
 * An overlapped pipe, file or socket handle bound to a {@link MultiHandleWait}'s port. It owns
 * the handle: {@link #close()} cancels its I/O and closes the handle once every completion packet
 * for it has been consumed. All methods may be called from any thread.
 */
public interface StreamHandle extends AutoCloseable {
    /**
     * The handle this stream owns.
     *
     * @return its raw HANDLE (or SOCKET) value
     */
    long handle();

    /**
     * Reads continuously into library-owned native buffers of {@code bufferSize} bytes, one read in
     * flight at a time, until end of stream, an error, or cancellation.
     *
     * @param bufferSize bytes per read
     * @param listener   gets the data and the end, on the loop thread
     * @return the read, to cancel it
     *
     * @throws IllegalStateException if a read is already active on this stream or it is closed
     */
    Registration read(int bufferSize, ReadListener listener);

    /**
     * Queues a copy of {@code data} (consumed from position to limit) for writing; writes go out in
     * order, one in flight at a time.
     *
     * @param data     the bytes to write; the buffer is the caller's again when this returns
     * @param listener told on the loop thread how the write ended; may be null
     */
    void write(ByteBuffer data, WriteListener listener);

    /**
     * Server end of a named pipe: waits for a client (ConnectNamedPipe). A client that connected
     * before the call (ERROR_PIPE_CONNECTED) counts as connected at once.
     *
     * @param listener told on the loop thread when a client has connected
     * @return the connect operation, to cancel it
     *
     * @throws IllegalStateException on a socket (use {@link MultiHandleWait#connect}) or a closed stream
     */
    Registration connect(ConnectListener listener);

    /**
     * Half-close: once every write queued so far is out, ends this side's output while reading
     * goes on. A socket gets {@code shutdown(SD_SEND)} (the peer reads end of stream); a pipe or
     * file handle is closed as soon as nothing reads from it (a duplex named pipe has no
     * half-close of its own: pair two one-way pipes with {@link MultiHandleWait#duplex} for that).
     * Later writes are refused.
     *
     * @param listener told on the loop thread (0, null) or the error; may be null
     *
     * @throws IllegalStateException if the stream is closed or owned by a relay
     */
    default void shutdownOutput(WriteListener listener) {
        throw new UnsupportedOperationException("shutdownOutput on " + this);
    }

    /** {@link #shutdownOutput(WriteListener)} without a listener. */
    default void shutdownOutput() {
        shutdownOutput(null);
    }

    /**
     * Whether the handle is a socket.
     *
     * @return true for a socket (WSARecv/WSASend, Winsock error codes), false for pipes and files
     */
    default boolean isSocket() {
        return false;
    }

    /** Cancels every operation on the handle and closes it once their packets are consumed. */
    @Override
    void close();
}
