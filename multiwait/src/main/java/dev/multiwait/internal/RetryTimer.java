package dev.multiwait.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay on one daemon thread the library owns, started on first use and gone
 * after a second idle. Only for what must happen whether or not the loop runs (a child's stop
 * escalation, {@link GracefulStop}); everything else uses the loop's timer heap ({@link EventLoop#schedule}).
 */
final class RetryTimer {
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "multiwait-retry");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.setKeepAliveTime(1, TimeUnit.SECONDS);
        TIMER.allowCoreThreadTimeOut(true);
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private RetryTimer() {
    }

    static void after(long millis, Runnable task) {
        TIMER.schedule(task, millis, TimeUnit.MILLISECONDS);
    }
}
