package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.RelayListener;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The relay's ring, driven by a scripted kernel: reads append at the tail, writes consume from the
 * head, nothing is read while the ring is full, a short write leaves the rest at the head, the ring
 * wraps, each direction half-closes on its own, and teardown awaits every packet.
 */
class RelayPumpTest {
    static final long A = 0xa0;
    static final long B = 0xb0;

    static final class Events implements RelayListener {
        final List<String> log = new ArrayList<>();
        CloseReason reason;
        Exception error;
        StreamHandle a;

        @Override
        public void onHalfClose(StreamHandle from, StreamHandle to, long bytes) {
            log.add((from == a ? "a" : "b") + " done " + bytes);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
            log.add("closed " + reason);
        }
    }

    private static List<Harness.Io> readsOn(Harness h, long handle) {
        return h.reads.stream().filter(io -> io.handle() == handle).collect(Collectors.toList());
    }

    private static List<Harness.Io> writesOn(Harness h, long handle) {
        return h.writes.stream().filter(io -> io.handle() == handle).collect(Collectors.toList());
    }

    private static Harness.Io last(List<Harness.Io> l) {
        return l.get(l.size() - 1);
    }

    @Test
    void fullRingStopsReadingShortWritesAndWrapAroundKeepOrder() {
        Harness h = new Harness(true);
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        Events ev = new Events();
        ev.a = a;
        Relay r = Relay.open(h.loop, a, b, 8, ev);
        h.settle();
        assertEquals(1, readsOn(h, A).size(), "one read per source");
        assertEquals(1, readsOn(h, B).size());
        Harness.Io first = readsOn(h, A).get(0);
        long ring = first.buffer();
        assertEquals(8, first.length(), "an empty ring reads its whole capacity");

        h.completeRead(first, 0, "abcdefgh");
        h.settle();
        assertEquals(List.of("abcdefgh"), h.written);
        assertEquals(B, h.write(0).handle());
        assertEquals(1, readsOn(h, A).size(), "the ring is full: no read (backpressure)");

        h.complete(h.write(0), 0, 3); // short write: "abc" out, "defgh" still at the head
        h.settle();
        assertEquals(List.of("abcdefgh", "defgh"), h.written, "the rest goes out from the head");
        assertEquals(ring + 3, h.write(1).buffer());
        Harness.Io second = last(readsOn(h, A));
        assertEquals(2, readsOn(h, A).size(), "room again: one read");
        assertEquals(ring, second.buffer(), "the tail wrapped to the start");
        assertEquals(3, second.length(), "only the freed span before the head");

        h.completeRead(second, 0, "XYZ");
        h.settle();
        assertEquals(2, readsOn(h, A).size(), "full again: no read");
        assertEquals(2, h.writes.size(), "one write in flight at a time");

        h.complete(h.write(1), 0, 5);
        h.settle();
        assertEquals(List.of("abcdefgh", "defgh", "XYZ"), h.written);
        assertEquals(ring, h.write(2).buffer(), "the head wrapped too");
        Harness.Io third = last(readsOn(h, A));
        assertEquals(ring + 3, third.buffer());
        assertEquals(5, third.length());

        // a->b ends: end of stream after the last write, then b's half-close (a pipe: closed once not read)
        h.completeRead(third, Win32Errors.ERROR_BROKEN_PIPE, "");
        h.settle();
        assertEquals(List.of(), ev.log, "not done while bytes are still buffered");
        h.complete(h.write(2), 0, 3);
        h.settle();
        assertEquals(List.of("a done 11"), ev.log);
        verify(h.win32, never()).closeHandle(B); // b is still being read (a duplex pipe closes when that ends)
        assertTrue(r.isActive());

        // b->a goes on after a->b ended
        h.completeRead(readsOn(h, B).get(0), 0, "hi");
        h.settle();
        assertEquals(A, last(h.writes).handle());
        assertEquals("hi", h.written.get(h.written.size() - 1));
        h.complete(last(h.writes), 0, 2);
        h.settle();
        h.completeRead(last(readsOn(h, B)), 0, ""); // 0 bytes: end of stream
        h.settle();
        assertEquals(List.of("a done 11", "b done 2", "closed COMPLETED"), ev.log);
        verify(h.win32).closeHandle(A);
        verify(h.win32).closeHandle(B);
        assertFalse(r.isActive());
        assertEquals(0, h.loop.liveCount());
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void teardownCancelsBothOperationsAndWaitsForTheirPackets() {
        Harness h = new Harness(true);
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        Events ev = new Events();
        Relay r = Relay.open(h.loop, a, b, 16, ev);
        h.settle();
        h.completeRead(readsOn(h, A).get(0), 0, "data");
        h.settle(); // a write to b and a new read on a are now pending, plus the read on b
        Harness.Io write = h.write(0);
        r.cancel();
        h.settle();
        verify(h.win32).cancelIoEx(A, last(readsOn(h, A)).overlapped());
        verify(h.win32).cancelIoEx(B, readsOn(h, B).get(0).overlapped());
        verify(h.win32).cancelIoEx(B, write.overlapped());
        assertTrue(r.isActive(), "not over while packets are outstanding");
        verify(h.win32, never()).closeHandle(anyLong());

        h.completeRead(last(readsOn(h, A)), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.completeRead(readsOn(h, B).get(0), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertTrue(r.isActive(), "the write's packet is still due");
        assertTrue(Harness.memoryOf(ringOf(r, true)).valid(), "the ring the pending write reads stays allocated");
        h.complete(write, Win32Errors.ERROR_OPERATION_ABORTED, 0);
        h.settle();
        assertFalse(r.isActive());
        assertEquals(List.of("closed CANCELLED"), ev.log);
        assertFalse(Harness.memoryOf(ringOf(r, true)).valid(), "freed once every packet is in");
        verify(h.win32).closeHandle(A);
        verify(h.win32).closeHandle(B);
        assertEquals(0, h.loop.liveCount());
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void aWriteErrorFailsTheWholeRelayAndNamesTheSink() {
        Harness h = new Harness(true);
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        Events ev = new Events();
        Relay.open(h.loop, a, b, 16, ev);
        h.settle();
        h.completeRead(readsOn(h, A).get(0), 0, "data");
        h.settle();
        h.complete(h.write(0), Win32Errors.ERROR_NO_DATA, 0);
        h.settle();
        // the other two reads are cancelled, then their packets end the teardown
        h.completeRead(last(readsOn(h, A)), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.completeRead(readsOn(h, B).get(0), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertEquals(CloseReason.FAILED, ev.reason);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, ev.error);
        assertEquals(Win32Errors.ERROR_NO_DATA, e.win32Error());
        assertEquals(B, e.handle());
        assertEquals(0, h.loop.liveCount());
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void synchronousCompletionsAreDispatchedOnce(boolean skip) {
        Harness h = new Harness(skip);
        // without skip-on-success the kernel also queues a packet for a synchronous success
        h.onRead(Harness.syncRead("one", !skip), Harness.syncRead("two", !skip));
        h.onWrite(Harness.syncWrote(3, !skip), Harness.syncWrote(3, !skip));
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        Events ev = new Events();
        Relay.open(h.loop, a, b, 16, ev);
        h.settle();
        assertEquals(List.of("one", "two"), h.written.subList(0, 2), "each byte forwarded exactly once");
        assertEquals(2, writesOn(h, B).size() + writesOn(h, A).size());
        assertNull(ev.reason);
    }

    @Test
    void aWriteThatFinishesAtOnceFreesItsRoomForTheVeryNextRead() {
        Harness h = new Harness(true);
        // a source that always has 8 bytes ready and a sink that always takes them at once
        for (int i = 0; i < 40; i++) {
            h.onRead(Harness.syncRead("abcdefgh", false));
            h.onWrite(Harness.syncWrote(8, false));
        }
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        Relay.open(h.loop, a, b, 8, new Events());
        h.loop.runOnce(0); // the relay starts: both directions pump (the scripts serve a and b alike)
        List<Harness.Io> reads = readsOn(h, A);
        assertTrue(reads.size() > 1, "reads went on without waiting for packets: " + reads.size());
        for (Harness.Io read : reads) {
            assertEquals(8, read.length(), "each read gets the whole ring: the write before it already finished");
        }
        // a source that always has data does not keep the loop: this turn ran the relay's start, then its
        // deferred work twice (before and after dispatching packets), each one progress() of at most SYNC_ROUNDS
        assertEquals(3 * Relay.SYNC_ROUNDS, reads.size(), "reads in one turn on a");
        int afterFirstTurn = reads.size();
        h.loop.runOnce(0);
        assertTrue(readsOn(h, A).size() > afterFirstTurn, "and goes on at the next turn");
        assertEquals(h.written.size(), h.writes.size());
        h.written.forEach(w -> assertEquals("abcdefgh", w));
    }

    @Test
    void aSocketReadsIntoAndSendsFromBothSpansOfAWrappedRing() {
        Harness h = new Harness(false);
        StreamEntry a = AttachedStream.attachSocket(h.loop, A);
        StreamEntry b = AttachedStream.attachSocket(h.loop, B);
        Relay.open(h.loop, a, b, 8, new Events());
        h.settle();
        Harness.SocketIo read1 = recvOn(h, A, 0);
        long ring = read1.buffers()[0];
        h.completeRecv(read1, "abcde");
        h.settle(); // send [0,5) and read [5,8) pending
        Harness.SocketIo send1 = sendOn(h, B, 0);
        assertEquals("abcde", send1.text());
        Harness.SocketIo read2 = recvOn(h, A, 1);
        assertArrayEquals(new long[] {ring + 5}, read2.buffers(), "free space [5,8) does not wrap: one span");
        h.completeSend(send1, 3); // short: "de" left at [3,5)
        h.completeRecv(read2, "f"); // [3,6) filled, free space [6,8) then [0,3)
        h.settle();
        Harness.SocketIo read3 = recvOn(h, A, 2);
        assertArrayEquals(new long[] {ring + 6, ring}, read3.buffers(), "the free space wraps: both spans in one WSARecv");
        assertArrayEquals(new int[] {2, 3}, read3.lengths());
        Harness.SocketIo send2 = sendOn(h, B, 1);
        assertEquals("de", send2.text(), "the rest goes out from the head");
        h.completeSend(send2, 2); // "f" left at [5,6)
        h.settle();
        Harness.SocketIo send3 = sendOn(h, B, 2);
        assertEquals("f", send3.text());
        h.completeRecv(read3, "ghijk"); // "gh" at [6,8), "ijk" at [0,3)
        h.completeSend(send3, 1); // filled: [6,8) then [0,3)
        h.settle();
        Harness.SocketIo send4 = sendOn(h, B, 3);
        assertArrayEquals(new long[] {ring + 6, ring}, send4.buffers(), "the filled bytes wrap: both spans in one WSASend");
        assertEquals("ghijk", send4.text(), "in stream order across the wrap");
    }

    private static Harness.SocketIo recvOn(Harness h, long socket, int i) {
        return h.recvs.stream().filter(io -> io.handle() == socket).collect(Collectors.toList()).get(i);
    }

    private static Harness.SocketIo sendOn(Harness h, long socket, int i) {
        return h.sends.stream().filter(io -> io.handle() == socket).collect(Collectors.toList()).get(i);
    }

    @Test
    void userWritesQueuedBeforeTheRelayGoFirst() {
        Harness h = new Harness(true);
        StreamEntry a = h.attach(A);
        StreamEntry b = h.attach(B);
        b.write(StreamWriterTest.bytes("greeting"), null);
        Relay.open(h.loop, a, b, 16, new Events());
        h.settle();
        h.completeRead(readsOn(h, A).get(0), 0, "relayed");
        h.settle();
        assertEquals(List.of("greeting"), h.written, "the relay waits for the queued write");
        h.complete(h.write(0), 0, 8);
        h.settle();
        assertEquals(List.of("greeting", "relayed"), h.written);
    }

    private static NativeOp ringOf(Relay r, boolean ab) {
        Object pump = Harness.field(r, ab ? "ab" : "ba");
        return (NativeOp) Harness.field(pump, "ring");
    }
}
