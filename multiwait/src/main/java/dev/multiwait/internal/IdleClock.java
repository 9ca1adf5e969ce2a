package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.WsaErrors;

import java.util.concurrent.TimeUnit;

/**
 * A stream's idle timeout: the time of the last byte moved (a completion with bytes, or a call that
 * finished at once) and one timer on the loop's heap, re-armed for what is left when it fires, so
 * traffic costs a clock read and no heap work. When the limit has passed with a read or relay active,
 * they end TIMED_OUT. Loop thread, except {@link #set}.
 */
final class IdleClock {
    private final StreamEntry stream;
    private long limitNanos;
    private long lastMoved;
    private TimerTask timer;

    IdleClock(StreamEntry stream) {
        this.stream = stream;
    }

    /** Any thread: the new limit (0: off) applies from now, on the loop thread. */
    void set(long nanos) {
        stream.loop.execute(() -> {
            stop();
            if (stream.closeRequested) {
                return; // closed meanwhile: no timer for a stream that is gone
            }
            limitNanos = nanos;
            lastMoved = stream.loop.nanoTime();
            arm(nanos);
        });
    }

    void moved() {
        if (limitNanos > 0) {
            lastMoved = stream.loop.nanoTime();
        }
    }

    /** The stream is closed: no more checks. */
    void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void arm(long delay) {
        if (limitNanos > 0 && !stream.loop.isClosed()) {
            // does not keep run() going: the read or relay it would end does
            timer = stream.loop.schedule(delay, this::check, false);
        }
    }

    private void check() {
        timer = null;
        long idle = stream.loop.nanoTime() - lastMoved;
        if (idle < limitNanos) {
            arm(limitNanos - idle);
            return;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(limitNanos);
        stream.idleTimedOut(new MultiWaitException("idle timeout", stream.handle, WsaErrors.WSAETIMEDOUT,
                "no bytes read or written on this stream for " + ms + " ms"));
        lastMoved = stream.loop.nanoTime();
        arm(limitNanos); // a read started later gets the full limit
    }
}
