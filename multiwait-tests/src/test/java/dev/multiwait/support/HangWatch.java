package dev.multiwait.support;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Prints each test as it starts and ends (the console launcher prints its tree only at the end),
 * and dumps every thread's stack if a test runs longer than multiwait.hangwatch.seconds (default
 * 90): under Wine there is no jstack, and a hang is otherwise invisible until the timeout.
 */
public final class HangWatch implements TestExecutionListener {
    private static final long SECONDS = Long.getLong("multiwait.hangwatch.seconds", 90);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hang-watch");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ScheduledFuture<?>> watches = new ConcurrentHashMap<>();
    private final Map<String, Long> starts = new ConcurrentHashMap<>();

    @Override
    public void executionStarted(TestIdentifier id) {
        if (!id.isTest()) {
            return;
        }
        starts.put(id.getUniqueId(), System.nanoTime());
        System.out.println("[test] start " + name(id));
        watches.put(id.getUniqueId(), timer.schedule(() -> dump(id), SECONDS, TimeUnit.SECONDS));
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            return;
        }
        ScheduledFuture<?> f = watches.remove(id.getUniqueId());
        if (f != null) {
            f.cancel(false);
        }
        Long t0 = starts.remove(id.getUniqueId());
        long ms = t0 == null ? -1 : (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[test] " + result.getStatus() + " " + name(id) + " " + ms + " ms");
    }

    private static String name(TestIdentifier id) {
        String uid = id.getUniqueId();
        int cls = uid.indexOf("[class:");
        return (cls >= 0 ? uid.substring(cls + 7, uid.indexOf(']', cls)) + "#" : "") + id.getDisplayName();
    }

    private static void dump(TestIdentifier id) {
        StringBuilder sb = new StringBuilder("[test] " + name(id) + " still running after " + SECONDS + " s; threads:\n");
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            sb.append("  \"").append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement el : e.getValue()) {
                sb.append("      at ").append(el).append('\n');
            }
        }
        System.out.println(sb);
    }
}
