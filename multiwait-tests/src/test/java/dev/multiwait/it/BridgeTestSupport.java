package dev.multiwait.it;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.MultiHandleWait;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Shared helpers for the wait-bridge integration tests (events, processes, console, loop control). */
final class BridgeTestSupport {
    static final Kernel32 K32 = Kernel32.INSTANCE;
    /** Generous hang guard: only a deadlocked loop gets near it; it is not a timing assertion. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);

    private BridgeTestSupport() {
    }

    /** An unnamed auto-reset (or manual-reset) event, initially non-signalled unless {@code signalled}. */
    static WinNT.HANDLE newEvent(boolean manualReset, boolean signalled) {
        WinNT.HANDLE h = K32.CreateEvent(null, manualReset, signalled, null);
        assertNotNull(h, () -> "CreateEvent failed: " + K32.GetLastError());
        assertNotEquals(0L, raw(h), () -> "CreateEvent failed: " + K32.GetLastError());
        return h;
    }

    static void setEvent(WinNT.HANDLE h) {
        if (!K32.SetEvent(h)) {
            throw new AssertionError("SetEvent(0x" + Long.toHexString(raw(h)) + ") failed: " + K32.GetLastError());
        }
    }

    static void close(WinNT.HANDLE h) {
        if (h != null && !K32.CloseHandle(h)) {
            throw new AssertionError("CloseHandle(0x" + Long.toHexString(raw(h)) + ") failed: " + K32.GetLastError());
        }
    }

    /** True if the handle is signalled right now (a zero-timeout wait; consumes an auto-reset event's signal). */
    static boolean isSignalled(WinNT.HANDLE h) {
        int r = K32.WaitForSingleObject(h, 0);
        if (r == WinBase.WAIT_FAILED) {
            throw new AssertionError("WaitForSingleObject failed: " + K32.GetLastError());
        }
        return r == WinBase.WAIT_OBJECT_0;
    }

    static long raw(WinNT.HANDLE h) {
        return Pointer.nativeValue(h.getPointer());
    }

    /**
     * Calls {@code wait.run()} on the current thread with a watchdog that cancels the loop if it has
     * not returned within {@link #HANG_GUARD}, and then fails the test: a hang becomes a failure
     * with a message instead of a stuck build.
     */
    static void runGuarded(MultiHandleWait wait, String what) {
        AtomicBoolean returned = new AtomicBoolean();
        AtomicBoolean fired = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            long deadline = System.nanoTime() + HANG_GUARD.toNanos();
            synchronized (returned) {
                while (!returned.get()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        fired.set(true);
                        wait.cancel();
                        return;
                    }
                    try {
                        returned.wait(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "hang-guard");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            wait.run();
        } finally {
            synchronized (returned) {
                returned.set(true);
                returned.notifyAll();
            }
        }
        assertFalse(fired.get(), () -> what + ": run() did not return by itself within " + HANG_GUARD
                + " (stopped by the hang guard); registrationCount=" + wait.registrationCount());
    }
}
