package dev.multiwait.internal;

import dev.multiwait.CloseListener;
import dev.multiwait.CloseReason;

/**
 * What a stream's single-OVERLAPPED registrations (a read, a pipe connect) share: the native block
 * they own, whether a result is on its way, and how cancel, close and release treat them. The block
 * is freed only after the operation's packet (or synchronous result) has been consumed.
 */
abstract class StreamOperation extends RegistrationBase implements StreamOp {
    protected final StreamEntry stream;
    protected final NativeOp op;
    /** A result (packet or synchronous) is on its way. */
    protected boolean inFlight;
    /** Set when an idle timeout cancelled it: it ends TIMED_OUT with this, not CANCELLED. */
    protected dev.multiwait.MultiWaitException timedOut;

    StreamOperation(StreamEntry stream, CloseListener listener, NativeOp op) {
        super(stream.loop, listener);
        this.stream = stream;
        this.op = op;
    }

    @Override
    public final boolean onPacket(long overlapped, int bytes) {
        if (overlapped != op.overlapped || !op.isPending()) {
            return false;
        }
        stream.packetFor(op, bytes, this::complete);
        return true;
    }

    /** The operation's result, from its packet or inline. */
    protected abstract void complete(int error, int bytes);

    @Override
    public final boolean busy() {
        return isActive();
    }

    /**
     * The start's prelude: false if there is nothing to issue, because a cancel before the start has
     * already finished it, or the stream closed before it began (issue nothing nobody would cancel).
     */
    final boolean mayStart() {
        if (!isActive()) {
            return false;
        }
        if (stream.isClosing()) {
            finish(CloseReason.CANCELLED, null);
            return false;
        }
        return true;
    }

    /** How a cancelled operation ends: CANCELLED, or TIMED_OUT after an idle timeout. */
    protected final void finishCancelled() {
        finish(timedOut != null ? CloseReason.TIMED_OUT : CloseReason.CANCELLED, timedOut);
    }

    @Override
    protected final void onCancel() {
        if (!inFlight) {
            finishCancelled();
        } else if (op.isPending()) {
            // 1168 (not found) means the packet is already queued: it will end the operation.
            stream.cancelIo(op, this, false);
        }
    }

    /** The stream is closing: cancel, again if an earlier cancel may have failed. Loop thread. */
    @Override
    public final void cancelForClose() {
        if (!cancelRequested) {
            requestCancel();
        } else if (isActive() && inFlight && op.isPending()) {
            stream.cancelIo(op, this, false);
        }
    }

    @Override
    protected final void release() {
        op.release();
        stream.remove(this);
        stream.closeIfIdle();
    }

    @Override
    protected final void releaseUnstarted() {
        op.release();
        stream.remove(this);
    }
}
