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
     *
     * @throws IllegalStateException on a socket (use {@link MultiHandleWait#connect}) or a closed stream
     */
    Registration connect(ConnectListener listener);

    /**
     * Half-close: once every write queued so far is out, ends this side's output while reading
     * goes on. A socket gets {@code shutdown(SD_SEND)} (the peer reads end of stream); a pipe or
     * file handle is closed as soon as nothing reads from it (a duplex named pipe has no
     * half-close of its own: pair two one-way pipes with {@link MultiHandleWait#duplex} for that).
     * Later writes are refused. {@code listener} (may be null) is told (0, null) or the error.
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
     * Idle timeout: while a read ({@link #read}) or a relay ({@link MultiHandleWait#relay}) is active on this
     * stream, it ends with {@link CloseReason#TIMED_OUT} (and a {@link MultiWaitException} of error 10060) once
     * no byte has been read or written on the stream for {@code timeout}, counted from the last byte or from
     * this call. A relay ends whole (both streams closed); after a read's end the stream stays open. Checked by
     * one timer on the loop that does not keep {@link MultiHandleWait#run()} going; {@link java.time.Duration#ZERO}
     * turns it off. For an accepted connection, set it in {@code onAccepted}. Any thread; the ended read's or
     * relay's {@code onClose} runs on the loop thread.
     *
     * @throws IllegalArgumentException for a negative timeout
     * @throws IllegalStateException if the stream is closed
     */
    default void setIdleTimeout(java.time.Duration timeout) {
        throw new UnsupportedOperationException("setIdleTimeout on " + this);
    }

    /** True for a socket (WSARecv/WSASend, Winsock error codes), false for pipes and files. */
    default boolean isSocket() {
        return false;
    }

    /** Cancels every operation on the handle and closes it once their packets are consumed. */
    @Override
    void close();
}
