package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timers on the loop's heap, against the fake kernel and a clock the test moves by hand. */
class LoopTimerTest {
    private static final long MS = 1_000_000L;
    private final Harness h = new Harness(false);
    private final AtomicLong now = new AtomicLong(5_000 * MS);
    private final List<String> fired = Collections.synchronizedList(new ArrayList<>());

    LoopTimerTest() {
        h.loop.clock(now::get);
    }

    private TimerTask at(long millis, String name) {
        return h.loop.schedule(millis * MS, () -> fired.add(name), true);
    }

    @Test
    void timersFireByDeadlineAndTheSameDeadlineInScheduleOrder() {
        at(30, "c");
        at(10, "a1");
        at(20, "b");
        at(10, "a2");
        h.loop.runOnce(0);
        assertEquals(List.of(), fired, "nothing due yet");
        now.addAndGet(100 * MS);
        h.loop.runOnce(0);
        assertEquals(List.of("a1", "a2", "b", "c"), fired);
        assertEquals(0, h.loop.timerCount());
    }

    @Test
    void aTimerNeverFiresBeforeItsDelay() {
        at(10, "t");
        now.addAndGet(10 * MS - 1);
        h.loop.runOnce(0);
        assertEquals(List.of(), fired);
        now.addAndGet(1);
        h.loop.runOnce(0);
        assertEquals(List.of("t"), fired);
    }

    @Test
    void theNearestDeadlineBoundsTheDequeueWaitRoundedUp() {
        h.loop.schedule(7 * MS + 500_000, () -> fired.add("t"), true);
        at(50, "later");
        h.loop.runOnce(0); // takes the timers handed over from this thread into the heap
        h.loop.runOnce(1000);
        List<Integer> waits = h.port.dequeueTimeouts();
        assertEquals(8, waits.get(waits.size() - 1), "7.5 ms rounded up, not the caller's 1000 ms");
        now.addAndGet(8 * MS);
        h.loop.runOnce(1000);
        assertEquals(List.of("t"), fired);
        waits = h.port.dequeueTimeouts();
        assertEquals(0, waits.get(waits.size() - 1), "already due: no wait");
        h.loop.runOnce(1000);
        waits = h.port.dequeueTimeouts();
        assertEquals(42, waits.get(waits.size() - 1), "then waits for the next timer (50 - 8 ms)");
    }

    @Test
    void cancelWithdrawsOnceAndTakesTheTimerOutOfTheHeap() {
        TimerTask a = at(10, "a");
        at(10, "b");
        h.loop.runOnce(0);
        assertEquals(2, h.loop.timerCount());
        assertTrue(a.cancel());
        assertFalse(a.cancel(), "a second cancel is a no-op");
        assertFalse(a.isPending());
        h.loop.runOnce(0); // the removal handed over from this (non-loop) thread
        assertEquals(1, h.loop.timerCount());
        now.addAndGet(20 * MS);
        h.loop.runOnce(0);
        assertEquals(List.of("b"), fired);
    }

    @Test
    void aTimerCancelledOnTheLoopThreadLeavesAtOnceAndAFiredOneCannotBeCancelled() {
        List<TimerTask> other = new ArrayList<>();
        TimerTask first = h.loop.schedule(5 * MS, () -> {
            fired.add("first");
            assertTrue(other.get(0).cancel());
            fired.add("heap " + h.loop.timerCount());
        }, true);
        other.add(at(10, "second"));
        now.addAndGet(5 * MS);
        h.loop.runOnce(0);
        assertEquals(List.of("first", "heap 0"), fired);
        assertFalse(first.cancel(), "already ran");
        assertFalse(first.isPending());
    }

    @Test
    void aThrowingTimerGoesToTheErrorHandlerAndTheNextOneStillRuns() {
        List<Throwable> errors = new ArrayList<>();
        h.loop.setErrorHandler((r, e) -> errors.add(e));
        h.loop.schedule(MS, () -> {
            throw new IllegalStateException("boom");
        }, true);
        at(1, "next");
        now.addAndGet(MS);
        h.loop.runOnce(0);
        assertEquals(1, errors.size());
        assertEquals("boom", errors.get(0).getMessage());
        assertEquals(List.of("next"), fired);
    }

    @Test
    void aTimerReschedulingItselfWithNoDelayRunsOncePerTurn() {
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            fired.add("tick");
            h.loop.schedule(0, again[0], true);
        };
        h.loop.schedule(0, again[0], true);
        h.loop.runOnce(0);
        assertEquals(1, fired.size(), "the re-scheduled one waits for the next turn");
        h.loop.runOnce(0);
        assertEquals(2, fired.size());
    }

    @Test
    void aScheduleThatCannotWakeTheLoopThrowsAndLeavesNoTimer() {
        h.port.refusePosts(true);
        TimerTask[] made = new TimerTask[1];
        dev.multiwait.MultiWaitException e = assertThrows(dev.multiwait.MultiWaitException.class,
                () -> made[0] = at(10, "t"));
        assertTrue(e.getMessage().contains("PostQueuedCompletionStatus"), e.getMessage());
        h.port.refusePosts(false);
        now.addAndGet(100 * MS);
        h.loop.runOnce(0);
        assertEquals(List.of(), fired, "withdrawn, never runs");
        assertEquals(0, h.loop.timerCount());
    }

    @Test
    void closeDropsPendingTimersAndLaterSchedulesAreRefused() {
        TimerTask t = at(10, "t");
        h.loop.runOnce(0);
        h.loop.close(1000);
        assertFalse(t.isPending(), "dropped");
        assertFalse(t.cancel());
        now.addAndGet(100 * MS);
        assertEquals(List.of(), fired);
        assertThrows(IllegalStateException.class, () -> at(1, "late"));
    }

    @Test
    void aTimerScheduledOffTheLoopBeforeCloseIsDroppedToo() {
        TimerTask t = at(10, "t"); // handed over, not yet in the heap
        h.loop.close(1000);
        assertFalse(t.isPending());
        assertEquals(0, h.loop.timerCount());
    }

    @Test
    void runKeepsGoingWhileATimerIsPendingAndReturnsOnceItFired() {
        h.loop.clock(System::nanoTime);
        h.loop.schedule(20 * MS, () -> fired.add("t"), true);
        h.loop.run(); // nothing registered: only the timer keeps it going
        assertEquals(List.of("t"), fired);
    }

    @Test
    void aTimerThatDoesNotKeepTheLoopAliveLetsRunReturn() {
        h.loop.schedule(60_000 * MS, () -> fired.add("t"), false);
        h.loop.run();
        assertEquals(List.of(), fired);
        assertEquals(1, h.loop.timerCount(), "still pending for the next run");
    }

    @Test
    void runUntilStoppedOutlivesAnEmptyLoopAndTakesWorkFromOtherThreads() throws Exception {
        h.loop.run(); // today's rule: nothing registered, returns at once
        h.loop.clock(System::nanoTime);
        CountDownLatch ran = new CountDownLatch(2);
        Thread t = new Thread(() -> h.loop.runUntilStopped());
        t.start();
        Thread.sleep(50);
        assertTrue(t.isAlive(), "still running with nothing registered");
        h.loop.execute(ran::countDown);
        h.loop.schedule(MS, ran::countDown, true);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        Thread.sleep(20);
        assertTrue(t.isAlive(), "still running once the work is done");
        h.loop.stop();
        t.join(10_000);
        assertFalse(t.isAlive(), "stop() ends it");
    }

    @Test
    void theHeapTakesRandomAddsAndRemovesInDeadlineOrder() {
        java.util.Random random = new java.util.Random(11);
        TimerHeap heap = new TimerHeap();
        List<TimerTask> live = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            TimerTask t = new TimerTask(h.loop, random.nextInt(1000), i, () -> { }, i % 3 == 0);
            heap.add(t);
            live.add(t);
            if (random.nextInt(3) == 0) {
                TimerTask gone = live.remove(random.nextInt(live.size()));
                heap.remove(gone);
                heap.remove(gone); // twice: no effect
            }
        }
        live.sort((x, y) -> x.before(y) ? -1 : 1);
        List<TimerTask> taken = new ArrayList<>();
        TimerTask t;
        while ((t = heap.peek()) != null) {
            heap.remove(t);
            taken.add(t);
        }
        assertEquals(live, taken);
        assertFalse(heap.keepsLoopAlive());
    }
}
