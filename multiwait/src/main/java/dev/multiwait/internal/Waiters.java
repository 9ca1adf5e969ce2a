package dev.multiwait.internal;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.win32.Win32;

import java.lang.invoke.MethodHandles;
import java.util.function.BiFunction;

/**
 * Makes a {@link MultiHandleWait} over a given native layer (a fault-injecting spy, a counting
 * wrapper, a fake kernel): the seam for the tests and the bench, kept out of the public API.
 * MultiHandleWait hands its private constructor over when its class initializes.
 */
public final class Waiters {
    private static volatile BiFunction<Win32, Integer, MultiHandleWait> constructor;

    private Waiters() {
    }

    /**
     * A waiter over {@code win32} taking up to {@code batchSize} packets per dequeue; no platform
     * check (the layer given decides what is native).
     *
     * @throws NullPointerException for a null layer; IllegalArgumentException for a batch size below 1
     */
    public static MultiHandleWait create(Win32 win32, int batchSize) {
        try {
            MethodHandles.lookup().ensureInitialized(MultiHandleWait.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return constructor.apply(win32, batchSize);
    }

    /** Called once, by MultiHandleWait's class initializer. */
    public static void register(BiFunction<Win32, Integer, MultiHandleWait> c) {
        if (constructor != null) {
            throw new IllegalStateException("already registered");
        }
        constructor = c;
    }
}
