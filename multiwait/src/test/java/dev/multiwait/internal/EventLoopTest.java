package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopTest {
    private static final java.time.Duration LIMIT = java.time.Duration.ofSeconds(5);

    /** Waits until {@code t} is parked inside a blocking dequeue. */
    static void awaitBlocked(Thread t, MemoryPort port, int dequeueCallsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Thread.State st = t.getState();
            if (port.dequeueCalls() > dequeueCallsBefore && (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING)) {
                return;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("loop thread never blocked in dequeue: " + t.getState());
    }

    static final class Errors {
        final List<Registration> registrations = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());

        void install(EventLoop loop) {
            loop.setErrorHandler((r, t) -> {
                registrations.add(r);
                errors.add(t);
            });
        }
    }

    @Test
    void executeFromAnotherThreadRunsOnTheLoopThreadAndWakesABlockedRunOnce() throws Exception {
        Harness h = new Harness(true);
        AtomicReference<Integer> result = new AtomicReference<>();
        Thread loopThread = new Thread(() -> result.set(h.loop.runOnce(-1)), "test-loop");
        loopThread.start();
        awaitBlocked(loopThread, h.port, 0);

        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Boolean> inLoop = new AtomicReference<>();
        h.loop.execute(() -> {
            ranOn.set(Thread.currentThread());
            inLoop.set(h.loop.inLoop());
        });
        loopThread.join(5000);
        assertFalse(loopThread.isAlive(), "execute() did not wake the blocked runOnce");
        assertSame(loopThread, ranOn.get());
        assertTrue(inLoop.get());
        assertNotNull(result.get());
        assertFalse(h.loop.inLoop());
    }

    @Test
    void executeOnTheLoopThreadRunsInline() {
        Harness h = new Harness(true);
        List<String> order = new ArrayList<>();
        h.loop.execute(() -> {
            order.add("outer-start");
            h.loop.execute(() -> order.add("inner"));
            order.add("outer-end");
        });
        h.loop.runOnce(0);
        assertEquals(List.of("outer-start", "inner", "outer-end"), order);
    }

    @Test
    void wakePacketsAreCoalesced() {
        Harness h = new Harness(true);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            h.loop.execute(ran::incrementAndGet);
        }
        assertEquals(1, h.port.queued(), "one wake packet is enough for any number of tasks");
        h.loop.runOnce(0);
        assertEquals(100, ran.get());
        h.loop.execute(ran::incrementAndGet);
        assertEquals(1, h.port.queued(), "after the wake was consumed the next task posts a new one");
    }

    @Test
    void aTaskThatThrowsIsReportedAndTheOthersStillRun() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("task");
        h.loop.execute(() -> {
            throw boom;
        });
        h.loop.execute(ran::incrementAndGet);
        h.loop.runOnce(0);
        assertEquals(1, ran.get());
        assertEquals(List.of(boom), errs.errors);
    }

    @Test
    void stopMakesRunReturn() throws Exception {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(8, rec);
        assertEquals(1, h.loop.liveCount());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread loopThread = new Thread(() -> {
            try {
                h.loop.run();
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "test-loop");
        loopThread.start();
        awaitBlocked(loopThread, h.port, 0);
        assertTrue(loopThread.isAlive(), "run() must not return while a registration is live");
        h.loop.stop();
        loopThread.join(5000);
        assertFalse(loopThread.isAlive(), "stop() did not make run() return");
        assertNull(failed.get());
        assertTrue(reg.isActive(), "stop() only stops the loop, it cancels nothing");
        assertEquals(1, h.reads.size());

        // the loop can run again afterwards
        h.completeRead(h.read(0), 0, "x");
        assertEquals(1, h.loop.runOnce(0));
        assertEquals(List.of("data:x"), rec.events);
    }

    @Test
    void stopBeforeRunMakesTheNextRunReturn() {
        Harness h = new Harness(true);
        h.attach().read(8, new Recorder());
        h.loop.stop();
        assertTimeoutPreemptively(LIMIT, h.loop::run);
    }

    @Test
    void aStopBeforeRunOnceEndsThatTurnAtOnceAndIsUsedUpByIt() throws Exception {
        Harness h = new Harness(true);
        h.attach().read(8, new Recorder());
        h.loop.stop();
        // a runOnce with a long timeout does not wait: the stop request ends its turn
        assertTimeoutPreemptively(LIMIT, () -> h.loop.runOnce(60_000));
        // and it took the request with it: the next run() blocks until another stop
        Thread loopThread = new Thread(h.loop::run, "test-loop");
        loopThread.start();
        awaitBlocked(loopThread, h.port, 0);
        assertTrue(loopThread.isAlive(), "run() waits: the earlier stop was used up by runOnce()");
        h.loop.stop();
        loopThread.join(5000);
        assertFalse(loopThread.isAlive());
    }

    @Test
    void runReturnsWhenNothingIsLive() {
        Harness h = new Harness(true);
        assertTimeoutPreemptively(LIMIT, h.loop::run);
        h.attach(); // an attached stream with no operation is not "live"
        assertTimeoutPreemptively(LIMIT, h.loop::run);
    }

    @Test
    void runReturnsOnceTheLastRegistrationEnds() throws Exception {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        h.attach().read(8, rec);
        Thread loopThread = new Thread(h.loop::run, "test-loop");
        loopThread.start();
        awaitBlocked(loopThread, h.port, 0);
        // the kernel completes the read with end of stream, from another thread
        h.completeRead(h.read(0), Win32Errors.ERROR_BROKEN_PIPE, "bye");
        loopThread.join(5000);
        assertFalse(loopThread.isAlive(), "run() should return when no registration is left");
        assertEquals(List.of("data:bye", "close:COMPLETED"), rec.events);
        assertTrue(rec.threads.stream().allMatch(t -> t == loopThread));
    }

    @Test
    void runningTheLoopOnTwoThreadsAtOnceIsRefused() throws Exception {
        Harness h = new Harness(true);
        h.attach().read(8, new Recorder());
        h.settle(); // the read is issued and the wake consumed: the next runOnce(-1) blocks
        Thread loopThread = new Thread(() -> h.loop.runOnce(-1), "test-loop");
        loopThread.start();
        awaitBlocked(loopThread, h.port, 0);
        assertThrows(IllegalStateException.class, () -> h.loop.runOnce(0));
        assertThrows(IllegalStateException.class, () -> h.loop.close(10));
        assertFalse(h.loop.isClosed());
        h.loop.stop();
        loopThread.join(5000);
        assertFalse(loopThread.isAlive());
    }

    @Test
    void aThrowingListenerIsReportedItsRegistrationFailsAndOthersKeepWorking() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        StreamEntry a = h.attach(0x100);
        StreamEntry b = h.attach(0x200);
        RuntimeException boom = new RuntimeException("listener blew up");
        Recorder failing = new Recorder() {
            @Override
            public void onData(ByteBuffer data) {
                super.onData(data);
                throw boom;
            }
        };
        Recorder healthy = new Recorder();
        Registration ra = a.read(8, failing);
        Registration rb = b.read(8, healthy);
        h.settle();
        Harness.Io ioA = h.reads.stream().filter(io -> io.handle() == 0x100).findFirst().orElseThrow();
        Harness.Io ioB = h.reads.stream().filter(io -> io.handle() == 0x200).findFirst().orElseThrow();

        h.completeRead(ioA, 0, "bad");
        h.completeRead(ioB, 0, "good1");
        h.settle();

        assertEquals(List.of(boom), errs.errors);
        assertEquals(List.of(ra), errs.registrations, "the handler is told which registration threw");
        assertEquals(List.of("data:bad", "close:FAILED"), failing.events);
        assertSame(boom, failing.error);
        assertEquals(CloseReason.FAILED, failing.reason);
        assertFalse(ra.isActive());
        assertFalse(Harness.opAllocated(ra));
        assertEquals(1, h.reads.stream().filter(io -> io.handle() == 0x100).count(), "no read after the failure");

        assertTrue(rb.isActive());
        assertEquals(List.of("data:good1"), healthy.events);
        h.completeRead(h.lastRead(), 0, "good2");
        h.settle();
        assertEquals(List.of("data:good1", "data:good2"), healthy.events);
        assertEquals(1, h.loop.liveCount());
        assertEquals(1, errs.errors.size());
    }

    @Test
    void aThrowingErrorHandlerDoesNotTakeTheLoopDown() {
        Harness h = new Harness(true);
        h.loop.setErrorHandler((r, t) -> {
            throw new IllegalStateException("handler too");
        });
        Recorder failing = new Recorder() {
            @Override
            public void onData(ByteBuffer data) {
                throw new RuntimeException("listener");
            }
        };
        Registration reg = h.attach().read(8, failing);
        h.settle();
        h.completeRead(h.read(0), 0, "x");
        assertTimeoutPreemptively(LIMIT, () -> h.settle());
        assertFalse(reg.isActive());
        assertEquals(CloseReason.FAILED, failing.reason);
    }

    @Test
    void aThrowingCloseListenerIsReported() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        RuntimeException boom = new RuntimeException("onClose");
        Recorder rec = new Recorder() {
            @Override
            public void onClose(CloseReason reason, Exception error) {
                super.onClose(reason, error);
                throw boom;
            }
        };
        Registration reg = h.attach().read(8, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "");
        h.settle();
        assertEquals(List.of(boom), errs.errors);
        assertEquals(List.of(reg), errs.registrations);
        assertEquals(1, rec.closes);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aPacketForAnUnknownKeyIsIgnored() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        Recorder rec = new Recorder();
        StreamEntry s = h.attach();
        s.read(16, rec);
        h.settle();
        h.port.push(0x0000_0042_0000_0007L, 0xdead0L, 12);
        h.port.push(-5L, 0, 0);
        assertEquals(0, h.loop.runOnce(0));
        assertEquals(0, h.port.queued(), "the stale packets were consumed");
        assertEquals(2, h.port.history().stream().filter(p -> p.key() == -5L || p.key() == 0x0000_0042_0000_0007L).count());
        assertTrue(errs.errors.isEmpty());
        h.completeRead(h.read(0), 0, "still works");
        h.settle();
        assertEquals(List.of("data:still works"), rec.events);
    }

    @Test
    void aStalePacketForAFreedKeyNeverReachesTheSlotsNextTenant() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        StreamEntry old = h.attach(0x100);
        long oldKey = old.key();
        old.close();
        h.settle();
        assertNull(h.loop.table().get(oldKey));

        StreamEntry next = h.attach(0x200);
        assertEquals((int) oldKey, (int) next.key(), "slot reused");
        Recorder rec = new Recorder();
        Registration reg = next.read(8, rec);
        h.settle();
        Harness.Io io = h.read(0);
        // a late packet for the old key that even carries the new tenant's OVERLAPPED address
        h.port.push(oldKey, io.overlapped(), 3);
        assertEquals(0, h.loop.runOnce(0));
        assertTrue(rec.events.isEmpty());
        assertTrue(reg.isActive());
        assertTrue(errs.errors.isEmpty());
        h.completeRead(io, 0, "new");
        h.settle();
        assertEquals(List.of("data:new"), rec.events);
    }

    @Test
    void aPacketWithAnOverlappedNoOperationOwnsIsReportedNotFatal() {
        Harness h = new Harness(true);
        Errors errs = new Errors();
        errs.install(h.loop);
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        s.read(8, rec);
        h.settle();
        h.port.push(s.key(), 0x12345678L, 1);
        h.loop.runOnce(0);
        assertEquals(1, errs.errors.size());
        assertTrue(errs.errors.get(0).getMessage().contains("0x12345678"), errs.errors.get(0).getMessage());
        h.completeRead(h.read(0), 0, "ok");
        h.settle();
        assertEquals(List.of("data:ok"), rec.events);
    }

    @Test
    void runOnceHonoursItsTimeout() {
        Harness h = new Harness(true);
        h.attach().read(8, new Recorder());
        h.settle();
        long t0 = System.nanoTime();
        assertEquals(0, h.loop.runOnce(150));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 140 && ms < 3000, "runOnce(150) took " + ms + " ms");
    }

    @Test
    void aWakeThatCannotBePostedWithdrawsTheTaskAndThrows() {
        Harness h = new Harness(true);
        h.port.refusePosts(true);
        h.lastError = 1450; // ERROR_NO_SYSTEM_RESOURCES
        AtomicInteger ran = new AtomicInteger();
        dev.multiwait.MultiWaitException e = assertThrows(dev.multiwait.MultiWaitException.class,
                () -> h.loop.execute(ran::incrementAndGet));
        assertEquals(1450, e.win32Error());
        assertEquals(MemoryPort.PORT_HANDLE, e.handle());
        assertTrue(e.getMessage().contains("PostQueuedCompletionStatus"), e.getMessage());
        assertTrue(e.getMessage().contains("not made"), e.getMessage());
        assertEquals(EventLoop.WAKE_POST_ATTEMPTS, h.port.refusedPosts(), "retried before giving up");
        assertEquals(0, h.port.queued());
        h.port.refusePosts(false);
        h.loop.execute(ran::incrementAndGet);
        assertEquals(1, h.port.queued(), "a failed post must not leave the wake marked as posted");
        h.loop.runOnce(0);
        assertEquals(1, ran.get(), "the withdrawn task never runs; the later one does");
    }

    @Test
    void aWakeRefusedOnceIsRetriedAndNothingIsReported() {
        Harness h = new Harness(true);
        h.port.refuseNextPosts(EventLoop.WAKE_POST_ATTEMPTS - 1);
        AtomicInteger ran = new AtomicInteger();
        h.loop.execute(ran::incrementAndGet);
        assertEquals(1, h.port.queued());
        h.loop.runOnce(0);
        assertEquals(1, ran.get());
    }

    @Test
    void runAndRunOnceFromAListenerAreRefusedAndTheLoopThreadStaysSet() {
        Harness h = new Harness(true);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> refused = new ArrayList<>();
        List<Boolean> stillInLoop = new ArrayList<>();
        h.onRead(Harness.syncRead("x", false));
        h.attach().read(8, data -> {
            order.add("listener");
            // a task handed over meanwhile must not run inside this listener
            Thread other = new Thread(() -> h.loop.execute(() -> order.add("task")));
            other.start();
            try {
                other.join(10_000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            for (Runnable nested : List.<Runnable>of(() -> h.loop.runOnce(0), h.loop::run, () -> h.loop.close(0))) {
                try {
                    nested.run();
                } catch (Throwable t) {
                    refused.add(t);
                }
            }
            // what MultiHandleWait.close() asks to refuse a close from a listener
            stillInLoop.add(h.loop.inLoop());
            order.add("listener returns");
        });
        // before the fix the nested run() never returned
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), h::settle);
        assertEquals(3, refused.size(), "refused: " + refused);
        refused.forEach(t -> assertTrue(t instanceof IllegalStateException && t.getMessage().contains("from a listener"),
                String.valueOf(t)));
        assertEquals(List.of(true), stillInLoop);
        assertEquals(List.of("listener", "listener returns", "task"), order, "nothing dispatched inside the listener");
        assertFalse(h.loop.inLoop(), "the outer run left the loop normally");
        assertFalse(h.loop.isClosed());
    }
}
