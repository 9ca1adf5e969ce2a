package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;

import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;
import static dev.multiwait.win32.Win32Errors.ERROR_PIPE_CONNECTED;

/** Named-pipe server accept: one overlapped ConnectNamedPipe. */
final class PipeConnect extends StreamOperation {
    private final ConnectListener listener;

    PipeConnect(StreamEntry stream, ConnectListener listener) {
        super(stream, listener, new NativeOp(0));
        this.listener = listener;
    }

    void start() {
        if (!mayStart()) {
            return;
        }
        inFlight = true;
        op.prepare(0);
        boolean ok = loop.win32().connectNamedPipe(stream.handle, op.overlapped);
        stream.afterIssue(op, ok, this::complete);
    }

    @Override
    public Role role() {
        return Role.CONNECT;
    }

    @Override
    protected void complete(int error, int ignoredBytes) {
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
    public String toString() {
        return "connect on " + stream;
    }
}
