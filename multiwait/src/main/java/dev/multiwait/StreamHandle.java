package dev.multiwait;

import java.nio.ByteBuffer;

/**
 * An overlapped pipe, file or socket handle bound to a {@link MultiHandleWait}'s port. It owns
 * the handle: {@link #close()} cancels its I/O and closes the handle once every completion packet
 * for it has been consumed. All methods may be called from any thread.
 */
public interface StreamHandle extends AutoCloseable {
    /** The raw handle value. */
    long handle();

    /**
     * Reads continuously into library-owned native buffers of {@code bufferSize} bytes, one read in
     * flight at a time, until end of stream, an error, or cancellation.
     *
     * @throws IllegalStateException if a read is already active on this stream or it is closed
     */
    Registration read(int bufferSize, ReadListener listener);

    /**
     * Queues a copy of {@code data} (consumed from position to limit) for writing; writes go out in
     * order, one in flight at a time. The listener may be null.
     */
    void write(ByteBuffer data, WriteListener listener);

    /**
     * Server end of a named pipe: waits for a client (ConnectNamedPipe). A client that connected
     * before the call (ERROR_PIPE_CONNECTED) counts as connected at once.
     */
    Registration connect(ConnectListener listener);

    /** Cancels every operation on the handle and closes it once their packets are consumed. */
    @Override
    void close();
}
