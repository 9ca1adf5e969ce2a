package dev.multiwait.internal;

import dev.multiwait.win32.Win32;

/**
 * A graceful stop: Ctrl-Break to the child's own process group (it was started with
 * CREATE_NEW_PROCESS_GROUP, whose group id is its pid), then {@code escalateLater} after the
 * timeout. Windows delivers console control events only to processes attached to the caller's
 * console; where the call is refused (Wine 8 always refuses, error 12), {@code killNow} runs at once.
 */
public final class GracefulStop {
    private static final int CTRL_BREAK_EVENT = 1;

    private GracefulStop() {
    }

    /**
     * @return true if Ctrl-Break was sent and {@code escalateLater} is scheduled (on the library's timer
     *         thread); false if it was refused and {@code killNow} has run, on this thread
     */
    public static boolean stop(Win32 win32, int pid, long timeoutMillis, Runnable killNow, Runnable escalateLater) {
        if (!win32.generateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid)) {
            killNow.run();
            return false;
        }
        RetryTimer.after(timeoutMillis, escalateLater);
        return true;
    }
}
