package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.Registration;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call that returns TRUE still queues a packet unless FILE_SKIP_COMPLETION_PORT_ON_SUCCESS took
 * effect: the library must dispatch such a result exactly once either way.
 */
class SkipOnSuccessTest {

    @Test
    void withSkipModeASynchronousSuccessIsDispatchedInlineExactlyOnce() {
        Harness h = new Harness(true);
        // TRUE, and (skip mode) the kernel queues no packet; the next read pends
        h.onRead(Harness.syncRead("hello", false));
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.read(16, rec);
        h.loop.runOnce(0);
        assertEquals(List.of("data:hello"), rec.events, "must not wait for a packet that never comes");
        assertEquals(0, h.port.queued());
        assertEquals(2, h.reads.size(), "next read issued after the inline dispatch");
        assertTrue(Harness.opOf(reg).isPending(), "the second read is the pending one");

        for (int i = 0; i < 5; i++) {
            h.loop.runOnce(0);
        }
        assertEquals(List.of("data:hello"), rec.events);
        assertEquals(2, h.reads.size());

        h.completeRead(h.read(1), 0, "next");
        h.settle();
        assertEquals(List.of("data:hello", "data:next"), rec.events);
    }

    @Test
    void withSkipModeSeveralSynchronousSuccessesInARowAreEachDispatchedOnce() {
        Harness h = new Harness(true);
        h.onRead(Harness.syncRead("a", false), Harness.syncRead("bb", false), Harness.syncRead("ccc", false),
                Harness.syncRead("", false));
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        assertEquals(List.of("data:a", "data:bb", "data:ccc", "close:COMPLETED"), rec.events);
        assertFalse(reg.isActive());
        assertEquals(4, h.reads.size());
        assertEquals(0, h.port.queued());
    }

    @Test
    void withoutSkipModeASynchronousSuccessWaitsForItsPacket() {
        Harness h = new Harness(false);
        List<Harness.Io> sync = new ArrayList<>();
        // TRUE: data is in the buffer, but this kernel's packet is held back to see who waits for it
        h.onRead((hh, io) -> {
            sync.add(io);
            return Harness.syncRead("hello", false).run(hh, io);
        });
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        for (int i = 0; i < 3; i++) {
            h.loop.runOnce(0);
        }
        assertTrue(rec.events.isEmpty(), "without skip mode TRUE means a packet will come: dispatch it then");
        assertEquals(1, h.reads.size(), "no new read before the packet");
        assertTrue(reg.isActive());

        Harness.Io io = sync.get(0);
        h.port.push(h.port.keyOf(io.handle()), io.overlapped(), 5);
        h.settle();
        assertEquals(List.of("data:hello"), rec.events);
        assertEquals(2, h.reads.size());
        for (int i = 0; i < 5; i++) {
            h.loop.runOnce(0);
        }
        assertEquals(List.of("data:hello"), rec.events, "dispatched twice");
    }

    @Test
    void withoutSkipModeTrueAndItsPacketInTheSameTurnDispatchOnce() {
        Harness h = new Harness(false);
        h.onRead(Harness.syncRead("one", true), Harness.syncRead("two", true));
        List<Throwable> errors = new ArrayList<>();
        h.loop.setErrorHandler((r, t) -> errors.add(t));
        Recorder rec = new Recorder();
        h.attach().read(16, rec);
        h.settle();
        assertEquals(List.of(), errors, "every packet must find the operation it belongs to");
        assertEquals(List.of("data:one", "data:two"), rec.events);
        assertEquals(3, h.reads.size());
        assertEquals(0, h.port.queued());
    }

    @Test
    void withoutSkipModeAnEndOfStreamReturnedTrueEndsOnItsPacketOnly() {
        Harness h = new Harness(false);
        h.onRead(Harness.syncRead("", false));
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(16, rec);
        h.settle();
        assertTrue(reg.isActive());
        assertTrue(Harness.opAllocated(reg));
        Harness.Io io = h.read(0);
        h.port.push(h.port.keyOf(io.handle()), io.overlapped(), 0);
        h.settle();
        assertEquals(List.of("close:COMPLETED"), rec.events);
        assertEquals(CloseReason.COMPLETED, rec.reason);
    }

    @Test
    void withSkipModeShortSynchronousWritesAreEachHandledOnce() {
        Harness h = new Harness(true);
        h.onWrite(Harness.syncWrote(4, false), Harness.syncWrote(3, false));
        StreamEntry s = h.attach();
        List<String> done = new ArrayList<>();
        s.write(java.nio.ByteBuffer.wrap("abcdefg".getBytes()), (n, e) -> done.add(n + ":" + e));
        h.settle();
        assertEquals(List.of("7:null"), done);
        assertEquals(List.of("abcdefg", "efg"), h.written);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void withoutSkipModeSynchronousWritesWaitForTheirPackets() {
        Harness h = new Harness(false);
        h.onWrite(Harness.syncWrote(7, false));
        StreamEntry s = h.attach();
        List<String> done = new ArrayList<>();
        s.write(java.nio.ByteBuffer.wrap("abcdefg".getBytes()), (n, e) -> done.add(n + ":" + e));
        s.write(java.nio.ByteBuffer.wrap("h".getBytes()), (n, e) -> done.add(n + ":" + e));
        h.settle();
        assertTrue(done.isEmpty());
        assertEquals(1, h.writes.size());
        Harness.Io io = h.write(0);
        h.port.push(h.port.keyOf(io.handle()), io.overlapped(), 7);
        h.settle();
        assertEquals(List.of("7:null"), done);
        assertEquals(List.of("abcdefg", "h"), h.written);
        h.complete(h.write(1), 0, 1);
        h.settle();
        assertEquals(List.of("7:null", "1:null"), done);
    }
}
