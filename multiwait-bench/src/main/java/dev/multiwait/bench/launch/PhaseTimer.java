package dev.multiwait.bench.launch;

import dev.multiwait.bench.TimedWin32;
import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Win32} that forwards to the real one and adds the time of each call, by method, to the
 * calling thread's tally: what a ChildProcess.start on this thread spent inside each native call
 * (CreateProcessW is Windows' share; the rest of start is the library's).
 */
final class PhaseTimer {
    private final ThreadLocal<Map<String, long[]>> tally = ThreadLocal.withInitial(TreeMap::new);

    Win32 wrap() {
        return TimedWin32.wrap(JnaWin32.INSTANCE,
                (method, nanos) -> tally.get().computeIfAbsent(method, k -> new long[1])[0] += nanos);
    }

    /** This thread's nanoseconds per Win32 method since the last take, then cleared. */
    Map<String, Long> take() {
        Map<String, Long> out = new TreeMap<>();
        tally.get().forEach((name, t) -> out.put(name, t[0]));
        tally.get().clear();
        return out;
    }
}
