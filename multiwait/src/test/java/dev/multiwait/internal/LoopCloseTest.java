package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.Registration;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class LoopCloseTest {

    @Test
    void closeWithNothingOutstandingClosesThePortAndRefusesFurtherUse() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        assertTrue(h.loop.close(1000));
        assertTrue(h.loop.isClosed());
        assertTrue(h.port.isClosed());
        verify(h.win32).closeHandle(H);
        assertThrows(IllegalStateException.class, () -> h.loop.execute(() -> { }));
        h.loop.executeUnlessClosed(() -> {
            throw new AssertionError("ran after close");
        });
        assertThrows(IllegalStateException.class, () -> h.loop.runOnce(0));
        assertThrows(IllegalStateException.class, h.loop::run);
        assertThrows(IllegalStateException.class, () -> h.attach(0x300));
        s.close(); // harmless after the loop closed
        assertThrows(IllegalStateException.class, () -> s.write(ByteBuffer.allocate(0), null));
        verify(h.win32, times(1)).closeHandle(H);
    }

    /** A registration that joins the table (as a watch does, on its caller's thread) and lives until shut down. */
    static class LateEntry extends PortEntry {
        final EventLoop loop;
        int shutdowns;

        LateEntry(EventLoop loop) {
            this.loop = loop;
            loop.opened();
            loop.table().add(this);
        }

        @Override
        public void onPacket(long overlapped, int bytes) {
        }

        @Override
        public void cancelForClose() {
            if (shutdowns++ == 0) {
                loop.table().remove(key());
                loop.closedOne();
            }
        }
    }

    @Test
    void anEntryThatJoinsTheTableAfterCloseLookedIsShutDownToo() {
        Harness h = new Harness(true);
        LateEntry[] late = new LateEntry[1];
        // The first entry's shutdown stands for another thread that passed its closed check and adds its
        // registration just after close() took its look at the table.
        new LateEntry(h.loop) {
            @Override
            public void cancelForClose() {
                late[0] = new LateEntry(loop);
                super.cancelForClose();
            }
        };
        long t0 = System.nanoTime();
        assertTrue(h.loop.close(5_000), "drained: the late entry was shut down as well");
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "without waiting for the drain's deadline");
        assertEquals(1, late[0].shutdowns, "shut down once");
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void closeDrainsOutstandingPacketsBeforeReturning() throws Exception {
        Harness h = new Harness(true);
        ScheduledExecutorService kernel = Executors.newSingleThreadScheduledExecutor();
        try {
            // CancelIoEx succeeds; the aborted packet arrives 150 ms later, from another thread
            doAnswer(i -> {
                long ov = i.getArgument(1);
                Harness.Io io = findIo(h, ov);
                kernel.schedule(() -> h.complete(io, Win32Errors.ERROR_OPERATION_ABORTED, 0), 150, TimeUnit.MILLISECONDS);
                return true;
            }).when(h.win32).cancelIoEx(anyLong(), anyLong());
            int abandoned = NativeOp.abandonedCount();
            StreamEntry s = h.attach();
            Recorder rec = new Recorder();
            Registration reg = s.read(16, rec);
            List<String> writes = Collections.synchronizedList(new ArrayList<>());
            WriteListener wl = (n, e) -> writes.add(n + ":" + (e == null ? "ok" : e.win32Error()));
            s.write(ByteBuffer.wrap("pending".getBytes()), wl);
            s.write(ByteBuffer.wrap("queued".getBytes()), wl);
            h.settle();
            assertEquals(3, h.loop.liveCount());

            long t0 = System.nanoTime();
            boolean drained = h.loop.close(5000);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertTrue(drained);
            assertTrue(ms >= 140, "close returned after " + ms + " ms, before the packets came");
            assertTrue(ms < 4000, "close took " + ms + " ms");
            verify(h.win32).cancelIoEx(H, h.read(0).overlapped());
            verify(h.win32).cancelIoEx(H, h.write(0).overlapped());
            assertEquals(List.of("close:CANCELLED"), rec.events);
            assertEquals(List.of("0:995", "0:995"), writes);
            assertFalse(reg.isActive());
            assertFalse(Harness.opAllocated(reg));
            assertEquals(0, h.loop.liveCount());
            assertEquals(abandoned, NativeOp.abandonedCount());
            verify(h.win32, times(1)).closeHandle(H);
            assertTrue(h.port.isClosed());
            assertEquals(0, h.port.queued());
        } finally {
            kernel.shutdownNow();
        }
    }

    @Test
    void closeConsumesAPacketAlreadyQueuedEvenIfCancelFindsNothing() {
        Harness h = new Harness(true);
        doAnswer(i -> {
            h.lastError = Win32Errors.ERROR_NOT_FOUND;
            return false;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "racing");
        assertTrue(h.loop.close(2000));
        assertEquals(List.of("data:racing", "close:CANCELLED"), rec.events);
        assertFalse(reg.isActive());
        assertEquals(1, h.reads.size(), "no read issued during close");
        verify(h.win32, times(1)).closeHandle(H);
    }

    @Test
    void aPacketThatNeverComesMakesCloseReturnFalseAndKeepsTheMemory() {
        Harness h = new Harness(true); // CancelIoEx returns TRUE, but no packet ever comes
        int abandoned = NativeOp.abandonedCount();
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        Harness.Io io = h.read(0);

        long t0 = System.nanoTime();
        boolean drained = h.loop.close(300);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertFalse(drained);
        assertTrue(ms >= 290, "gave up after " + ms + " ms, before the drain timeout");
        assertTrue(ms < 3000, "close took " + ms + " ms");
        verify(h.win32).cancelIoEx(H, io.overlapped());
        assertTrue(Harness.opAllocated(reg), "the kernel may still write this block: it must not be freed");
        assertEquals(abandoned + 1, NativeOp.abandonedCount(),
                "the block should be handed to the abandoned list, so it outlives its owner");
        assertFalse(h.port.isClosed());
        assertFalse(reg.isActive(), "the registration is ended, its memory handed over");
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(0, h.loop.liveCount());
        // the kernel may write it after all: that must be harmless
        h.setResult(io.overlapped(), Win32Errors.ERROR_OPERATION_ABORTED, 0);
    }

    @Test
    void aWriteWhosePacketNeverComesIsAbandonedToo() {
        Harness h = new Harness(true);
        int abandoned = NativeOp.abandonedCount();
        StreamEntry s = h.attach();
        List<String> writes = Collections.synchronizedList(new ArrayList<>());
        s.write(ByteBuffer.wrap("stuck".getBytes()), (n, e) -> writes.add(n + ":" + (e == null ? "ok" : e.win32Error())));
        h.settle();
        assertFalse(h.loop.close(200));
        assertEquals(abandoned + 1, NativeOp.abandonedCount());
        assertEquals(List.of("0:995"), writes);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void closeAfterStopDoesNotSpinWhileDraining() {
        Harness h = new Harness(true);
        h.attach().read(16, new Recorder());
        h.settle();
        // MultiHandleWait.close() stops the loop first, and run() may have returned already
        h.loop.stop();
        int before = h.port.dequeueCalls();
        assertFalse(h.loop.close(400));
        int calls = h.port.dequeueCalls() - before;
        assertTrue(calls < 40, "the drain polled the port " + calls + " times in 400 ms: it should block between packets");
    }

    @Test
    void aTaskQueuedBeforeCloseStillRuns() throws Exception {
        Harness h = new Harness(true);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        Thread other = new Thread(() -> h.loop.execute(() -> ran.add("task")));
        other.start();
        other.join();
        assertTrue(h.loop.close(1000));
        assertEquals(List.of("task"), ran);
    }

    @Test
    void listenersRunDuringTheDrainOnTheClosingThread() {
        Harness h = new Harness(true);
        doAnswer(i -> {
            h.complete(findIo(h, i.getArgument(1)), Win32Errors.ERROR_OPERATION_ABORTED, 0);
            return true;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        h.attach().read(16, rec);
        h.settle();
        assertTrue(h.loop.close(1000));
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(CloseReason.CANCELLED, rec.reason);
        assertEquals(List.of(Thread.currentThread()), rec.threads);
        verify(h.win32, never()).readFile(anyLong(), anyLong(), org.mockito.ArgumentMatchers.eq(0), anyLong());
    }

    static Harness.Io findIo(Harness h, long overlapped) {
        synchronized (h.reads) {
            for (Harness.Io io : h.reads) {
                if (io.overlapped() == overlapped) {
                    return io;
                }
            }
        }
        synchronized (h.writes) {
            for (Harness.Io io : h.writes) {
                if (io.overlapped() == overlapped) {
                    return io;
                }
            }
        }
        throw new AssertionError("no call with OVERLAPPED 0x" + Long.toHexString(overlapped));
    }

    @Test
    void aCloseClaimWinsAgainstAThreadCallingRunOnceInALoop() throws Exception {
        // Found under Wine by ConcurrencyTest: close() retried tryLock while the loop thread re-entered
        // runOnce() within nanoseconds of leaving it, so close() starved. Now it claims the loop first.
        Harness h = new Harness(true);
        h.attach().read(16, new Recorder()); // keeps runOnce blocking
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread loopThread = new Thread(() -> {
            try {
                while (true) {
                    h.loop.runOnce(50);
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "runOnce-loop");
        loopThread.start();
        Thread.sleep(100);
        assertTrue(h.loop.claimClose());
        // from the claim on, another thread's run()/runOnce() is refused at once (before the close itself)
        java.util.concurrent.atomic.AtomicReference<Throwable> other = new java.util.concurrent.atomic.AtomicReference<>();
        Thread late = new Thread(() -> {
            try {
                h.loop.runOnce(0);
            } catch (Throwable t) {
                other.set(t);
            }
            assertFalse(h.loop.claimClose(), "a second closer does not get the claim");
        });
        late.start();
        late.join(5000);
        assertTrue(other.get() instanceof IllegalStateException && other.get().getMessage().contains("being closed"),
                "runOnce on another thread after the claim: " + other.get());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) { // as MultiHandleWait.close() does, on the claiming thread
            assertTrue(System.nanoTime() < deadline, "close() starved by the runOnce loop");
            h.loop.stop();
            try {
                h.loop.close(1000);
                break;
            } catch (IllegalStateException running) {
                Thread.sleep(0, 100_000);
            }
        }
        loopThread.join(5000);
        assertFalse(loopThread.isAlive());
        assertTrue(ended.get() instanceof IllegalStateException, "runOnce refused once the close was claimed: " + ended.get());
        assertTrue(h.loop.isClosed());
    }
}
