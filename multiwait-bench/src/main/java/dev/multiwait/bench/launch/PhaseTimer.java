package dev.multiwait.bench.launch;

import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
        Win32 real = JnaWin32.INSTANCE;
        return (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {Win32.class},
                (proxy, method, args) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        tally.get().computeIfAbsent(method.getName(), k -> new long[1])[0] += System.nanoTime() - t0;
                    }
                });
    }

    /** This thread's nanoseconds per Win32 method since the last take, then cleared. */
    Map<String, Long> take() {
        Map<String, Long> out = new TreeMap<>();
        tally.get().forEach((name, t) -> out.put(name, t[0]));
        tally.get().clear();
        return out;
    }
}
