package dev.multiwait.bench.bridge;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.multiwait.win32.JnaWin32;

/**
 * The bridge as it was before it got threads of its own: waits registered with the system's wait
 * pool (RegisterWaitForSingleObject), whose threads run the library's Java callback. {@code detach}
 * picks JNA's behaviour after each callback: stay attached (deadlock-prone, JNA #1479) or detach.
 * Benchmark only.
 */
final class PoolWin32 extends JnaWin32 {
    private final boolean detach;

    PoolWin32(boolean detach) {
        this.detach = detach;
    }

    @Override
    public boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                               int timeoutMillis, int flags) {
        Native.setCallbackThreadInitializer(callback, new CallbackThreadInitializer(true, detach, "multiwait-wait"));
        return Pool.RegisterWaitForSingleObject(waitHandleOut, handle, callback, context, timeoutMillis, flags);
    }

    @Override
    public boolean unregisterWaitEx(long waitHandle, long completionEvent) {
        return Pool.UnregisterWaitEx(waitHandle, completionEvent);
    }

    private static final class Pool {
        static {
            Native.register(Pool.class, NativeLibrary.getInstance("kernel32"));
        }

        private Pool() {
        }

        static native boolean RegisterWaitForSingleObject(long waitOut, long handle, WaitCallback callback, long context,
                                                          int timeout, int flags);

        static native boolean UnregisterWaitEx(long wait, long completionEvent);
    }
}
