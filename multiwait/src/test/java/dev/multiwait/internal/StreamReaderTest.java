package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class StreamReaderTest {

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void pendingReadDeliversDataAndReissuesAtTheNextOffset(boolean skip) {
        Harness h = new Harness(skip);
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.read(16, rec);
        h.settle();
        assertEquals(1, h.reads.size());
        Harness.Io io = h.read(0);
        assertEquals(H, io.handle());
        assertEquals(16, io.length());

        h.completeRead(io, 0, "hello");
        h.settle();
        assertEquals(List.of("data:hello"), rec.events);
        assertEquals(2, h.reads.size(), "the next read is issued after the listener returns");
        Harness.Io second = h.read(1);
        // same native block (one read in flight), file offset advanced past what was read
        assertEquals(io.overlapped(), second.overlapped());
        assertEquals(5, new com.sun.jna.Pointer(second.overlapped()).getInt(16));
        assertTrue(reg.isActive());
        assertEquals(1, h.loop.liveCount());

        h.completeRead(second, 0, "world!");
        h.settle();
        assertEquals(List.of("data:hello", "data:world!"), rec.events);
        assertTrue(rec.threads.stream().allMatch(t -> t == Thread.currentThread()));
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void zeroBytesIsEndOfStream(boolean skip) {
        Harness h = new Harness(skip);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "");
        h.settle();
        assertEquals(List.of("close:COMPLETED"), rec.events);
        assertNull(rec.error);
        assertFalse(reg.isActive());
        assertEquals(0, h.loop.liveCount());
        assertEquals(1, h.reads.size(), "no read after end of stream");
        assertFalse(Harness.opAllocated(reg), "the buffer should be freed once the read ended");
    }

    @ParameterizedTest(name = "error {0}")
    @ValueSource(ints = {Win32Errors.ERROR_BROKEN_PIPE, Win32Errors.ERROR_HANDLE_EOF})
    void brokenPipeAndHandleEofAreEndOfStream(int error) {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), error, "");
        h.settle();
        assertEquals(List.of("close:COMPLETED"), rec.events);
        assertNull(rec.error);
        assertFalse(reg.isActive());
        assertEquals(1, h.reads.size());
    }

    @Test
    void dataCarriedWithEndOfStreamIsDeliveredFirst() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), Win32Errors.ERROR_BROKEN_PIPE, "last");
        h.settle();
        assertEquals(List.of("data:last", "close:COMPLETED"), rec.events);
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void cancelWithAPendingReadWaitsForTheAbortedPacket(boolean skip) {
        Harness h = new Harness(skip);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        Harness.Io io = h.read(0);

        reg.cancel();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        assertTrue(reg.isActive(), "must stay active until the aborted packet is consumed");
        assertTrue(Harness.opAllocated(reg), "the kernel may still write: the block must not be freed");
        assertTrue(rec.events.isEmpty());
        assertEquals(1, h.loop.liveCount());

        h.completeRead(io, Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertNull(rec.error);
        assertFalse(reg.isActive());
        assertFalse(Harness.opAllocated(reg));
        assertEquals(1, h.reads.size(), "no read after cancel");
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void cancelIsIdempotent() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        reg.cancel();
        reg.cancel();
        h.settle();
        reg.cancel();
        h.settle();
        verify(h.win32, times(1)).cancelIoEx(anyLong(), anyLong());
        h.completeRead(h.read(0), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        reg.cancel();
        h.settle();
        assertEquals(1, rec.closes);
    }

    @Test
    void bytesCarriedByAnAbortedReadAreDeliveredBeforeCancelled() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        reg.cancel();
        h.settle();
        h.completeRead(h.read(0), Win32Errors.ERROR_OPERATION_ABORTED, "tail");
        h.settle();
        assertEquals(List.of("data:tail", "close:CANCELLED"), rec.events);
        assertEquals(1, h.reads.size());
    }

    @Test
    void cancelThatFindsNothingPending1168EndsWhenThePacketArrives() {
        Harness h = new Harness(true);
        doAnswer(i -> {
            h.lastError = Win32Errors.ERROR_NOT_FOUND;
            return false;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        Harness.Io io = h.read(0);
        reg.cancel();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        assertTrue(reg.isActive());
        assertTrue(Harness.opAllocated(reg));

        // it had already completed successfully: its packet was queued before the cancel
        h.completeRead(io, 0, "late");
        h.settle();
        assertEquals(List.of("data:late", "close:CANCELLED"), rec.events);
        assertFalse(reg.isActive());
        assertEquals(1, h.reads.size(), "no new read after a cancel");
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void unexpectedCompletionErrorFailsTheReadNamingHandleAndError() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        h.completeRead(h.read(0), Win32Errors.ERROR_HANDLES_CLOSED, "");
        h.settle();
        assertEquals(List.of("close:FAILED"), rec.events);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, rec.error);
        assertEquals(676, e.win32Error());
        assertEquals(H, e.handle());
        assertTrue(e.getMessage().contains("ReadFile"), e.getMessage());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(H)), e.getMessage());
        assertTrue(e.getMessage().contains("676"), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR_HANDLES_CLOSED"), e.getMessage());
        assertFalse(reg.isActive());
        assertFalse(Harness.opAllocated(reg));
        assertEquals(1, h.reads.size());
        verify(h.win32, never()).closeHandle(H);
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void immediateReadFileFailureEndsTheReadWithoutAPacket(boolean skip) {
        Harness h = new Harness(skip);
        h.onRead(Harness.failNow(Win32Errors.ERROR_INVALID_HANDLE));
        int abandoned = NativeOp.abandonedCount();
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.loop.runOnce(0);
        assertEquals(List.of("close:FAILED"), rec.events, "the failure must be reported without waiting for a packet");
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, rec.error);
        assertEquals(Win32Errors.ERROR_INVALID_HANDLE, e.win32Error());
        assertFalse(reg.isActive());
        assertFalse(Harness.opAllocated(reg), "no packet comes: the block can be freed");
        assertEquals(abandoned, NativeOp.abandonedCount());
        verify(h.win32, never()).cancelIoEx(anyLong(), anyLong());
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void immediateBrokenPipeIsEndOfStream() {
        Harness h = new Harness(false);
        h.onRead(Harness.syncRead("abc", true), Harness.failNow(Win32Errors.ERROR_BROKEN_PIPE));
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(32, rec);
        h.settle();
        assertEquals(List.of("data:abc", "close:COMPLETED"), rec.events);
        assertFalse(reg.isActive());
    }

    @Test
    void aSecondReadWhileOneIsActiveIsRefusedAndAllowedAfterItEnds() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Recorder first = new Recorder();
        Registration r1 = s.read(8, first);
        h.settle();
        assertThrows(IllegalStateException.class, () -> s.read(8, new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> s.read(0, new Recorder()));
        h.completeRead(h.read(0), Win32Errors.ERROR_HANDLE_EOF, "");
        h.settle();
        assertFalse(r1.isActive());
        Recorder second = new Recorder();
        Registration r2 = s.read(8, second);
        h.settle();
        assertTrue(r2.isActive());
        assertEquals(2, h.reads.size());
        h.completeRead(h.read(1), 0, "again");
        h.settle();
        assertEquals(List.of("data:again"), second.events);
        assertEquals(List.of("close:COMPLETED"), first.events);
    }

    @Test
    void closingTheStreamClosesTheHandleOnlyAfterTheAbortedPacket() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        long key = s.key();
        Recorder rec = new Recorder();
        Registration reg = s.read(8, rec);
        h.settle();
        Harness.Io io = h.read(0);
        s.close();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        verify(h.win32, never()).closeHandle(H);
        assertSame(s, h.loop.table().get(key), "key must stay routable until the last packet");
        assertThrows(IllegalStateException.class, () -> s.read(8, new Recorder()));
        assertThrows(IllegalStateException.class, () -> s.write(java.nio.ByteBuffer.allocate(1), null));

        h.completeRead(io, Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertFalse(reg.isActive());
        verify(h.win32, times(1)).closeHandle(H);
        assertNull(h.loop.table().get(key));
    }

    @Test
    void closingAnIdleStreamClosesTheHandleAtOnce() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        long key = s.key();
        s.close();
        h.settle();
        verify(h.win32, times(1)).closeHandle(H);
        assertNull(h.loop.table().get(key));
        s.close();
        h.settle();
        verify(h.win32, times(1)).closeHandle(H);
    }

    @Test
    void attachSetsSkipOnSuccessModesAndAssociatesUnderTheEntrysKey() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        verify(h.win32).setFileCompletionNotificationModes(H,
                Layouts.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Layouts.FILE_SKIP_SET_EVENT_ON_HANDLE);
        verify(h.win32).createIoCompletionPort(eq(H), eq(MemoryPort.PORT_HANDLE), eq(s.key()), org.mockito.ArgumentMatchers.anyInt());
        assertEquals(s.key(), h.port.keyOf(H));
        assertSame(s, h.loop.table().get(s.key()));
    }

    @Test
    void failedAttachLeavesTheHandleToTheCallerAndNoKeyBehind() {
        Harness h = new Harness(true);
        org.mockito.Mockito.when(h.win32.createIoCompletionPort(eq(0x99L), anyLong(), anyLong(), org.mockito.ArgumentMatchers.anyInt()))
                .thenAnswer(i -> {
                    h.lastError = Win32Errors.ERROR_INVALID_PARAMETER;
                    return 0L;
                });
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> h.attach(0x99));
        assertEquals(87, e.win32Error());
        assertEquals(0x99, e.handle());
        assertEquals(0, h.loop.table().size());
        verify(h.win32, never()).closeHandle(0x99);
        verify(h.win32, never()).setFileCompletionNotificationModes(eq(0x99L), org.mockito.ArgumentMatchers.anyInt());
    }

    @Test
    void aListenerThatCancelsItsOwnReadCanStillReadTheDataItWasGiven() {
        Harness h = new Harness(true);
        java.util.concurrent.atomic.AtomicReference<Registration> self = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> seen = new java.util.ArrayList<>();
        List<Boolean> allocatedDuringCall = new java.util.ArrayList<>();
        Recorder rec = new Recorder() {
            @Override
            public void onData(java.nio.ByteBuffer data) {
                self.get().cancel(); // on the loop thread: runs at once
                // the view must stay valid for the whole call, cancel or not
                allocatedDuringCall.add(Harness.opAllocated(self.get()));
                super.onData(data);
            }
        };
        self.set(h.attach().read(16, rec));
        h.settle();
        h.completeRead(h.read(0), 0, "payload");
        h.settle();
        assertEquals(List.of(true), allocatedDuringCall, "the buffer was freed under the listener reading it");
        assertEquals(List.of("data:payload", "close:CANCELLED"), rec.events);
        assertFalse(self.get().isActive());
        assertFalse(Harness.opAllocated(self.get()));
        assertEquals(1, h.reads.size());
        verify(h.win32, never()).cancelIoEx(anyLong(), anyLong());
    }

    @Test
    void aListenerThatThrowsAfterEndOfStreamDataEndsFailed() {
        Harness h = new Harness(true);
        RuntimeException boom = new RuntimeException("boom");
        Recorder rec = new Recorder() {
            @Override
            public void onData(java.nio.ByteBuffer data) {
                super.onData(data);
                throw boom;
            }
        };
        Registration reg = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), Win32Errors.ERROR_BROKEN_PIPE, "last");
        h.settle();
        assertEquals(List.of("data:last", "close:FAILED"), rec.events);
        assertSame(boom, rec.error);
        assertFalse(reg.isActive());
        assertFalse(Harness.opAllocated(reg));
        assertEquals(1, rec.closes);
    }
}
