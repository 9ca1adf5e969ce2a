package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.WriteListener;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;

/**
 * A stream's write queue: each write's bytes are copied into native memory at once (the caller's
 * buffer is free on return), sent in order with one WriteFile in flight, and re-issued for any
 * remainder after a short write. An error fails the write and everything queued behind it.
 */
final class StreamWriter {
    /** One queued write; it keeps the loop alive until its listener has been told. */
    static final class Pending {
        final NativeOp op;
        final int length;
        final WriteListener listener;
        int done;

        Pending(NativeOp op, int length, WriteListener listener) {
            this.op = op;
            this.length = length;
            this.listener = listener;
        }
    }

    private final StreamEntry stream;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending current;
    private long offset;
    private MultiWaitException failure;
    private boolean cancelling;

    StreamWriter(StreamEntry stream) {
        this.stream = stream;
    }

    /** On the caller's thread: copy the data out and count the write as live. */
    Pending copy(ByteBuffer data, WriteListener listener) {
        int n = data.remaining();
        NativeOp op = new NativeOp(n);
        op.write(0, data);
        stream.loop.opened();
        return new Pending(op, n, listener);
    }

    boolean busy() {
        return current != null || !queue.isEmpty();
    }

    boolean owns(long overlapped) {
        return current != null && current.op.overlapped == overlapped && current.op.isPending();
    }

    void enqueue(Pending w) {
        if (failure != null || cancelling) {
            fail(w, failure != null ? failure : stream.error("WriteFile", ERROR_OPERATION_ABORTED));
            return;
        }
        queue.add(w);
        if (current == null) {
            next();
        }
    }

    private void next() {
        if (cancelling) {
            failQueued(stream.error("WriteFile", ERROR_OPERATION_ABORTED));
            stream.closeIfIdle();
            return;
        }
        current = queue.poll();
        if (current == null) {
            stream.closeIfIdle();
            return;
        }
        issue(current);
    }

    private void issue(Pending w) {
        w.op.prepare(offset);
        boolean ok = stream.loop.win32.writeFile(stream.handle, w.op.buffer + w.done, w.length - w.done, w.op.overlapped);
        stream.afterIssue(w.op, ok, this::complete);
    }

    void onPacket(int bytes) {
        stream.packetFor(current.op, bytes, this::complete);
    }

    private void complete(int error, int bytes) {
        Pending w = current;
        w.done += bytes;
        offset += bytes;
        if (error == 0 && w.done < w.length && !cancelling) {
            issue(w); // short write: send the rest
            return;
        }
        current = null;
        if (error == 0 && w.done == w.length) {
            succeed(w);
            next();
            return;
        }
        failure = stream.error("WriteFile", error == 0 ? ERROR_OPERATION_ABORTED : error);
        fail(w, failure);
        failQueued(failure);
        stream.closeIfIdle();
    }

    /** Close: abort the write in flight; queued ones fail once it has come back. */
    void cancelAll() {
        cancelling = true;
        if (current != null && current.op.isPending()) {
            stream.loop.win32.cancelIoEx(stream.handle, current.op.overlapped);
        } else if (current == null) {
            failQueued(stream.error("WriteFile", ERROR_OPERATION_ABORTED));
        }
    }

    /** Loop shutdown gave up on the write in flight: fail it and the queue (its memory is kept if still pending). */
    void abandonAll() {
        cancelling = true;
        MultiWaitException aborted = stream.error("WriteFile", ERROR_OPERATION_ABORTED);
        Pending w = current;
        current = null;
        if (w != null) {
            fail(w, aborted);
        }
        failQueued(aborted);
    }

    private void failQueued(MultiWaitException error) {
        Pending queued;
        while ((queued = queue.poll()) != null) {
            fail(queued, error);
        }
    }

    private void succeed(Pending w) {
        w.op.release();
        stream.loop.closedOne();
        notify(w, w.done, null);
    }

    private void fail(Pending w, MultiWaitException error) {
        w.op.release();
        stream.loop.closedOne();
        notify(w, w.done, error);
    }

    private void notify(Pending w, int written, MultiWaitException error) {
        if (w.listener == null) {
            return;
        }
        try {
            w.listener.onWritten(written, error);
        } catch (Throwable t) {
            stream.loop.reportCallbackError(null, t);
        }
    }
}
