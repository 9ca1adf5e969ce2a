package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.Registration;
import dev.multiwait.SignalListener;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.multiwait.it.BridgeTestSupport.close;
import static dev.multiwait.it.BridgeTestSupport.isSignalled;
import static dev.multiwait.it.BridgeTestSupport.newEvent;
import static dev.multiwait.it.BridgeTestSupport.runGuarded;
import static dev.multiwait.it.BridgeTestSupport.setEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events bridged into the port with RegisterWaitForSingleObject: one-shot at scale, early signals, repeating watches. */
class EventBridgeTest {
    private static final int EVENTS = 1000;

    /** Records one registration's listener calls; all calls happen on the loop thread. */
    private static final class Counting implements SignalListener {
        int signals;
        final List<CloseReason> closes = new ArrayList<>();
        Exception closeError;
        Thread signalThread;

        @Override
        public void onSignal() {
            signals++;
            signalThread = Thread.currentThread();
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            closes.add(reason);
            closeError = error;
        }
    }

    @Test
    void thousandAutoResetEventsSignalledFromAnotherThreadEachFireExactlyOnce() throws Exception {
        List<WinNT.HANDLE> events = new ArrayList<>(EVENTS);
        Counting[] listeners = new Counting[EVENTS];
        try {
            for (int i = 0; i < EVENTS; i++) {
                events.add(newEvent(false, false));
            }
            try (MultiHandleWait wait = new MultiHandleWait()) {
                for (int i = 0; i < EVENTS; i++) {
                    listeners[i] = new Counting();
                    wait.watch(Handles.raw(events.get(i)), false, listeners[i]);
                }
                assertEquals(EVENTS, wait.registrationCount());

                List<WinNT.HANDLE> order = new ArrayList<>(events);
                Collections.shuffle(order, new Random(42));
                AtomicReference<Throwable> signallerFailed = new AtomicReference<>();
                Thread signaller = new Thread(() -> {
                    try {
                        for (WinNT.HANDLE h : order) {
                            setEvent(h);
                        }
                    } catch (Throwable t) {
                        signallerFailed.set(t);
                    }
                }, "signaller");
                signaller.start();

                long t0 = System.nanoTime();
                runGuarded(wait, "1000 one-shot event watches");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                signaller.join();
                assertNull(signallerFailed.get(), "signaller thread failed");
                System.out.println("[EventBridgeTest] 1000 events dispatched in " + ms + " ms");

                assertEquals(0, wait.registrationCount(), "every one-shot registration ended");
                Thread loopThread = Thread.currentThread();
                List<Integer> wrong = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    Counting l = listeners[i];
                    if (l.signals != 1 || !l.closes.equals(List.of(CloseReason.COMPLETED)) || l.closeError != null
                            || l.signalThread != loopThread) {
                        wrong.add(i);
                    }
                }
                assertTrue(wrong.isEmpty(), () -> wrong.size() + " listeners wrong, first " + describe(listeners[wrong.get(0)]));
                // The bridge consumed each auto-reset signal: nothing is left signalled.
                for (int i = 0; i < EVENTS; i++) {
                    assertFalse(isSignalled(events.get(i)), "event " + i + " still signalled after its watch fired");
                }
                // No stray packet for a finished registration is left either.
                assertEquals(0, wait.runOnce(Duration.ofMillis(50)));
            }
        } finally {
            for (WinNT.HANDLE h : events) {
                close(h);
            }
        }
    }

    private static String describe(Counting l) {
        return "signals=" + l.signals + " closes=" + l.closes + " error=" + l.closeError + " thread=" + l.signalThread;
    }

    @Test
    void eventSignalledBeforeRunIsDelivered() {
        WinNT.HANDLE alreadySet = newEvent(false, true);
        WinNT.HANDLE setAfterWatch = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Counting a = new Counting();
            Counting b = new Counting();
            wait.watch(Handles.raw(alreadySet), false, a);
            wait.watch(Handles.raw(setAfterWatch), false, b);
            setEvent(setAfterWatch);
            // Let the wait thread see both signals and post their packets before the loop ever runs.
            sleep(100);
            assertEquals(2, wait.registrationCount(), "nothing is dispatched before the loop runs");
            assertEquals(0, a.signals + b.signals);

            runGuarded(wait, "early-signalled watches");

            assertEquals(1, a.signals, "event signalled before watch()");
            assertEquals(1, b.signals, "event signalled after watch(), before run()");
            assertEquals(List.of(CloseReason.COMPLETED), a.closes);
            assertEquals(List.of(CloseReason.COMPLETED), b.closes);
            assertEquals(0, wait.registrationCount());
        } finally {
            close(alreadySet);
            close(setAfterWatch);
        }
    }

    @Test
    void repeatingWatchFiresOnEachSignalAndStopsAfterCancel() throws Exception {
        final int rounds = 5;
        WinNT.HANDLE event = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Semaphore fired = new Semaphore(0);
            Counting counts = new Counting();
            SignalListener listener = new SignalListener() {
                @Override
                public void onSignal() {
                    counts.onSignal();
                    fired.release();
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    counts.onClose(reason, error);
                }
            };
            Registration reg = wait.watch(Handles.raw(event), true, listener);
            AtomicReference<Throwable> driverFailed = new AtomicReference<>();
            Thread driver = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        // One signal at a time: an auto-reset event signalled twice before the
                        // wait consumes it is one signal, so wait for each delivery first.
                        setEvent(event);
                        if (!fired.tryAcquire(10, TimeUnit.SECONDS)) {
                            throw new AssertionError("signal " + (i + 1) + " was not delivered");
                        }
                    }
                    reg.cancel();
                } catch (Throwable t) {
                    driverFailed.set(t);
                    reg.cancel();
                }
            }, "repeat-driver");
            driver.start();

            runGuarded(wait, "repeating watch");
            driver.join();
            assertNull(driverFailed.get(), () -> "driver: " + driverFailed.get());
            assertEquals(rounds, counts.signals);
            assertEquals(List.of(CloseReason.CANCELLED), counts.closes);
            assertNull(counts.closeError);
            assertFalse(reg.isActive());
            assertEquals(0, wait.registrationCount());

            // After cancel nobody waits on the event any more: a new signal is neither delivered nor consumed.
            setEvent(event);
            assertEquals(0, wait.runOnce(Duration.ofMillis(200)), "a packet came after cancel");
            assertEquals(rounds, counts.signals);
            assertTrue(isSignalled(event), "the cancelled watch still consumed the event's signal");
        } finally {
            close(event);
        }
    }

    /** The real native layer, counting the waits the bridge registers. */
    private static final class CountingWin32 extends JnaWin32 {
        final AtomicInteger registerCalls = new AtomicInteger();
        final AtomicInteger registerFailures = new AtomicInteger();

        @Override
        public boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                                   int timeoutMillis, int flags) {
            registerCalls.incrementAndGet();
            boolean ok = super.registerWaitForSingleObject(waitHandleOut, handle, callback, context, timeoutMillis, flags);
            if (!ok) {
                registerFailures.incrementAndGet();
            }
            return ok;
        }
    }

    @Test
    void repeatingWatchCancelledByItsOwnListenerEndsAtOnceAndIsNotReArmed() {
        // Manual-reset and left set: the wait fires again right after each re-arm. The listener
        // cancels on its 3rd signal: that must end the registration there, with no 4th wait armed
        // for a cancelled registration (whose native scratch memory may already be freed).
        WinNT.HANDLE event = newEvent(true, true);
        CountingWin32 win32 = new CountingWin32();
        try (MultiHandleWait wait = Waiters.create(win32, MultiHandleWait.DEFAULT_BATCH)) {
            Counting counts = new Counting();
            Registration[] self = new Registration[1];
            self[0] = wait.watch(Handles.raw(event), true, new SignalListener() {
                @Override
                public void onSignal() {
                    counts.onSignal();
                    if (counts.signals == 3) {
                        self[0].cancel();
                    }
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    counts.onClose(reason, error);
                }
            });
            runGuarded(wait, "cancel from the listener");
            assertEquals(3, counts.signals, "no signal delivered after cancel() from the listener");
            assertEquals(List.of(CloseReason.CANCELLED), counts.closes);
            assertEquals(3, win32.registerCalls.get(), "waits armed: the first and one per re-arm before the cancel");
            assertEquals(0, win32.registerFailures.get(), "RegisterWaitForSingleObject failed");
            assertEquals(0, wait.registrationCount());
            assertEquals(0, wait.runOnce(Duration.ofMillis(100)), "stray packet after the registration ended");
            assertFalse(self[0].isActive());
        } finally {
            close(event);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Bridged waits share the library's wait threads (63 handles each, WaitForMultipleObjects). A
     * handle closed while watched (against the contract) fails such a wait for every handle on that
     * thread: it must be dropped (its watch never fires, as with the system's wait pool), and the
     * other watches keep being delivered.
     */
    @Test
    void aHandleClosedWhileWatchedDoesNotStopTheOtherWatches() throws Exception {
        WinNT.HANDLE closed = newEvent(false, false);
        WinNT.HANDLE live = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Counting orphan = new Counting();
            Counting other = new Counting();
            Registration orphanReg = wait.watch(Handles.raw(closed), true, orphan);
            wait.watch(Handles.raw(live), true, other);
            close(closed);
            for (int i = 1; i <= 3; i++) {
                setEvent(live);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (other.signals < i && System.nanoTime() < deadline) {
                    wait.runOnce(Duration.ofMillis(100));
                }
                assertEquals(i, other.signals, "signal " + i + " of the live event");
            }
            assertEquals(0, orphan.signals);
            orphanReg.cancel();
            wait.runOnce(Duration.ofMillis(100));
            assertEquals(List.of(CloseReason.CANCELLED), orphan.closes);
        } finally {
            close(live);
        }
    }
}
