package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;

import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;
import static dev.multiwait.win32.Win32Errors.ERROR_PIPE_CONNECTED;

/** Named-pipe server accept: one overlapped ConnectNamedPipe. */
final class PipeConnect extends RegistrationBase {
    private final StreamEntry stream;
    private final ConnectListener listener;
    private final NativeOp op = new NativeOp(0);
    private boolean inFlight;

    PipeConnect(StreamEntry stream, ConnectListener listener) {
        super(stream.loop, listener);
        this.stream = stream;
        this.listener = listener;
    }

    boolean owns(long overlapped) {
        return overlapped == op.overlapped && op.isPending();
    }

    void start() {
        if (!isActive()) {
            return;
        }
        if (stream.isClosing()) {
            finish(CloseReason.CANCELLED, null);
            return;
        }
        inFlight = true;
        op.prepare(0);
        boolean ok = loop.win32.connectNamedPipe(stream.handle, op.overlapped);
        stream.afterIssue(op, ok, this::complete);
    }

    void onPacket() {
        stream.packetFor(op, 0, this::complete);
    }

    private void complete(int error, int ignoredBytes) {
        inFlight = false;
        // 535: the client connected before we asked; that is a connection, and no packet comes for it.
        if (error == 0 || error == ERROR_PIPE_CONNECTED) {
            if (!cancelRequested && deliver(() -> listener.onConnected(stream))) {
                finish(CloseReason.COMPLETED, null);
            } else {
                finish(CloseReason.CANCELLED, null);
            }
        } else if (cancelRequested || error == ERROR_OPERATION_ABORTED) {
            finish(CloseReason.CANCELLED, null);
        } else {
            finish(CloseReason.FAILED, stream.error("ConnectNamedPipe", error));
        }
    }

    @Override
    protected void onCancel() {
        if (!inFlight) {
            finish(CloseReason.CANCELLED, null);
        } else if (op.isPending()) {
            stream.cancelIo(op, this, false);
        }
    }

    /** The stream is closing: cancel the connect, again if an earlier cancel may have failed. Loop thread. */
    void cancelForClose() {
        if (!cancelRequested) {
            requestCancel();
        } else if (isActive() && inFlight && op.isPending()) {
            stream.cancelIo(op, this, false);
        }
    }

    @Override
    protected void release() {
        op.release();
        stream.closeIfIdle();
    }

    @Override
    protected void releaseUnstarted() {
        op.release();
    }

    @Override
    public String toString() {
        return "connect on " + stream;
    }
}
