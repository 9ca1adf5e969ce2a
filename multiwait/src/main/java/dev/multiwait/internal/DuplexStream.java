package dev.multiwait.internal;

import dev.multiwait.ConnectListener;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.WritabilityListener;
import dev.multiwait.WriteListener;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two one-way handles seen as one stream: reads come from one, writes go to the other, and the
 * half-close closes the write side alone. The way to give a pair of pipes (a child's stdout and
 * stdin, say) a real half-close in a relay.
 */
public final class DuplexStream implements StreamHandle {
    final StreamEntry readSide;
    final StreamEntry writeSide;
    private final AtomicReference<Object> attachment = new AtomicReference<>();

    private DuplexStream(StreamEntry readSide, StreamEntry writeSide) {
        this.readSide = readSide;
        this.writeSide = writeSide;
    }

    public static DuplexStream of(EventLoop loop, StreamHandle readSide, StreamHandle writeSide) {
        StreamEntry r = StreamEntry.of(loop, readSide, "readSide");
        StreamEntry w = StreamEntry.of(loop, writeSide, "writeSide");
        if (r == w) {
            throw new IllegalArgumentException("readSide and writeSide are the same handle 0x" + Long.toHexString(r.handle));
        }
        return new DuplexStream(r, w);
    }

    /** The read side's handle. */
    @Override
    public long handle() {
        return readSide.handle;
    }

    @Override
    public ReadRegistration read(int bufferSize, ReadListener listener) {
        return readSide.read(bufferSize, listener);
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        writeSide.write(Objects.requireNonNull(data, "data"), listener);
    }

    @Override
    public long pendingWriteBytes() {
        return writeSide.pendingWriteBytes();
    }

    @Override
    public boolean isWritable() {
        return writeSide.isWritable();
    }

    @Override
    public void setWriteWaterMarks(long low, long high, WritabilityListener listener) {
        writeSide.setWriteWaterMarks(low, high, listener == null ? null : (s, writable) -> listener.onWritabilityChanged(this, writable));
    }

    @Override
    public void setMaxPendingWriteBytes(long max) {
        writeSide.setMaxPendingWriteBytes(max);
    }

    @Override
    public void shutdownOutput(WriteListener listener) {
        writeSide.shutdownOutput(listener);
    }

    /** The write side closes gracefully, then the read side closes. */
    @Override
    public void closeAfterWrites(Duration timeout, WriteListener listener) {
        writeSide.closeAfterWrites(timeout, (n, error) -> {
            readSide.close();
            if (listener != null) {
                listener.onWritten(n, error);
            }
        });
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return readSide.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return readSide.localAddress();
    }

    @Override
    public Object attach(Object newAttachment) {
        return attachment.getAndSet(newAttachment);
    }

    @Override
    public java.io.InputStream asInputStream(int bufferSize, int maxBuffered) {
        return new BlockingInput(this, readSide.loop, bufferSize, maxBuffered);
    }

    @Override
    public java.io.OutputStream asOutputStream(long lowWaterMark, long highWaterMark) {
        return new BlockingOutput(this, writeSide.loop, lowWaterMark, highWaterMark);
    }

    @Override
    public Object attachment() {
        return attachment.get();
    }

    @Override
    public Registration connect(ConnectListener listener) {
        throw new UnsupportedOperationException("connect() on a duplex of two handles");
    }

    @Override
    public boolean isSocket() {
        return readSide.isSocket() && writeSide.isSocket();
    }

    @Override
    public void close() {
        readSide.close();
        writeSide.close();
    }

    @Override
    public String toString() {
        return "Duplex[read " + readSide + ", write " + writeSide + "]";
    }
}
