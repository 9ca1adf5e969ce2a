package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;
import dev.multiwait.StreamHandle;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * An InputStream over a stream's continuous read, for code that blocks on its own thread. The loop
 * copies what it reads into a queue; at {@code maxBuffered} bytes the read is paused (from onData, so at
 * once) and the reader's thread resumes it once the queue is down to half. So at most
 * {@code maxBuffered + bufferSize} bytes wait here, however slow the reader.
 */
public final class BlockingInput extends InputStream implements ReadListener {
    private final EventLoop loop;
    private final int maxBuffered;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private final ReadRegistration read;
    private int buffered;
    private boolean paused;
    private boolean ended;
    private Exception failure;

    /** The view of {@code view}'s reads (a wrapper, say) whose loop is {@code attached}'s. */
    public static InputStream open(StreamHandle view, StreamHandle attached, int bufferSize, int maxBuffered) {
        EventLoop loop = attached instanceof DuplexStream d ? d.readSide.loop : StreamEntry.of(null, attached, "stream").loop;
        return new BlockingInput(view, loop, bufferSize, maxBuffered);
    }

    BlockingInput(StreamHandle stream, EventLoop loop, int bufferSize, int maxBuffered) {
        if (maxBuffered <= 0) {
            throw new IllegalArgumentException("maxBuffered must be positive: " + maxBuffered);
        }
        this.loop = loop;
        this.maxBuffered = maxBuffered;
        synchronized (this) { // onData waits until the registration is known
            this.read = stream.read(bufferSize, this);
        }
    }

    @Override
    public synchronized void onData(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        queue.add(copy);
        buffered += copy.remaining();
        if (buffered >= maxBuffered && !paused && read.isActive()) {
            paused = true;
            pauseOrResume(true);
        }
        notifyAll();
    }

    @Override
    public synchronized void onClose(CloseReason reason, Exception error) {
        ended = true;
        failure = reason == CloseReason.FAILED ? error : null;
        notifyAll();
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (loop.inLoop()) {
            throw new IllegalStateException("a blocking read on the loop thread would wait for itself");
        }
        while (queue.isEmpty() && !ended) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + read);
            }
        }
        if (queue.isEmpty()) {
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            return -1;
        }
        int n = 0;
        while (n < len && !queue.isEmpty()) {
            ByteBuffer head = queue.peek();
            int k = Math.min(len - n, head.remaining());
            head.get(b, off + n, k);
            n += k;
            if (!head.hasRemaining()) {
                queue.poll();
            }
        }
        buffered -= n;
        if (paused && buffered <= maxBuffered / 2 && read.isActive()) {
            paused = false;
            pauseOrResume(false);
        }
        return n;
    }

    private void pauseOrResume(boolean pause) {
        try {
            if (pause) {
                read.pause();
            } else {
                read.resume();
            }
        } catch (IllegalStateException ending) {
            // the stream is closing meanwhile: the read ends, onClose follows
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Bytes read from the stream and not yet taken (at most {@code maxBuffered} plus one read buffer). */
    @Override
    public synchronized int available() {
        return buffered;
    }

    /** Cancels the read (the stream itself stays open); what is buffered is dropped. */
    @Override
    public synchronized void close() {
        read.cancel();
        queue.clear();
        buffered = 0;
        ended = true;
        notifyAll();
    }
}
