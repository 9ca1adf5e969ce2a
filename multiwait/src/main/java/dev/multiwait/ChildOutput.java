package dev.multiwait;

import dev.multiwait.internal.BlockingInput;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A child's stdout or stderr as its caller sees it: the stream itself, plus a signal to the child
 * once the stream has ended for good, after the last {@code onData} and {@code onClose} returned:
 * a read ended other than by cancellation (end of stream, an error), or the stream was closed.
 */
final class ChildOutput implements StreamHandle {
    private final StreamHandle stream;
    private final Runnable ended;
    /** Reads started and not yet ended (a refused second read must not count the first one out). */
    private int activeReads;
    private boolean closed;
    private boolean done;

    ChildOutput(StreamHandle stream, Runnable ended) {
        this.stream = stream;
        this.ended = ended;
    }

    @Override
    public long handle() {
        return stream.handle();
    }

    @Override
    public ReadRegistration read(int bufferSize, ReadListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            activeReads++;
        }
        try {
            return stream.read(bufferSize, new ReadListener() {
                @Override
                public void onData(ByteBuffer data) {
                    listener.onData(data);
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    try {
                        listener.onClose(reason, error);
                    } finally {
                        readEnded(reason);
                    }
                }
            });
        } catch (RuntimeException | Error refused) {
            synchronized (this) {
                activeReads--;
            }
            throw refused;
        }
    }

    private void readEnded(CloseReason reason) {
        boolean end;
        synchronized (this) {
            activeReads--;
            end = (reason != CloseReason.CANCELLED || closed) && !done;
            done |= end;
        }
        if (end) {
            ended.run();
        }
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        stream.write(data, listener);
    }

    @Override
    public Registration connect(ConnectListener listener) {
        return stream.connect(listener);
    }

    @Override
    public void shutdownOutput(WriteListener listener) {
        stream.shutdownOutput(listener);
    }

    @Override
    public boolean isSocket() {
        return stream.isSocket();
    }

    @Override
    public long pendingWriteBytes() {
        return stream.pendingWriteBytes();
    }

    @Override
    public boolean isWritable() {
        return stream.isWritable();
    }

    @Override
    public void setWriteWaterMarks(long low, long high, WritabilityListener listener) {
        stream.setWriteWaterMarks(low, high, listener == null ? null : (s, writable) -> listener.onWritabilityChanged(this, writable));
    }

    @Override
    public void setMaxPendingWriteBytes(long max) {
        stream.setMaxPendingWriteBytes(max);
    }

    /** As {@link #close()} once the writes are out: the end is signalled when the stream's read ends. */
    @Override
    public void closeAfterWrites(Duration timeout, WriteListener listener) {
        stream.closeAfterWrites(timeout, (n, error) -> {
            close();
            if (listener != null) {
                listener.onWritten(n, error);
            }
        });
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return stream.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return stream.localAddress();
    }

    @Override
    public Object attach(Object attachment) {
        return stream.attach(attachment);
    }

    @Override
    public Object attachment() {
        return stream.attachment();
    }

    /** Reads through this wrapper, so the child learns when the stream ended. */
    @Override
    public InputStream asInputStream(int bufferSize, int maxBuffered) {
        return BlockingInput.open(this, stream, bufferSize, maxBuffered);
    }

    @Override
    public OutputStream asOutputStream(long lowWaterMark, long highWaterMark) {
        return stream.asOutputStream(lowWaterMark, highWaterMark);
    }

    /** Closes the stream; with no read active it has ended now, else when that read's onClose returns. */
    @Override
    public void close() {
        boolean end;
        synchronized (this) {
            closed = true;
            end = activeReads == 0 && !done;
            done |= end;
        }
        stream.close();
        if (end) {
            ended.run();
        }
    }

    @Override
    public String toString() {
        return stream.toString();
    }
}
