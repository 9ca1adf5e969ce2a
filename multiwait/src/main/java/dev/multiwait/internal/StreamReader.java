package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;

import static dev.multiwait.win32.Win32Errors.ERROR_MORE_DATA;
import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;

/**
 * Continuous reading: one ReadFile (WSARecv on a socket) in flight into a native buffer this reader owns; the next is
 * issued only after the listener returns, so the listener's view is never written under it.
 */
final class StreamReader extends RegistrationBase {
    private final StreamEntry stream;
    private final ReadListener listener;
    private final NativeOp op;
    /** File position for file handles; pipes and sockets ignore it. */
    private long offset;
    /** A result (packet or synchronous) is on its way. */
    private boolean inFlight;

    StreamReader(StreamEntry stream, int bufferSize, ReadListener listener) {
        super(stream.loop, listener);
        this.stream = stream;
        this.listener = listener;
        this.op = new NativeOp(bufferSize, StreamEntry.IO_SCRATCH);
    }

    boolean owns(long overlapped) {
        return overlapped == op.overlapped && op.isPending();
    }

    void start() {
        if (!isActive()) {
            return; // a cancel before the start has already finished it
        }
        if (stream.isClosing()) {
            finish(CloseReason.CANCELLED, null); // closed before the read began: issue nothing nobody would cancel
            return;
        }
        issue();
    }

    private void issue() {
        inFlight = true;
        boolean ok = stream.issueRead(op, op.buffer, op.capacity, offset);
        stream.afterIssue(op, ok, this::complete);
    }

    void onPacket(int bytes) {
        stream.packetFor(op, bytes, this::complete);
    }

    private void complete(int error, int bytes) {
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
            finish(CloseReason.FAILED, stream.error(stream.readCall(), error));
        }
    }

    @Override
    protected void onCancel() {
        if (!inFlight) {
            finish(CloseReason.CANCELLED, null);
        } else if (op.isPending()) {
            // 1168 (not found) means the packet is already queued: it will end the read.
            stream.cancelIo(op, this, false);
        }
    }

    /** The stream is closing: cancel the read, again if an earlier cancel may have failed. Loop thread. */
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
        return "read on " + stream;
    }
}
