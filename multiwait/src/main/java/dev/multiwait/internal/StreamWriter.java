package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.WriteListener;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;

/**
 * A stream's write queue: each write's bytes are copied into native memory at once (the caller's
 * buffer is free on return), sent in order with one WriteFile (WSASend on a socket) in flight, and
 * re-issued for any remainder after a short write. An error fails the write and everything queued
 * behind it. A half-close ({@link #shutdownMarker}) is queued like a write and happens once every
 * write before it is out.
 */
final class StreamWriter implements StreamOp {
    /** One queued write; it keeps the loop alive until its listener has been told. */
    static final class Pending {
        /** Null for the half-close marker. */
        final NativeOp op;
        final int length;
        final WriteListener listener;
        int done;

        Pending(NativeOp op, int length, WriteListener listener) {
            this.op = op;
            this.length = length;
            this.listener = listener;
        }

        boolean isShutdown() {
            return op == null;
        }
    }

    private StreamEntry stream;
    /** Bytes queued, water marks and the limit; made with the stream. */
    WriteBudget budget;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending current;
    private long offset;
    private MultiWaitException failure;
    private boolean cancelling;

    /** Set once, by the stream this queue belongs to (which needs the queue to be made). */
    void attachTo(StreamEntry owner) {
        this.stream = owner;
        this.budget = new WriteBudget(owner);
    }

    @Override
    public Role role() {
        return Role.WRITE;
    }

    /** On the caller's thread: copy the data out and count the write as live. */
    Pending copy(ByteBuffer data, WriteListener listener) {
        int n = data.remaining();
        budget.reserve(n); // refused here, before any native memory is taken
        NativeOp op;
        try {
            op = new NativeOp(n, HandleKind.IO_SCRATCH);
        } catch (RuntimeException | Error notAllocated) {
            budget.release(n);
            throw notAllocated;
        }
        op.write(0, data);
        stream.loop.opened();
        return new Pending(op, n, listener);
    }

    /** On the caller's thread: the half-close, queued behind every write so far. */
    Pending shutdownMarker(WriteListener listener) {
        stream.loop.opened();
        return new Pending(null, 0, listener);
    }

    /** A write that never reached the loop (it closed meanwhile): free it, uncounted, untold. */
    void discard(Pending w) {
        if (w.op != null) {
            w.op.release();
        }
        budget.release(w.length);
        stream.loop.closedOne();
    }

    @Override
    public boolean busy() {
        return current != null || !queue.isEmpty();
    }

    @Override
    public boolean onPacket(long overlapped, int bytes) {
        if (current == null || current.op == null || current.op.overlapped != overlapped || !current.op.isPending()) {
            return false;
        }
        stream.packetFor(current.op, bytes, this::complete);
        return true;
    }

    void enqueue(Pending w) {
        // A write that passed the caller-side check while the handle was being closed (close, or a
        // pipe's half-close) must fail here: never issue I/O on a closed, possibly reused, handle.
        if (failure != null || cancelling || stream.isHandleClosed()) {
            fail(w, failure != null ? failure : stream.error(stream.kind.writeCall, ERROR_OPERATION_ABORTED));
            return;
        }
        queue.add(w);
        if (current == null) {
            next();
        }
    }

    private void next() {
        while (true) {
            if (cancelling) {
                failQueued(stream.error(stream.kind.writeCall, ERROR_OPERATION_ABORTED));
                stream.closeIfIdle();
                return;
            }
            current = queue.poll();
            if (current == null) {
                stream.writerIdle();
                return;
            }
            if (!current.isShutdown()) {
                if (stream.isHandleClosed()) {
                    Pending closed = current;
                    current = null;
                    fail(closed, stream.error(stream.kind.writeCall, ERROR_OPERATION_ABORTED));
                    continue;
                }
                issue(current);
                return;
            }
            // the half-close: every write before it is out (it stays current while its listener runs)
            Pending marker = current;
            int error = stream.halfClose();
            if (error == 0) {
                succeed(marker);
                current = null;
            } else {
                failure = stream.error("shutdown(SD_SEND)", error);
                current = null;
                fail(marker, failure);
                failQueued(failure);
                stream.closeIfIdle();
                return;
            }
        }
    }

    private void issue(Pending w) {
        boolean ok = stream.issueWrite(w.op, w.op.buffer + w.done, w.length - w.done, 0, 0, offset);
        stream.afterIssue(w.op, ok, this::complete);
    }

    private void complete(int error, int bytes) {
        Pending w = current;
        w.done += bytes;
        offset += bytes;
        if (error == 0 && w.done < w.length && !cancelling) {
            issue(w); // short write: send the rest
            return;
        }
        if (error == 0 && w.done == w.length) {
            // w stays current while its listener runs: a listener that writes again only queues
            // behind it (enqueue must not start a second write in flight), then the queue moves on.
            succeed(w);
            current = null;
            next();
            return;
        }
        current = null;
        failure = stream.error(stream.kind.writeCall, error == 0 ? ERROR_OPERATION_ABORTED : error);
        fail(w, failure);
        failQueued(failure);
        stream.closeIfIdle();
    }

    /** Close: abort the write in flight; queued ones fail once it has come back. */
    @Override
    public void cancelForClose() {
        cancelling = true;
        if (current != null && current.op != null && current.op.isPending()) {
            stream.cancelIo(current.op, null, false);
        } else if (current == null) {
            failQueued(stream.error(stream.kind.writeCall, ERROR_OPERATION_ABORTED));
        }
    }

    /** Loop shutdown gave up on the write in flight: fail it and the queue (its memory is kept if still pending). */
    @Override
    public void abandonAtClose() {
        cancelling = true;
        MultiWaitException aborted = stream.error(stream.kind.writeCall, ERROR_OPERATION_ABORTED);
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
        if (w.op != null) {
            w.op.release();
        }
        budget.release(w.length);
        stream.loop.closedOne();
        notify(w, w.done, null);
    }

    private void fail(Pending w, MultiWaitException error) {
        if (w.op != null) {
            w.op.release();
        }
        budget.release(w.length);
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
