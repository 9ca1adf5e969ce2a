package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.SignalListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.multiwait.it.BridgeTestSupport.close;
import static dev.multiwait.it.BridgeTestSupport.newEvent;
import static dev.multiwait.it.BridgeTestSupport.raw;
import static dev.multiwait.it.BridgeTestSupport.runGuarded;
import static dev.multiwait.it.BridgeTestSupport.setEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run()/cancel() across threads, registration while running, bad input, and listeners that throw. */
class LoopControlTest {

    private static final class Recorder implements SignalListener {
        int signals;
        final List<CloseReason> closes = new ArrayList<>();
        Exception closeError;
        Runnable onSignal = () -> { };

        @Override
        public void onSignal() {
            signals++;
            onSignal.run();
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            closes.add(reason);
            closeError = error;
        }
    }

    @Test
    void registrationFromAnotherThreadWhileRunIsActiveIsDelivered() throws Exception {
        WinNT.HANDLE keepAlive = newEvent(false, false);
        WinNT.HANDLE late = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Recorder keeper = new Recorder();
            Registration keeperReg = wait.watch(Handles.raw(keepAlive), false, keeper);
            Recorder lateListener = new Recorder();
            // The late watch's listener ends the run by cancelling the keeper.
            lateListener.onSignal = keeperReg::cancel;

            CountDownLatch running = new CountDownLatch(1);
            wait.execute(running::countDown);
            AtomicReference<Throwable> otherFailed = new AtomicReference<>();
            AtomicReference<Registration> lateReg = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    if (!running.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("run() never started");
                    }
                    Thread.sleep(50); // let run() block in the port
                    lateReg.set(wait.watch(Handles.raw(late), false, lateListener));
                    setEvent(late);
                } catch (Throwable t) {
                    otherFailed.set(t);
                    wait.cancel();
                }
            }, "late-registrar");
            other.start();

            runGuarded(wait, "registration while running");
            other.join();
            assertNull(otherFailed.get(), () -> "registering thread: " + otherFailed.get());
            assertEquals(1, lateListener.signals, "signal of a watch registered while run() was blocked");
            assertEquals(List.of(CloseReason.COMPLETED), lateListener.closes);
            assertFalse(lateReg.get().isActive());
            assertEquals(0, keeper.signals);
            assertEquals(List.of(CloseReason.CANCELLED), keeper.closes);
            assertEquals(0, wait.registrationCount());
        } finally {
            close(keepAlive);
            close(late);
        }
    }

    @Test
    void cancelFromAnotherThreadWakesABlockedRunWithin100ms() throws Exception {
        WinNT.HANDLE never = newEvent(true, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Recorder keeper = new Recorder();
            Registration reg = wait.watch(Handles.raw(never), false, keeper);
            // Warm up the cancel/wake path once (class loading, JIT) so the measured rounds are the steady state;
            // the median of five keeps one scheduling hiccup of a loaded CI machine from deciding the verdict.
            long warm = measureCancel(wait);
            long[] rounds = new long[5];
            for (int i = 0; i < rounds.length; i++) {
                rounds[i] = measureCancel(wait);
            }
            java.util.Arrays.sort(rounds);
            long measured = rounds[rounds.length / 2];
            System.out.printf("[LoopControlTest] cancel() -> run() returned: warm-up %.2f ms, median of 5 %.2f ms (max %.2f)%n",
                    warm / 1e6, measured / 1e6, rounds[rounds.length - 1] / 1e6);
            assertTrue(measured < TimeUnit.MILLISECONDS.toNanos(100),
                    "run() returned a median " + measured / 1_000_000 + " ms after cancel(), spec says within 100 ms");
            // cancel() stops the loop; it does not end registrations.
            assertTrue(reg.isActive());
            assertEquals(1, wait.registrationCount());
            assertEquals(0, keeper.signals);
        } finally {
            close(never);
        }
    }

    /** Runs the loop on a thread, lets it block, cancels from this thread: nanos from cancel() to run()'s return. */
    private static long measureCancel(MultiHandleWait wait) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicLong returnedAt = new AtomicLong();
        AtomicReference<Throwable> loopFailed = new AtomicReference<>();
        Thread loop = new Thread(() -> {
            try {
                wait.execute(running::countDown);
                wait.run();
                returnedAt.set(System.nanoTime());
            } catch (Throwable t) {
                loopFailed.set(t);
            }
        }, "loop");
        loop.start();
        assertTrue(running.await(10, TimeUnit.SECONDS), "run() never started");
        // run() has nothing to do but a never-signalled watch: it blocks in the port.
        Thread.sleep(200);
        assertTrue(loop.isAlive(), "run() returned although a registration is live and nobody cancelled");
        long cancelAt = System.nanoTime();
        wait.cancel();
        loop.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(loop.isAlive(), "run() did not return after cancel()");
        assertNull(loopFailed.get(), () -> "loop thread: " + loopFailed.get());
        return returnedAt.get() - cancelAt;
    }

    @Test
    void watchNullIsANullPointerException() {
        WinNT.HANDLE event = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            assertThrows(NullPointerException.class, () -> wait.watch(Handles.raw(event), false, null));
            assertThrows(NullPointerException.class, () -> wait.watchProcess(Handles.raw(event), null));
            assertThrows(NullPointerException.class, () -> wait.watchConsoleInput(Handles.raw(event), null));
            assertEquals(0, wait.registrationCount());
        } finally {
            close(event);
        }
    }

    @Test
    void watchOfAClosedHandleNamesTheHandleAndError6() {
        List<WinNT.HANDLE> decoys = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            WinNT.HANDLE event = closedHandleUnlikelyToBeReused(decoys);
            long value = raw(event);
            Recorder never = new Recorder();
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> wait.watch(Handles.raw(event), false, never),
                    "watch() of closed handle 0x" + Long.toHexString(value));
            String message = e.getMessage();
            assertNotNull(message);
            assertTrue(message.toLowerCase().contains("0x" + Long.toHexString(value)),
                    () -> "message does not name handle 0x" + Long.toHexString(value) + ": " + message);
            assertTrue(message.matches(".*\\b6\\b.*"), () -> "message does not name error 6: " + message);
            assertEquals(6, e.win32Error());
            assertEquals(value, e.handle());
            assertEquals(0, wait.registrationCount(), "a failed watch left a registration counted");
            assertEquals(0, never.signals);
            assertTrue(never.closes.isEmpty(), "a watch that threw must not call onClose");
            // The waiter is still usable, and run() has nothing to wait for.
            runGuarded(wait, "empty waiter after a failed watch");
        } finally {
            for (WinNT.HANDLE h : decoys) {
                close(h);
            }
        }
    }

    /**
     * A closed handle whose value the process is unlikely to hand out again during the test. A
     * freed handle slot is reused by the very next handle any thread of the JVM creates (the
     * waiter's own port, a JIT or thread-pool thread...), which turned "closed" into "someone
     * else's handle" in an early version of this test. Windows reuses the most recently freed slot,
     * Wine the lowest free one; so the target is the highest-valued of 256 fresh events, closed
     * first, and then the 128 lowest-valued ones are closed too: they are ahead of it under both
     * policies. The rest stay open in {@code keepOpen} until the test ends.
     */
    private static WinNT.HANDLE closedHandleUnlikelyToBeReused(List<WinNT.HANDLE> keepOpen) {
        List<WinNT.HANDLE> events = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            events.add(newEvent(false, false));
        }
        events.sort(java.util.Comparator.comparingLong(BridgeTestSupport::raw));
        WinNT.HANDLE target = events.remove(events.size() - 1);
        close(target);
        for (int i = 0; i < 128; i++) {
            close(events.get(i));
        }
        keepOpen.addAll(events.subList(128, events.size()));
        return target;
    }

    @Test
    void throwingListenerIsReportedEndsFailedAndOthersStillGetTheirSignal() {
        WinNT.HANDLE bad = newEvent(false, false);
        WinNT.HANDLE good = newEvent(false, false);
        WinNT.HANDLE badRepeating = newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<Registration> reportedFor = new ArrayList<>();
            List<Throwable> reported = new ArrayList<>();
            wait.setCallbackErrorHandler((registration, error) -> {
                reportedFor.add(registration);
                reported.add(error);
            });
            IllegalStateException boom = new IllegalStateException("boom from a listener");
            IllegalStateException boom2 = new IllegalStateException("boom from a repeating listener");
            Recorder badListener = new Recorder();
            badListener.onSignal = () -> {
                throw boom;
            };
            Recorder badRepeatingListener = new Recorder();
            badRepeatingListener.onSignal = () -> {
                throw boom2;
            };
            Recorder goodListener = new Recorder();
            Registration badReg = wait.watch(Handles.raw(bad), false, badListener);
            Registration badRepeatingReg = wait.watch(Handles.raw(badRepeating), true, badRepeatingListener);
            Registration goodReg = wait.watch(Handles.raw(good), false, goodListener);
            setEvent(bad);
            setEvent(badRepeating);
            setEvent(good);

            runGuarded(wait, "throwing listeners");

            assertEquals(1, badListener.signals);
            assertEquals(1, badRepeatingListener.signals, "a repeating watch whose listener threw must not fire again");
            assertEquals(1, goodListener.signals, "the other registration's signal");
            assertEquals(List.of(CloseReason.COMPLETED), goodListener.closes);
            assertEquals(List.of(CloseReason.FAILED), badListener.closes);
            assertSame(boom, badListener.closeError);
            assertEquals(List.of(CloseReason.FAILED), badRepeatingListener.closes);
            assertSame(boom2, badRepeatingListener.closeError);
            assertEquals(2, reported.size(), () -> "errors reported: " + reported);
            int i = reported.indexOf(boom);
            int j = reported.indexOf(boom2);
            assertTrue(i >= 0 && j >= 0, () -> "errors reported: " + reported);
            assertSame(badReg, reportedFor.get(i));
            assertSame(badRepeatingReg, reportedFor.get(j));
            assertFalse(badReg.isActive());
            assertFalse(badRepeatingReg.isActive());
            assertFalse(goodReg.isActive());
            assertEquals(0, wait.registrationCount());
        } finally {
            close(bad);
            close(good);
            close(badRepeating);
        }
    }

    @Test
    void closeWhileAListenerRunsPostsOneWakeNotOneEvery100Microseconds() throws Exception {
        FaultyWin32 counted = new FaultyWin32();
        WinNT.HANDLE keepAlive = newEvent(false, false);
        CountDownLatch inListener = new CountDownLatch(1);
        MultiHandleWait wait = Waiters.create(counted, 64);
        try {
            wait.watch(Handles.raw(keepAlive), false, () -> { });
            wait.execute(() -> {
                inListener.countDown();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // a long listener: close() must wait for it
                }
            });
            Thread loop = new Thread(wait::run, "loop");
            loop.start();
            assertTrue(inListener.await(10, TimeUnit.SECONDS));
            int before = counted.calls(FaultyWin32.Call.POST_QUEUED_COMPLETION_STATUS);
            wait.close();
            int posts = counted.calls(FaultyWin32.Call.POST_QUEUED_COMPLETION_STATUS) - before;
            loop.join(10_000);
            assertFalse(loop.isAlive());
            // before: one post per 100 us retry, hundreds while the listener ran
            assertTrue(posts <= 2, "wake packets posted by close(): " + posts);
        } finally {
            wait.close();
            close(keepAlive);
        }
    }
}
