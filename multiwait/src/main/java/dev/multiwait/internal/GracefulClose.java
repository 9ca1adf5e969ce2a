package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Win32Errors;

/**
 * closeAfterWrites: the half-close marker queued behind every write ends in a close; a timeout on the
 * loop's timer heap closes first (queued writes then fail with 995). Whichever comes first tells the
 * listener, once, and the other is dropped.
 */
final class GracefulClose {
    private final StreamEntry stream;
    private final WriteListener listener;
    /** Loop thread. */
    private boolean done;
    private volatile TimerTask timeout;

    GracefulClose(StreamEntry stream, WriteListener listener) {
        this.stream = stream;
        this.listener = listener;
    }

    /** Does not keep run() going: the queued writes and the marker do, until one of the two ends. */
    void startTimeout(long nanos) {
        timeout = stream.loop.schedule(nanos, this::timedOut, false);
    }

    /** The marker's result: every write is out and the output half-closed (or the error). Loop thread. */
    void halfClosed(int ignored, MultiWaitException error) {
        end(error);
    }

    private void timedOut() {
        end(new MultiWaitException("closeAfterWrites", stream.handle, Win32Errors.ERROR_TIMEOUT,
                "the queued writes were not out in time: the stream was closed and they were cancelled"));
    }

    private void end(MultiWaitException error) {
        if (done) {
            return;
        }
        done = true;
        TimerTask timer = timeout;
        if (timer != null) {
            timer.cancel();
        }
        stream.cancelForClose();
        if (listener != null) {
            try {
                listener.onWritten(0, error);
            } catch (Throwable t) {
                stream.loop.reportCallbackError(null, t);
            }
        }
    }
}
