package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.LongByReference;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waitable timers are bridged like any waitable handle, once or periodically. */
class TimerWatchTest {
    interface Timers extends Library {
        Timers INSTANCE = Native.load("kernel32", Timers.class);

        WinNT.HANDLE CreateWaitableTimerW(Pointer attributes, boolean manualReset, Pointer name);

        boolean SetWaitableTimer(WinNT.HANDLE timer, LongByReference dueTime, int periodMillis, Pointer routine,
                                 Pointer arg, boolean resume);

        boolean CancelWaitableTimer(WinNT.HANDLE timer);
    }

    @Test
    void oneShotAndPeriodicTimers() {
        WinNT.HANDLE once = Timers.INSTANCE.CreateWaitableTimerW(null, false, null);
        WinNT.HANDLE periodic = Timers.INSTANCE.CreateWaitableTimerW(null, false, null);
        List<String> fired = new ArrayList<>();
        CloseReason[] periodicEnd = new CloseReason[1];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.watch(Handles.raw(once), false, () -> fired.add("once"));
            int[] ticks = {0};
            dev.multiwait.Registration[] reg = new dev.multiwait.Registration[1];
            reg[0] = wait.watch(Handles.raw(periodic), true, new dev.multiwait.SignalListener() {
                @Override
                public void onSignal() {
                    fired.add("tick");
                    if (++ticks[0] == 3) {
                        reg[0].cancel();
                    }
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    periodicEnd[0] = reason;
                }
            });
            long start = System.nanoTime();
            assertTrue(Timers.INSTANCE.SetWaitableTimer(once, new LongByReference(-30 * 10_000L), 0, null, null, false));
            assertTrue(Timers.INSTANCE.SetWaitableTimer(periodic, new LongByReference(-10 * 10_000L), 20, null, null, false));
            wait.run();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 25, "the one-shot timer cannot fire before it is due: " + ms + " ms");
            Timers.INSTANCE.CancelWaitableTimer(periodic);
        } finally {
            Kernel32.INSTANCE.CloseHandle(once);
            Kernel32.INSTANCE.CloseHandle(periodic);
        }
        assertEquals(1, fired.stream().filter("once"::equals).count());
        assertEquals(3, fired.stream().filter("tick"::equals).count());
        assertEquals(CloseReason.CANCELLED, periodicEnd[0]);
    }
}
