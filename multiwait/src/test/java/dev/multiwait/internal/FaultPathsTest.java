package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * What the loop does when a native call it depends on fails: the failure surfaces as an exception
 * to the caller or as one registration's FAILED end, and everything else keeps working.
 */
class FaultPathsTest {
    static final long EVENT = 0x2b0;

    private static List<Throwable> reported(Harness h) {
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        h.loop.setErrorHandler((r, t) -> errors.add(t));
        return errors;
    }

    // ---- GetQueuedCompletionStatusEx ----

    @Test
    void aFailedDequeueThrowsFromRunOnceAndLeavesEveryRegistrationIntact() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "queued");
        h.port.failNextDequeues(1, Win32Errors.ERROR_INVALID_HANDLE);

        MultiWaitException e = assertThrows(MultiWaitException.class, () -> h.loop.runOnce(0));
        assertEquals(6, e.win32Error());
        assertEquals(MemoryPort.PORT_HANDLE, e.handle());
        assertTrue(e.getMessage().startsWith("GetQueuedCompletionStatusEx on handle 0x7770 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("every registration is intact"), e.getMessage());
        assertTrue(reg.isActive());
        assertEquals(1, h.loop.liveCount());
        assertEquals(1, h.port.queued(), "the packet was not taken");

        h.settle(); // the waiter is usable: the same packet is dispatched now
        assertEquals(List.of("data:queued"), rec.events);
        assertTrue(reg.isActive());
        assertEquals(2, h.reads.size(), "and the next read was issued");
    }

    @Test
    void runThrowsTheDequeueFailureAndCanBeCalledAgain() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "");
        h.port.failNextDequeues(1, 1450);
        assertThrows(MultiWaitException.class, h.loop::run);
        assertEquals(List.of(), rec.events);
        h.loop.run(); // returns once the read has ended
        assertEquals(List.of("close:COMPLETED"), rec.events);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void closeRetriesATransientDequeueFailureAndStillDrains() {
        Harness h = new Harness(true);
        doAnswer(i -> {
            Harness.Io io = h.reads.get(h.reads.size() - 1);
            h.complete(io, Win32Errors.ERROR_OPERATION_ABORTED, 0);
            return true;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        h.attach().read(16, rec);
        h.settle();
        h.port.failNextDequeues(EventLoop.DRAIN_DEQUEUE_ATTEMPTS - 1, 1450);
        long live = NativeOp.liveBlocks();
        assertTrue(h.loop.close(5000));
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertTrue(h.port.isClosed());
        assertEquals(live - 1, NativeOp.liveBlocks(), "the read's block was freed after its packet");
    }

    @Test
    void closeGivesUpOnAPersistentDequeueFailureVisiblyAndKeepsTheMemory() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.port.failNextDequeues(1000, 1450);
        int abandoned = NativeOp.abandonedCount();
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> h.loop.close(5000));
        assertEquals(1450, e.win32Error());
        assertTrue(e.getMessage().contains("could not drain"), e.getMessage());
        assertTrue(h.loop.isClosed());
        assertFalse(reg.isActive());
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(abandoned + 1, NativeOp.abandonedCount(), "the pending read's block is kept, not freed");
        assertFalse(h.port.isClosed(), "the port stays open: the kernel may still complete into it");
    }

    // ---- PostQueuedCompletionStatus: stop() and execute() ----

    @Test
    void stopThatCannotPostThrowsAndTheStopRequestStands() {
        Harness h = new Harness(true);
        h.attach().read(16, new Recorder());
        h.settle();
        h.port.refusePosts(true);
        h.lastError = 1450;
        MultiWaitException e = assertThrows(MultiWaitException.class, h.loop::stop);
        assertEquals(1450, e.win32Error());
        assertTrue(e.getMessage().contains("PostQueuedCompletionStatus(wake)"), e.getMessage());
        assertTrue(e.getMessage().contains("stop request stands"), e.getMessage());
        assertEquals(EventLoop.WAKE_POST_ATTEMPTS, h.port.refusedPosts());
        h.loop.run(); // returns at once although a read is live
        assertEquals(1, h.loop.liveCount());
        h.port.refusePosts(false);
        h.port.refuseNextPosts(EventLoop.WAKE_POST_ATTEMPTS - 1);
        h.loop.stop(); // transient: retried, no exception
        assertEquals(1, h.port.queued());
    }

    @Test
    void aReadWhoseStartCannotReachTheLoopIsRefusedAndLeavesNothing() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        long blocks = NativeOp.liveBlocks();
        h.port.refusePosts(true);
        Recorder rec = new Recorder();
        assertThrows(MultiWaitException.class, () -> s.read(16, rec));
        assertThrows(MultiWaitException.class, () -> s.write(ByteBuffer.wrap(new byte[] {1}), null));
        assertThrows(MultiWaitException.class, () -> s.connect(new Recorder()));
        assertThrows(MultiWaitException.class, s::shutdownOutput);
        assertEquals(0, h.loop.liveCount());
        assertEquals(blocks, NativeOp.liveBlocks(), "every block allocated for the refused calls was freed");
        h.port.refusePosts(false);
        Registration again = s.read(16, rec); // not "already active"
        h.settle();
        assertTrue(again.isActive());
        assertEquals(1, h.reads.size());
        s.write(ByteBuffer.wrap(new byte[] {1}), null); // output was not left shut
        assertTrue(rec.events.isEmpty(), "a refused call tells no listener");
    }

    // ---- wait bridges ----

    @Test
    void aBridgeWhosePostFailsIsRetriedThenEndsFailedAtTheNextTurn() throws Exception {
        Harness h = new Harness(true);
        WaitBridgeTest.Pool pool = new WaitBridgeTest.Pool(h);
        WaitBridgeTest.Signals failing = new WaitBridgeTest.Signals();
        WaitBridgeTest.Signals other = new WaitBridgeTest.Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, failing).start();
        h.port.refusePosts(true);
        h.lastError = 1450;
        pool.fire();
        assertEquals(EventLoop.BRIDGE_POST_ATTEMPTS + EventLoop.WAKE_POST_ATTEMPTS, h.port.refusedPosts(),
                "the bridge's post was retried, then a wake was tried");
        assertTrue(w.isActive(), "nothing is ended off the loop thread");
        h.port.refusePosts(false);
        new WaitBridge(h.loop, EVENT + 4, WaitBridge.Kind.SIGNAL, false, other).start();
        h.settle();
        assertEquals(List.of("close:FAILED"), failing.events);
        assertInstanceOf(MultiWaitException.class, failing.error);
        assertEquals(1450, ((MultiWaitException) failing.error).win32Error());
        assertTrue(failing.error.getMessage().contains("PostQueuedCompletionStatus"), failing.error.getMessage());
        assertFalse(w.isActive());
        verify(h.win32).unregisterWaitEx(pool.armed.get(0).waitHandle(), Win32.INVALID_HANDLE_VALUE);
        pool.fire(); // the other watch still works
        h.settle();
        assertEquals(List.of("signal", "close:COMPLETED"), other.events);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aBridgePostRefusedTwiceIsRetriedAndDelivered() throws Exception {
        Harness h = new Harness(true);
        WaitBridgeTest.Pool pool = new WaitBridgeTest.Pool(h);
        WaitBridgeTest.Signals sig = new WaitBridgeTest.Signals();
        new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, false, sig).start();
        h.port.refuseNextPosts(2);
        pool.fire();
        h.settle();
        assertEquals(List.of("signal", "close:COMPLETED"), sig.events);
    }

    @Test
    void anUnregisterFailureAfterASignalEndsTheWatchFailedWithoutReArming() throws Exception {
        Harness h = new Harness(true);
        WaitBridgeTest.Pool pool = new WaitBridgeTest.Pool(h);
        when(h.win32.unregisterWaitEx(anyLong(), anyLong())).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        WaitBridgeTest.Signals sig = new WaitBridgeTest.Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        pool.fire();
        h.settle();
        assertEquals(List.of("signal", "close:FAILED"), sig.events, "the signal that came is delivered, then the end");
        MultiWaitException e = (MultiWaitException) sig.error;
        assertTrue(e.getMessage().startsWith("UnregisterWaitEx on handle 0x2b0"), e.getMessage());
        assertEquals(6, e.win32Error());
        assertEquals(1, pool.armed.size(), "not re-armed");
        assertFalse(w.isActive());
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void anUnregisterFailureOnCancelEndsTheWatchFailed() {
        Harness h = new Harness(true);
        WaitBridgeTest.Pool pool = new WaitBridgeTest.Pool(h);
        when(h.win32.unregisterWaitEx(anyLong(), anyLong())).thenAnswer(i -> {
            h.lastError = 1450;
            return false;
        });
        WaitBridgeTest.Signals sig = new WaitBridgeTest.Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        w.cancel();
        h.settle();
        assertEquals(List.of("close:FAILED"), sig.events);
        assertEquals(1450, ((MultiWaitException) sig.error).win32Error());
        assertEquals(1, pool.armed.size());
    }

    @Test
    void watchRefusesPseudoHandlesWrongKindsAndAClosedWaiter() {
        Harness h = new Harness(true);
        new WaitBridgeTest.Pool(h);
        for (long bad : new long[] {0, -1, -2}) {
            MultiWaitException e = assertThrows(MultiWaitException.class,
                    () -> new WaitBridge(h.loop, bad, WaitBridge.Kind.SIGNAL, false, new WaitBridgeTest.Signals()).start());
            assertEquals(6, e.win32Error());
            assertEquals(bad, e.handle());
        }
        when(h.win32.getFileType(0x400)).thenReturn(Win32.FILE_TYPE_PIPE);
        MultiWaitException pipe = assertThrows(MultiWaitException.class,
                () -> new WaitBridge(h.loop, 0x400, WaitBridge.Kind.SIGNAL, false, new WaitBridgeTest.Signals()).start());
        assertTrue(pipe.getMessage().contains("use attach()"), pipe.getMessage());
        when(h.win32.getProcessId(0x404)).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return 0;
        });
        MultiWaitException notProcess = assertThrows(MultiWaitException.class,
                () -> new WaitBridge(h.loop, 0x404, WaitBridge.Kind.PROCESS_EXIT, false, new WaitBridgeTest.Signals()).start());
        assertTrue(notProcess.getMessage().startsWith("watchProcess on handle 0x404"), notProcess.getMessage());
        assertEquals(0, h.loop.liveCount());
        assertEquals(0, h.loop.table().size());
        assertTrue(h.loop.close(100));
        assertThrows(IllegalStateException.class,
                () -> new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, false, new WaitBridgeTest.Signals()).start());
        verify(h.win32, never()).registerWaitForSingleObject(eq(EVENT), anyLong(), org.mockito.ArgumentMatchers.any(),
                anyLong(), org.mockito.ArgumentMatchers.anyInt(), org.mockito.ArgumentMatchers.anyInt());
    }

    // ---- attach ----

    @Test
    void attachRefusesNullAndPseudoHandlesWithoutAnyNativeCall() {
        Harness h = new Harness(true);
        for (long bad : new long[] {0, -1}) {
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> h.attach(bad));
            assertEquals(6, e.win32Error());
            assertEquals(bad, e.handle());
            MultiWaitException s = assertThrows(MultiWaitException.class, () -> AttachedStream.attachSocket(h.loop, bad));
            assertTrue(s.getMessage().startsWith("attachSocket"), s.getMessage());
        }
        verify(h.win32, never()).createIoCompletionPort(eq(-1L), anyLong(), anyLong(), org.mockito.ArgumentMatchers.anyInt());
        assertEquals(0, h.loop.table().size());
    }

    // ---- a completion without a result (Wine, I/O of a thread that exited) ----

    @Test
    void aPacketWhoseOverlappedWasNeverGivenAResultFailsTheReadLoudly() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        Harness.Io io = h.read(0);
        new com.sun.jna.Pointer(io.overlapped()).setInt(0, NativeOp.STATUS_PENDING); // what the kernel left there
        h.port.push(h.port.keyOf(H), io.overlapped(), 0);
        h.settle();
        assertEquals(List.of("close:FAILED"), rec.events);
        MultiWaitException e = (MultiWaitException) rec.error;
        assertEquals(Win32Errors.ERROR_IO_INCOMPLETE, e.win32Error());
        assertTrue(e.getMessage().contains("never given a result"), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR_IO_INCOMPLETE"), e.getMessage());
        assertFalse(reg.isActive());
        assertEquals(1, h.reads.size(), "not re-issued");
    }

    // ---- CancelIoEx ----

    @Test
    void aFailedCancelOfAReadIsReportedAndTheReadEndsWhenItsPacketComes() {
        Harness h = new Harness(true);
        List<Throwable> errors = reported(h);
        when(h.win32.cancelIoEx(anyLong(), anyLong())).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        reg.cancel();
        h.settle();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().startsWith("CancelIoEx on handle 0x1a4"), errors.get(0).getMessage());
        assertTrue(reg.isActive(), "the read is still pending in the kernel");
        verify(h.win32, never()).closeHandle(H);
        h.completeRead(h.read(0), 0, "late");
        h.settle();
        assertEquals(List.of("data:late", "close:CANCELLED"), rec.events);
        assertEquals(1, h.reads.size());
    }

    @Test
    void aFailedCancelWhileClosingClosesTheHandleEarlyAndKeepsTheKeyForThePacket() {
        Harness h = new Harness(true);
        List<Throwable> errors = reported(h);
        when(h.win32.cancelIoEx(anyLong(), anyLong())).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.read(16, rec);
        h.settle();
        s.close();
        h.settle();
        assertEquals(1, errors.size());
        verify(h.win32, times(1)).closeHandle(H);
        assertTrue(reg.isActive());
        assertTrue(h.loop.table().get(s.key()) != null, "the key stays until the aborted read's packet");
        h.complete(h.read(0), Win32Errors.ERROR_HANDLES_CLOSED, 0); // what closing the handle does to the read
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertNull(h.loop.table().get(s.key()));
        verify(h.win32, times(1)).closeHandle(H);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aCancelThatFailedBeforeCloseNeverClosesTheHandleUnderAWriteQueuedAheadOfTheClose() {
        // Found by ModelTest: close() marks the stream closing on the caller's thread at once, but a
        // write queued before it still runs first on the loop; the early close must wait for shutdown.
        Harness h = new Harness(true);
        List<Throwable> errors = reported(h);
        when(h.win32.cancelIoEx(anyLong(), anyLong())).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.read(16, rec);
        h.settle();
        List<String> written = new ArrayList<>();
        reg.cancel();
        s.write(ByteBuffer.wrap("queued".getBytes()), (n, e) -> written.add(n + ":" + (e == null ? "ok" : e.win32Error())));
        s.close();
        h.settle();
        org.mockito.InOrder order = inOrder(h.win32);
        order.verify(h.win32).writeFile(eq(H), anyLong(), org.mockito.ArgumentMatchers.anyInt(), anyLong());
        order.verify(h.win32).closeHandle(H);
        assertEquals(2, errors.size(), () -> "the read's cancel failed twice (cancel, then close): " + errors);
        h.complete(h.read(0), Win32Errors.ERROR_HANDLES_CLOSED, 0);
        h.complete(h.write(0), Win32Errors.ERROR_HANDLES_CLOSED, 0);
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(List.of("0:676"), written);
        verify(h.win32, times(1)).closeHandle(H);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aFailedCloseHandleIsReported() {
        Harness h = new Harness(true);
        List<Throwable> errors = reported(h);
        when(h.win32.closeHandle(H)).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        StreamEntry s = h.attach();
        s.close();
        h.settle();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().startsWith("CloseHandle on handle 0x1a4 failed: Win32 error 6"),
                errors.get(0).getMessage());
        inOrder(h.win32).verify(h.win32).closeHandle(H);
    }
}
