package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;

import static dev.multiwait.win32.Win32Errors.ERROR_MORE_DATA;
import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;

/**
 * Continuous reading: one ReadFile (WSARecv on a socket) in flight into a native buffer this reader owns; the next is
 * issued only after the listener returns, so the listener's view is never written under it.
 */
final class StreamReader extends StreamOperation {
    private final ReadListener listener;
    /** File position for file handles; pipes and sockets ignore it. */
    private long offset;

    StreamReader(StreamEntry stream, int bufferSize, ReadListener listener) {
        super(stream, listener, new NativeOp(bufferSize, HandleKind.IO_SCRATCH));
        this.listener = listener;
    }

    void start() {
        if (mayStart()) {
            issue();
        }
    }

    private void issue() {
        inFlight = true;
        boolean ok = stream.issueRead(op, op.buffer, op.capacity, 0, 0, offset);
        stream.afterIssue(op, ok, this::complete);
    }

    @Override
    public Role role() {
        return Role.READ;
    }

    @Override
    protected void complete(int error, int bytes) {
        if (bytes > 0) {
            // Also after an abort: bytes the cancelled read already moved are the stream's, deliver them.
            // inFlight stays set meanwhile, so a cancel (or throw) in the listener cannot free the buffer it views.
            offset += bytes;
            deliver(() -> listener.onData(op.view(0, bytes)));
        }
        inFlight = false;
        if (!isActive()) {
            return;
        }
        // Cancelled (also when the handle was closed under it, which may look like end of stream), then
        // 0 bytes (a socket peer's shutdown or close, a message-less pipe) or a pipe's 109/38/233: end of stream.
        if (cancelRequested || error == ERROR_OPERATION_ABORTED) {
            finish(CloseReason.CANCELLED, null);
        } else if (stream.isEndOfStream(error, bytes)) {
            finish(CloseReason.COMPLETED, null);
        } else if (error == 0 || error == ERROR_MORE_DATA) {
            issue();
        } else {
            // Anything else (a socket reset 10054, Wine's 676 on close...) ends this read cleanly, as an error.
            finish(CloseReason.FAILED, stream.error(stream.kind.readCall, error));
        }
    }

    @Override
    public String toString() {
        return "read on " + stream;
    }
}
