package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;
import dev.multiwait.Registration;
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
    private volatile ReadRegistration read;
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
        // Never call into the stream while holding this monitor: the loop thread takes it in onData.
        this.read = stream.read(bufferSize, this);
    }

    /**
     * Loop thread. The pause is made under this monitor, so the reader never sees {@code paused} before the
     * read is paused (its resume would be refused and the read stay paused for good); pausing from the loop
     * thread never waits for the reader, so this cannot deadlock with the reader's calls, made outside it.
     */
    @Override
    public synchronized void onData(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        queue.add(copy);
        buffered += copy.remaining();
        if (buffered >= maxBuffered && !paused) {
            paused = true;
            // before the constructor has the registration, the one running this listener is it
            pauseOrResume(read != null ? read : (ReadRegistration) Registration.current(), true);
        }
        notifyAll();
    }

    @Override
    public synchronized void onClose(CloseReason reason, Exception error) {
        ended = true;
        failure = reason == CloseReason.FAILED ? error : null;
        notifyAll();
    }

    /** Waits for bytes and takes up to {@code len} of them (-1 at the end). */
    private synchronized int take(byte[] b, int off, int len) throws IOException {
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
        return n;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = take(b, off, len);
        boolean resume;
        synchronized (this) {
            resume = paused && buffered <= maxBuffered / 2;
            paused &= !resume;
        }
        if (resume) {
            pauseOrResume(read, false); // outside the monitor: see the constructor
        }
        return n;
    }

    private static void pauseOrResume(ReadRegistration read, boolean pause) {
        try {
            if (!read.isActive()) {
                return;
            } else if (pause) {
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
    public void close() {
        read.cancel(); // outside the monitor: see the constructor
        synchronized (this) {
            queue.clear();
            buffered = 0;
            ended = true;
            notifyAll();
        }
    }
}
