package dev.multiwait.win32;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's wait threads under Wine, driven directly so the order of events is fixed: the wait
 * thread is held in a callback while a watched handle is closed and another watched auto-reset
 * event is set, so its next WaitForMultipleObjects fails with both in the array.
 */
class OwnedWaitsTest {
    private static final OwnedWaits WAITS = OwnedWaits.INSTANCE;

    @Test
    void aSignalPendingWhenAClosedHandleIsDroppedIsStillDelivered() throws Exception {
        long gate = newAutoResetEvent();
        long closed = newAutoResetEvent();
        long live = newAutoResetEvent();
        CountDownLatch inGate = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch liveFired = new CountDownLatch(1);
        AtomicInteger closedFired = new AtomicInteger();
        AtomicReference<Thread> gateThread = new AtomicReference<>();
        AtomicReference<Thread> liveThread = new AtomicReference<>();
        long gateWait = register(gate, (context, timedOut) -> {
            gateThread.set(Thread.currentThread());
            inGate.countDown();
            awaitQuietly(release);
        });
        long closedWait = 0;
        long liveWait = 0;
        try {
            assertTrue(Kernel32Direct.SetEvent(gate));
            assertTrue(inGate.await(10, TimeUnit.SECONDS), "the gate's callback runs");
            closedWait = register(closed, (context, timedOut) -> closedFired.incrementAndGet());
            liveWait = register(live, (context, timedOut) -> {
                liveThread.set(Thread.currentThread());
                liveFired.countDown();
            });
            assertTrue(Kernel32Direct.CloseHandle(closed));
            assertTrue(Kernel32Direct.SetEvent(live));
            release.countDown(); // the thread now arms both and its wait fails on the closed handle
            assertTrue(liveFired.await(10, TimeUnit.SECONDS),
                    "the live event's signal is delivered after the closed handle is dropped");
            assertSame(gateThread.get(), liveThread.get(), "all three watches shared one wait thread");
            assertEquals(0, closedFired.get(), "a dropped watch never fires");
        } finally {
            release.countDown();
            WAITS.unregister(gateWait);
            if (closedWait != 0) {
                WAITS.unregister(closedWait);
            }
            if (liveWait != 0) {
                WAITS.unregister(liveWait);
            }
            Kernel32Direct.CloseHandle(gate);
            Kernel32Direct.CloseHandle(live);
        }
    }

    private static long newAutoResetEvent() {
        long event = Kernel32Direct.CreateEventW(0, false, false, 0);
        assertNotEquals(0L, event, "CreateEventW");
        return event;
    }

    private static long register(long handle, Win32.WaitCallback callback) {
        Memory out = new Memory(8);
        assertTrue(WAITS.register(Pointer.nativeValue(out), handle, callback, 0));
        return out.getLong(0);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
