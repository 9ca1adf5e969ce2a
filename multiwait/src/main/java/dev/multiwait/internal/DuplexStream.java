package dev.multiwait.internal;

import dev.multiwait.ConnectListener;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.WriteListener;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Two one-way handles seen as one stream: reads come from one, writes go to the other, and the
 * half-close closes the write side alone. The way to give a pair of pipes (a child's stdout and
 * stdin, say) a real half-close in a relay.
 */
public final class DuplexStream implements StreamHandle {
    final StreamEntry readSide;
    final StreamEntry writeSide;

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
    public Registration read(int bufferSize, ReadListener listener) {
        return readSide.read(bufferSize, listener);
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        writeSide.write(Objects.requireNonNull(data, "data"), listener);
    }

    @Override
    public void shutdownOutput(WriteListener listener) {
        writeSide.shutdownOutput(listener);
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
