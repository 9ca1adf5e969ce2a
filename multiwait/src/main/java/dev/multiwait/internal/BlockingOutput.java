package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.StreamHandle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * An OutputStream over a stream's write queue, for code that blocks on its own thread: write() queues
 * a copy and then waits while the stream is unwritable (above its high water mark, which this view
 * sets), so a slow peer holds the writer back instead of the queue growing. flush() waits until
 * nothing is pending; close() flushes and half-closes. The first write error is thrown by the next call.
 */
final class BlockingOutput extends OutputStream {
    private final StreamHandle stream;
    private final EventLoop loop;
    private MultiWaitException failure;

    BlockingOutput(StreamHandle stream, EventLoop loop, long lowWaterMark, long highWaterMark) {
        this.stream = stream;
        this.loop = loop;
        stream.setWriteWaterMarks(lowWaterMark, highWaterMark, (s, writable) -> wake());
    }

    private synchronized void wake() {
        notifyAll();
    }

    private synchronized void failed(int written, MultiWaitException error) {
        if (error != null && failure == null) {
            failure = error;
        }
        notifyAll();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        check();
        try {
            stream.write(ByteBuffer.wrap(b, off, len), this::failed);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        waitUntil(stream::isWritable);
    }

    /** Waits until every queued byte is written. */
    @Override
    public synchronized void flush() throws IOException {
        waitUntil(() -> stream.pendingWriteBytes() == 0);
    }

    /** Flushes, then half-closes the stream's output (the stream itself stays open for reading). */
    @Override
    public synchronized void close() throws IOException {
        flush();
        try {
            stream.shutdownOutput();
        } catch (IllegalStateException alreadyClosed) {
            // closing twice, or the stream was closed: nothing left to half-close
        }
    }

    private void waitUntil(java.util.function.BooleanSupplier done) throws IOException {
        if (loop.inLoop()) {
            throw new IllegalStateException("a blocking write on the loop thread would wait for itself");
        }
        while (!done.getAsBoolean()) {
            check();
            try {
                wait(); // every write's completion and each writability flip notify
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to write to " + stream);
            }
        }
        check();
    }

    private void check() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
    }
}
