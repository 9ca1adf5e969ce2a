package dev.multiwait.bench.pump;

import dev.multiwait.bench.TimedWin32;
import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

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
        return TimedWin32.wrap(real, this::record);
    }

    static Win32 real() {
        return JnaWin32.INSTANCE;
    }

    private synchronized void record(String method, long nanos) {
        long[] s = stats.computeIfAbsent(method, k -> new long[2]);
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
