package dev.multiwait;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * An overlapped pipe, file or socket handle bound to a {@link MultiHandleWait}'s port. It owns
 * the handle: {@link #close()} cancels its I/O and closes the handle once every completion packet
 * for it has been consumed. All methods may be called from any thread.
 */
public interface StreamHandle extends AutoCloseable {
    /** Default low water mark of queued writes (netty's): 32 KiB. */
    long DEFAULT_LOW_WATER_MARK = 32 * 1024;
    /** Default high water mark of queued writes (netty's): 64 KiB. */
    long DEFAULT_HIGH_WATER_MARK = 64 * 1024;
    /** Default bound on the bytes queued writes may hold in native memory: 256 MiB. */
    long DEFAULT_MAX_PENDING_WRITE_BYTES = 256L << 20;

    /**
     * The handle this stream owns.
     *
     * @return its raw HANDLE (or SOCKET) value
     */
    long handle();

    /**
     * Reads continuously into library-owned native buffers of {@code bufferSize} bytes, one read in
     * flight at a time, until end of stream, an error, or cancellation. The registration can
     * {@linkplain ReadRegistration#pause() pause} and resume the reading.
     *
     * @param bufferSize bytes per read
     * @param listener   gets the data and the end, on the loop thread
     * @return the read, to cancel it
     *
     * @throws IllegalStateException if a read is already active on this stream or it is closed
     */
    ReadRegistration read(int bufferSize, ReadListener listener);

    /**
     * Queues a copy of {@code data} (consumed from position to limit) for writing; writes go out in
     * order, one in flight at a time.
     *
     * @param data     the bytes to write; the buffer is the caller's again when this returns
     * @param listener told on the loop thread how the write ended; may be null
     * @throws IllegalStateException if the stream is closed, its output shut down, or the write would take
     *         the queued bytes beyond {@link #setMaxPendingWriteBytes the limit} (nothing is queued then)
     */
    void write(ByteBuffer data, WriteListener listener);

    /**
     * Bytes of writes queued or in flight whose listener has not been told yet. Any thread.
     *
     * @return the byte count
     */
    default long pendingWriteBytes() {
        return 0;
    }

    /**
     * False once more than the high water mark is pending, true again once the pending bytes fell to the
     * low mark (netty's {@code isWritable()}). Any thread. Advisory: writes are still accepted up to the limit.
     *
     * @return false while more than the high water mark is pending
     */
    default boolean isWritable() {
        return true;
    }

    /**
     * Sets the water marks (defaults {@value #DEFAULT_LOW_WATER_MARK} and {@value #DEFAULT_HIGH_WATER_MARK})
     * and the listener told of writability changes on the loop thread (null: none). Any thread.
     *
     * @throws IllegalArgumentException unless {@code 0 <= low <= high}
     * @throws IllegalStateException if the stream is closed
     * @param low      pending bytes at which the stream is writable again
     * @param high     pending bytes above which it is unwritable
     * @param listener told of each change on the loop thread; may be null
     */
    default void setWriteWaterMarks(long low, long high, WritabilityListener listener) {
        throw new UnsupportedOperationException("setWriteWaterMarks on " + this);
    }

    /**
     * Bounds the bytes queued writes may hold in native memory (default
     * {@value #DEFAULT_MAX_PENDING_WRITE_BYTES}): a write beyond it throws IllegalStateException, queues
     * nothing and takes no memory. Any thread.
     *
     * @throws IllegalArgumentException if {@code max <= 0}
     * @throws IllegalStateException if the stream is closed
     * @param max the most bytes queued writes may hold
     */
    default void setMaxPendingWriteBytes(long max) {
        throw new UnsupportedOperationException("setMaxPendingWriteBytes on " + this);
    }

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
     * Graceful close: once every write queued so far is out, half-closes ({@link #shutdownOutput}: a
     * socket's {@code shutdown(SD_SEND)}; a pipe or file has none) and closes the stream, which also
     * cancels a read still active on it. If that has not happened within {@code timeout}, the stream is
     * closed at once and the writes still queued fail with 995. {@code listener} (may be null) is told
     * on the loop thread: (0, null) after a graceful close, else the write or half-close error, or
     * error 1460 (ERROR_TIMEOUT) when the timeout closed it. Any thread.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the stream is closed or owned by a relay
     * @param timeout  how long the queued writes may take
     * @param listener told how the close went; may be null
     */
    default void closeAfterWrites(Duration timeout, WriteListener listener) {
        throw new UnsupportedOperationException("closeAfterWrites on " + this);
    }

    /**
     * The connected peer's address (getpeername, or what AcceptEx or ConnectEx already gave), null for a
     * pipe or file. Any thread.
     *
     * @throws MultiWaitException if getpeername fails (10057 WSAENOTCONN: not connected)
     * @throws IllegalStateException if the stream is closed and the address was never asked for before
     * @return the peer address, or null
     */
    default InetSocketAddress remoteAddress() {
        return null;
    }

    /**
     * This end's address (getsockname, or what AcceptEx gave); as {@link #remoteAddress}.
     *
     * @return the local address, null for a pipe or file
     */
    default InetSocketAddress localAddress() {
        return null;
    }

    /**
     * Attaches any object of yours (null to clear). Any thread.
     *
     * @param attachment the object, or null
     * @return the previous one
     */
    default Object attach(Object attachment) {
        throw new UnsupportedOperationException("attach on " + this);
    }

    /**
     * What {@link #attach(Object)} set last.
     *
     * @return the object, or null
     */
    default Object attachment() {
        return null;
    }

    /**
     * A blocking InputStream over this stream's read (it starts the read), for code on its own thread (never
     * the loop's: that throws IllegalStateException). At {@code maxBuffered} bytes waiting the read is
     * {@linkplain ReadRegistration#pause() paused}, and resumed once half of them were taken, so at most
     * {@code maxBuffered + bufferSize} bytes are held however slow the reader. End of stream is -1; a failed
     * read is an IOException. Its close() cancels the read; the stream stays open.
     *
     * @throws IllegalArgumentException if a size is not positive
     * @throws IllegalStateException as {@link #read}
     * @param bufferSize  bytes per read
     * @param maxBuffered bytes held unread before reading pauses
     * @return the blocking view
     */
    default InputStream asInputStream(int bufferSize, int maxBuffered) {
        throw new UnsupportedOperationException("asInputStream on " + this);
    }

    /**
     * A blocking OutputStream over this stream's writes, for code on its own thread (never the loop's). It
     * sets the {@linkplain #setWriteWaterMarks water marks} (taking over their listener): each write() queues
     * a copy, then waits while the stream is unwritable, so a slow peer holds the writer back at about
     * {@code highWaterMark} queued bytes. flush() waits until nothing is pending; close() flushes and
     * half-closes ({@link #shutdownOutput}). A write error is an IOException from the next call.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lowWaterMark <= highWaterMark}
     * @param lowWaterMark  pending bytes at which a waiting write goes on
     * @param highWaterMark pending bytes above which {@code write} waits
     * @return the blocking view
     */
    default OutputStream asOutputStream(long lowWaterMark, long highWaterMark) {
        throw new UnsupportedOperationException("asOutputStream on " + this);
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
     * @param timeout how long no byte may move; {@link java.time.Duration#ZERO} turns it off
     */
    default void setIdleTimeout(java.time.Duration timeout) {
        throw new UnsupportedOperationException("setIdleTimeout on " + this);
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
