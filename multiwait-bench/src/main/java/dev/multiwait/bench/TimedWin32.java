package dev.multiwait.bench;

import dev.multiwait.win32.Win32;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** A {@link Win32} that forwards every call to {@code real} and reports the time it took, by method name. */
public final class TimedWin32 {
    /** Gets each call's method name and nanoseconds, on the calling thread. */
    public interface Sink {
        /**
         * @param method the Win32 method's name
         * @param nanos  the time the call took
         */
        void record(String method, long nanos);
    }

    private TimedWin32() {
    }

    /**
     * @param real the layer to forward to
     * @param sink where each call's time goes
     * @return the timing layer
     */
    public static Win32 wrap(Win32 real, Sink sink) {
        return (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {Win32.class},
                (proxy, method, args) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        sink.record(method.getName(), System.nanoTime() - t0);
                    }
                });
    }
}
