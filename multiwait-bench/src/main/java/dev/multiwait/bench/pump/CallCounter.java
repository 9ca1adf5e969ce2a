package dev.multiwait.bench.pump;

import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Diagnostics for the multiwait contender ({@code --trace-calls true}): a {@link Win32} that
 * forwards to the real one and counts every call and the time spent in it, so a slow run can be
 * explained (e.g. how many GetQueuedCompletionStatusEx calls, how many entries each returned).
 * Adds a reflective call per Win32 call: never used for the timed numbers in the report.
 */
final class CallCounter {
    private final Map<String, long[]> stats = new TreeMap<>();

    Win32 wrap(Win32 real) {
        return (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {Win32.class},
                (proxy, method, args) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        record(method, System.nanoTime() - t0);
                    }
                });
    }

    static Win32 real() {
        return JnaWin32.INSTANCE;
    }

    private synchronized void record(Method m, long nanos) {
        long[] s = stats.computeIfAbsent(m.getName(), k -> new long[2]);
        s[0]++;
        s[1] += nanos;
    }

    synchronized String summary() {
        StringBuilder b = new StringBuilder("CALLS");
        stats.forEach((name, s) -> b.append(String.format(Locale.ROOT, " %s=%d/%.1fms", name, s[0], s[1] / 1e6)));
        return b.toString();
    }

    synchronized void reset() {
        stats.clear();
    }
}
