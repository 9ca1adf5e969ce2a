package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;

/**
 * When a listener re-posts accepts parked by a shortage (WSAENOBUFS...): after 10 ms, doubling per
 * failed retry up to 1 s, back to 10 ms after a successful accept. The wait runs on the
 * {@link RetryTimer}'s thread, never on the loop; the retry itself runs on the loop.
 */
final class AcceptBackOff {
    static final long FIRST_MILLIS = 10;
    static final long MAX_MILLIS = 1000;

    private final EventLoop loop;
    private final Runnable retry;
    private long nextMillis = FIRST_MILLIS;
    /** A retry is on the timer (or handed to the loop): at most one per listener. */
    private boolean scheduled;

    AcceptBackOff(EventLoop loop, Runnable retry) {
        this.loop = loop;
        this.retry = retry;
    }

    /** An accept succeeded. Loop thread. */
    void reset() {
        nextMillis = FIRST_MILLIS;
    }

    /** Runs the retry on the loop after the current back-off, unless one is already scheduled. Loop thread. */
    void schedule() {
        if (scheduled) {
            return;
        }
        scheduled = true;
        long delay = nextMillis;
        nextMillis = Math.min(nextMillis * 2, MAX_MILLIS);
        RetryTimer.after(delay, this::handToLoop);
    }

    /** On the timer's thread; nothing runs once the loop is closed. */
    private void handToLoop() {
        try {
            loop.executeUnlessClosed(this::fire);
        } catch (MultiWaitException wakeFailed) {
            RetryTimer.after(MAX_MILLIS, this::handToLoop);
        }
    }

    private void fire() {
        scheduled = false;
        retry.run();
    }
}
