package dev.multiwait.internal;

import java.util.concurrent.TimeUnit;

/**
 * When a listener re-posts accepts parked by a shortage (WSAENOBUFS...): after 10 ms, doubling per
 * failed retry up to 1 s, back to 10 ms after a successful accept. The wait is a timer on the loop's
 * heap (no thread); it does not keep run() going by itself (the listener does, while it is active).
 */
final class AcceptBackOff {
    static final long FIRST_MILLIS = 10;
    static final long MAX_MILLIS = 1000;

    private final EventLoop loop;
    private final Runnable retry;
    private long nextMillis = FIRST_MILLIS;
    /** A retry is on the timer: at most one per listener. */
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
        if (scheduled || loop.isClosed()) {
            return;
        }
        scheduled = true;
        long delay = nextMillis;
        nextMillis = Math.min(nextMillis * 2, MAX_MILLIS);
        loop.schedule(TimeUnit.MILLISECONDS.toNanos(delay), this::fire, false);
    }

    private void fire() {
        scheduled = false;
        retry.run();
    }
}
