package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Win32Errors;

import java.time.Duration;

/**
 * closeAfterWrites: the half-close marker queued behind every write ends in a close; a timeout
 * closes first (queued writes then fail with 995). Whichever comes first tells the listener, once.
 * The timeout runs on {@link RetryTimer} and is handed to the loop (to move onto the loop's own
 * timer heap once it has one: this class is its only user here).
 */
final class GracefulClose {
    private final StreamEntry stream;
    private final WriteListener listener;
    /** Loop thread. */
    private boolean done;

    GracefulClose(StreamEntry stream, WriteListener listener) {
        this.stream = stream;
        this.listener = listener;
    }

    void startTimeout(Duration timeout) {
        long millis = timeout.toMillis();
        RetryTimer.after(millis, () -> stream.loop.executeUnlessClosed(this::timedOut));
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
