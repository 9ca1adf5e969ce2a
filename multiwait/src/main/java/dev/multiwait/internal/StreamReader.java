package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;

import static dev.multiwait.win32.Win32Errors.ERROR_MORE_DATA;
import static dev.multiwait.win32.Win32Errors.ERROR_OPERATION_ABORTED;

/**
 * Continuous reading: one ReadFile (WSARecv on a socket) in flight into a native buffer this reader owns; the next is
 * issued only after the listener returns, so the listener's view is never written under it.
 */
final class StreamReader extends StreamOperation implements ReadRegistration {
    private final ReadListener listener;
    /** File position for file handles; pipes and sockets ignore it. */
    private long offset;
    /** Between pause() and resume(); set on the caller's thread so a pause from onData stops the next read. */
    private volatile boolean paused;
    /** The read in flight was cancelled by a pause (its 995 is not an end). Loop thread. */
    private boolean pauseCancelled;

    StreamReader(StreamEntry stream, int bufferSize, ReadListener listener) {
        super(stream, listener, new NativeOp(bufferSize, HandleKind.IO_SCRATCH));
        this.listener = listener;
    }

    void start() {
        if (mayStart() && !paused) {
            issue();
        }
    }

    @Override
    public void pause() {
        synchronized (this) {
            checkReading("pause");
            if (paused) {
                throw new IllegalStateException(this + " is already paused");
            }
            paused = true;
        }
        loop.executeUnlessClosed(this::cancelForPause);
    }

    @Override
    public void resume() {
        synchronized (this) {
            checkReading("resume");
            if (!paused) {
                throw new IllegalStateException(this + " is not paused");
            }
            paused = false;
        }
        loop.executeUnlessClosed(this::issueIfIdle);
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    private void checkReading(String call) {
        if (!isActive() || stream.isClosing()) {
            throw new IllegalStateException(call + "() on " + this + ", which has ended");
        }
    }

    /** Loop thread: a read in flight while paused is cancelled (its bytes still come). */
    private void cancelForPause() {
        if (paused && isActive() && inFlight && op.isPending() && !pauseCancelled) {
            pauseCancelled = true;
            stream.cancelIo(op, this, false);
        }
    }

    /** Loop thread: resume's one read, unless one is still in flight (its completion reads on). */
    private void issueIfIdle() {
        if (!paused && isActive() && !inFlight && !cancelRequested && !stream.isClosing()) {
            issue();
        }
    }

    private void issue() {
        inFlight = true;
        boolean ok = stream.issueRead(op, op.buffer, op.capacity, 0, 0, offset);
        stream.afterIssue(op, ok, this::complete);
    }

    /** While paused, resume() issues the next read. */
    private void issueUnlessPaused() {
        if (!paused) {
            issue();
        }
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
        boolean abortedByPause = pauseCancelled && error == ERROR_OPERATION_ABORTED;
        pauseCancelled = false;
        if (cancelRequested || (error == ERROR_OPERATION_ABORTED && !abortedByPause)) {
            finishCancelled();
        } else if (abortedByPause) {
            issueUnlessPaused(); // resumed before the aborted read came back: read on
        } else if (stream.isEndOfStream(error, bytes)) {
            finish(CloseReason.COMPLETED, null);
        } else if (error == 0 || error == ERROR_MORE_DATA) {
            issueUnlessPaused();
        } else {
            // Anything else (a socket reset 10054, Wine's 676 on close...) ends this read cleanly, as an error.
            finish(CloseReason.FAILED, stream.error(stream.kind.readCall, error));
        }
    }

    @Override
    public void idleTimedOut(dev.multiwait.MultiWaitException error) {
        if (isActive() && !cancelRequested) {
            timedOut = error;
            requestCancel();
        }
    }

    @Override
    public String toString() {
        return "read on " + stream;
    }
}
