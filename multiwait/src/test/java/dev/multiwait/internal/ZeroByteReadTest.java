package dev.multiwait.internal;

import com.sun.jna.Pointer;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;

/**
 * Issue 15: an idle socket or byte pipe waits with a zero-byte read and holds no data buffer; the data
 * is read into a block borrowed from the loop's pool only while the listener runs. Message pipes and
 * files keep their own block (StreamReaderTest, MessagePipeTest).
 */
class ZeroByteReadTest {
    static final int SIZE = 16;

    /** A harness whose handle is a byte-mode pipe (GetNamedPipeInfo succeeds, flags 0). */
    static Harness bytePipe(boolean skipOnSuccess) {
        Harness h = new Harness(skipOnSuccess);
        doAnswer(i -> {
            new Pointer((long) i.getArgument(1)).setInt(0, 0);
            return true;
        }).when(h.win32).getNamedPipeInfo(anyLong(), anyLong());
        return h;
    }

    @Test
    void anIdlePipeWaitsWithAZeroByteReadAndHoldsNoDataBuffer() {
        Harness h = bytePipe(true);
        long before = NativeOp.liveBlocks();
        Recorder rec = new Recorder();
        h.attach().read(64 * 1024, rec);
        h.settle();
        assertEquals(1, h.reads.size());
        assertEquals(0, h.read(0).length(), "the idle wait is a zero-byte read");
        assertEquals(before + 1, NativeOp.liveBlocks(), "one block: the OVERLAPPED's, with no data buffer");
        assertEquals(List.of(), rec.events);
    }

    @Test
    void dataIsReadIntoABorrowedBlockThatGoesBackAfterTheListener() {
        Harness h = bytePipe(true);
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(SIZE, rec);
        h.settle();
        h.onRead(Harness.syncRead("hello", false)); // the data is there: the real read finishes at once
        h.completeRead(h.read(0), 0, "");
        h.settle();
        assertEquals(List.of("data:hello"), rec.events);
        assertEquals(3, h.reads.size(), "zero read, real read, zero read again");
        Harness.Io real = h.read(1);
        assertEquals(SIZE, real.length());
        assertEquals(h.read(0).overlapped(), real.overlapped(), "one OVERLAPPED for the stream's reads");
        assertNotEquals(h.read(0).buffer(), real.buffer(), "the data lands in a borrowed block");
        assertEquals(0, h.read(2).length(), "a short read drained the pipe: wait without a buffer again");
        assertEquals(1, h.loop.readBuffers.freeBlocks(), "the borrowed block is back in the pool");
        assertTrue(reg.isActive());
    }

    @Test
    void aReadThatFillsTheBlockKeepsItAndReadsStraightAgain() {
        Harness h = bytePipe(true);
        Recorder rec = new Recorder();
        h.attach().read(SIZE, rec);
        h.settle();
        String full = "0123456789abcdef";
        h.onRead(Harness.syncRead(full, false), Harness.syncRead(full, false), Harness.syncRead("tail", false));
        h.completeRead(h.read(0), 0, "");
        h.settle();
        assertEquals(List.of("data:" + full, "data:" + full, "data:tail"), rec.events);
        assertEquals(5, h.reads.size(), "busy: one call per chunk, then a zero-byte wait");
        assertEquals(h.read(1).buffer(), h.read(2).buffer());
        assertEquals(h.read(1).buffer(), h.read(3).buffer());
        assertEquals(0, h.read(4).length());
    }

    @Test
    void theSameBlockServesTheNextStreamOnlyAfterTheListenerReturned() {
        Harness h = bytePipe(true);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        h.attach(0x1a4L).read(SIZE, a);
        h.attach(0x1a8L).read(SIZE, b);
        h.settle();
        h.onRead(Harness.syncRead("one", false));
        h.completeRead(h.read(0), 0, "");
        h.settle();
        h.onRead(Harness.syncRead("two", false));
        h.completeRead(h.read(1), 0, "");
        h.settle();
        assertEquals(List.of("data:one"), a.events);
        assertEquals(List.of("data:two"), b.events);
        long first = h.reads.stream().filter(io -> io.length() == SIZE).toList().get(0).buffer();
        long second = h.reads.stream().filter(io -> io.length() == SIZE).toList().get(1).buffer();
        assertEquals(first, second, "one loop thread: the pool lends the same block in turn");
    }

    @Test
    void theWritersCloseDuringTheWaitEndsTheRead() {
        Harness h = bytePipe(true);
        Recorder rec = new Recorder();
        h.attach().read(SIZE, rec);
        h.settle();
        h.completeRead(h.read(0), Win32Errors.ERROR_BROKEN_PIPE, "");
        h.settle();
        assertEquals(List.of("close:COMPLETED"), rec.events);
    }

    @Test
    void aCancelDuringTheWaitEndsItCancelled() {
        Harness h = bytePipe(true);
        doAnswer(i -> {
            h.complete(h.lastRead(), Win32Errors.ERROR_OPERATION_ABORTED, 0);
            return true;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        long before = NativeOp.liveBlocks();
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(SIZE, rec);
        h.settle();
        reg.cancel();
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(before, NativeOp.liveBlocks(), "nothing left allocated");
    }

    @Test
    void dataFoundByAWaitThatRacedACancelIsStillDelivered() {
        Harness h = bytePipe(true);
        doAnswer(i -> {
            h.lastError = Win32Errors.ERROR_NOT_FOUND; // the wait had already completed: its packet is queued
            return false;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(SIZE, rec);
        h.settle();
        h.completeRead(h.read(0), 0, ""); // data came just before the cancel
        reg.cancel();
        h.onRead(Harness.syncRead("raced", false));
        h.settle();
        assertEquals(List.of("data:raced", "close:CANCELLED"), rec.events);
        assertEquals(2, h.reads.size(), "nothing issued after the cancelled read's delivery");
    }

    @Test
    void aPauseCancelsTheWaitAndResumeWaitsAgain() {
        Harness h = bytePipe(true);
        doAnswer(i -> {
            h.complete(h.lastRead(), Win32Errors.ERROR_OPERATION_ABORTED, 0);
            return true;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        dev.multiwait.ReadRegistration reg = h.attach().read(SIZE, rec);
        h.settle();
        reg.pause();
        h.settle();
        assertTrue(reg.isActive(), "a pause is not an end");
        assertEquals(1, h.reads.size());
        reg.resume();
        h.settle();
        assertEquals(2, h.reads.size());
        assertEquals(0, h.read(1).length(), "resumed: waiting without a buffer again");
        assertEquals(List.of(), rec.events);
    }

    @Test
    void dataAWaitFoundWhilePausedIsReadOnResume() {
        Harness h = bytePipe(true);
        doAnswer(i -> {
            h.lastError = Win32Errors.ERROR_NOT_FOUND; // the wait had already completed
            return false;
        }).when(h.win32).cancelIoEx(anyLong(), anyLong());
        Recorder rec = new Recorder();
        dev.multiwait.ReadRegistration reg = h.attach().read(SIZE, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "");
        reg.pause();
        h.settle();
        assertEquals(1, h.reads.size(), "nothing read while paused");
        h.onRead(Harness.syncRead("later", false));
        reg.resume();
        h.settle();
        assertEquals(List.of("data:later"), rec.events);
        assertEquals(SIZE, h.read(1).length(), "resume reads what the wait found, into a borrowed block");
    }

    @Test
    void aSocketWaitsWithAZeroByteReceiveAndItsEndShowsInTheRealRead() {
        Harness h = new Harness(true);
        Recorder rec = new Recorder();
        AttachedStream.attachSocket(h.loop, Harness.H).read(SIZE, rec);
        h.settle();
        assertEquals(0, h.recvs.get(0).lengths()[0], "a zero-byte WSARecv");
        h.completeRecv(h.recvs.get(0), ""); // the peer's close completes the wait with 0 bytes too
        h.settle();
        assertEquals(List.of(), rec.events, "not the end yet: only the real read can tell");
        assertEquals(SIZE, h.recvs.get(1).lengths()[0]);
        h.completeRecv(h.recvs.get(1), "");
        h.settle();
        assertEquals(List.of("close:COMPLETED"), rec.events);
    }

    @Test
    void aBorrowedBlockWhosePacketNeverComesIsKeptNotReturned() {
        Harness h = bytePipe(true); // CancelIoEx returns TRUE, but no packet ever comes
        Recorder rec = new Recorder();
        h.attach().read(SIZE, rec);
        h.settle();
        h.completeRead(h.read(0), 0, ""); // data is there; the real read then pends and never completes
        h.settle();
        assertEquals(SIZE, h.read(1).length());
        int abandoned = NativeOp.abandonedCount();
        assertFalse(h.loop.close(200));
        assertEquals(abandoned + 2, NativeOp.abandonedCount(), "the OVERLAPPED's block and the borrowed one are kept");
        assertEquals(0, h.loop.readBuffers.freeBlocks(), "never back in the pool, where another read would reuse it");
        assertEquals(List.of("close:CANCELLED"), rec.events);
    }

    @Test
    void thePoolKeepsOnlyAFewFreeBlocks() {
        ReadBufferPool pool = new ReadBufferPool();
        long before = NativeOp.liveBlocks();
        List<NativeOp> lent = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lent.add(pool.borrow(SIZE));
        }
        lent.forEach(pool::giveBack);
        assertEquals(ReadBufferPool.MAX_FREE_PER_SIZE, pool.freeBlocks());
        assertEquals(before + ReadBufferPool.MAX_FREE_PER_SIZE, NativeOp.liveBlocks());
        pool.clear();
        assertEquals(before, NativeOp.liveBlocks());
    }
}
