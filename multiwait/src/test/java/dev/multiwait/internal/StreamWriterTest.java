package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class StreamWriterTest {
    /** Records each write's outcome as "name:written:error". */
    static final class Outcomes {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final List<MultiWaitException> errors = Collections.synchronizedList(new ArrayList<>());

        WriteListener named(String name) {
            return (written, error) -> {
                log.add(name + ":" + written + ":" + (error == null ? "ok" : error.win32Error()));
                if (error != null) {
                    errors.add(error);
                }
            };
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void writesGoOutInOrderOneInFlight(boolean skip) {
        Harness h = new Harness(skip);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("first"), out.named("a"));
        s.write(bytes("second"), out.named("b"));
        s.write(bytes("third!"), out.named("c"));
        assertEquals(3, h.loop.liveCount(), "queued writes keep the loop alive");
        h.settle();
        assertEquals(1, h.writes.size(), "one WriteFile in flight");
        assertEquals(List.of("first"), h.written);

        h.complete(h.write(0), 0, 5);
        h.settle();
        assertEquals(List.of("a:5:ok"), out.log);
        assertEquals(List.of("first", "second"), h.written);
        h.complete(h.write(1), 0, 6);
        h.settle();
        h.complete(h.write(2), 0, 6);
        h.settle();
        assertEquals(List.of("a:5:ok", "b:6:ok", "c:6:ok"), out.log);
        assertEquals(List.of("first", "second", "third!"), h.written);
        assertEquals(0, h.loop.liveCount());
        for (Harness.Io io : h.writes) {
            assertEquals(H, io.handle());
        }
    }

    @Test
    void theCallersBufferIsCopiedAtOnce() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        ByteBuffer data = bytes("xxpayloadyy");
        data.position(2).limit(9);
        s.write(data, null);
        assertEquals(9, data.position(), "the write consumes position..limit");
        data.clear();
        data.put("ZZZZZZZZZZZ".getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        direct.put("dir!".getBytes(StandardCharsets.ISO_8859_1)).flip();
        s.write(direct, null);
        h.settle();
        h.complete(h.write(0), 0, 7);
        h.settle();
        assertEquals(List.of("payload", "dir!"), h.written);
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void aShortWriteReissuesTheRemainder(boolean skip) {
        Harness h = new Harness(skip);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("hello world"), out.named("a"));
        s.write(bytes("next"), out.named("b"));
        h.settle();
        Harness.Io first = h.write(0);
        assertEquals(11, first.length());
        h.complete(first, 0, 5);
        h.settle();
        assertTrue(out.log.isEmpty(), "a short write is not finished");
        assertEquals(2, h.writes.size());
        Harness.Io rest = h.write(1);
        assertEquals(first.buffer() + 5, rest.buffer());
        assertEquals(6, rest.length());
        assertEquals(" world", h.written.get(1));
        assertEquals(first.overlapped(), rest.overlapped());
        assertEquals(5, new com.sun.jna.Pointer(rest.overlapped()).getInt(16), "file offset follows the bytes written");

        h.complete(rest, 0, 6);
        h.settle();
        assertEquals(List.of("a:11:ok"), out.log);
        assertEquals("next", h.written.get(2));
    }

    @Test
    void anErrorFailsTheWriteAndEverythingQueuedBehindIt() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("aaaa"), out.named("a"));
        s.write(bytes("bb"), out.named("b"));
        s.write(bytes("c"), out.named("c"));
        h.settle();
        h.complete(h.write(0), Win32Errors.ERROR_NO_DATA, 0);
        h.settle();
        assertEquals(List.of("a:0:232", "b:0:232", "c:0:232"), out.log);
        assertEquals(1, h.writes.size(), "nothing written after the failure");
        MultiWaitException e = out.errors.get(0);
        assertEquals(H, e.handle());
        assertTrue(e.getMessage().contains("WriteFile"), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR_NO_DATA"), e.getMessage());
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aWriteThatFailsPartwayReportsWhatWasWritten() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("0123456789"), out.named("a"));
        h.settle();
        h.complete(h.write(0), 0, 4);
        h.settle();
        h.complete(h.write(1), Win32Errors.ERROR_NO_DATA, 0);
        h.settle();
        assertEquals(List.of("a:4:232"), out.log);
    }

    @Test
    void anImmediateWriteFileFailureFailsWithoutAPacket() {
        Harness h = new Harness(false);
        h.onWrite(Harness.failNow(Win32Errors.ERROR_NO_DATA));
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("abc"), out.named("a"));
        s.write(bytes("d"), out.named("b"));
        h.loop.runOnce(0);
        assertEquals(List.of("a:0:232", "b:0:232"), out.log);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void closeAbortsTheWriteInFlightAndFailsTheQueuedOnes() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("inflight"), out.named("a"));
        s.write(bytes("queued"), out.named("b"));
        h.settle();
        Harness.Io io = h.write(0);
        s.close();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        verify(h.win32, never()).closeHandle(H);
        assertTrue(out.log.isEmpty(), "the write in flight ends with its packet");

        h.complete(io, Win32Errors.ERROR_OPERATION_ABORTED, 0);
        h.settle();
        assertEquals(List.of("a:0:995", "b:0:995"), out.log);
        assertEquals(1, h.writes.size());
        verify(h.win32, times(1)).closeHandle(H);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aWriteThatRacesWithCloseFailsWithoutReachingWriteFile() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        h.loop.execute(s::cancelForClose); // close already queued on the loop when the write's task lands
        s.write(bytes("too late"), out.named("a"));
        h.settle();
        assertEquals(List.of("a:0:995"), out.log);
        assertEquals(0, h.writes.size());
        verify(h.win32, times(1)).closeHandle(H);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void aWriteCompletedDespiteTheAbortStillSucceeds() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        s.write(bytes("done"), out.named("a"));
        s.write(bytes("later"), out.named("b"));
        h.settle();
        s.close();
        h.settle();
        // the cancel lost the race: the write had completed
        h.complete(h.write(0), 0, 4);
        h.settle();
        assertEquals(List.of("a:4:ok", "b:0:995"), out.log);
        assertEquals(1, h.writes.size());
        verify(h.win32, times(1)).closeHandle(H);
    }

    @Test
    void aThrowingWriteListenerIsReportedAndTheQueueGoesOn() {
        Harness h = new Harness(true);
        List<Throwable> reported = new ArrayList<>();
        h.loop.setErrorHandler((r, t) -> reported.add(t));
        StreamEntry s = h.attach();
        Outcomes out = new Outcomes();
        RuntimeException boom = new RuntimeException("boom");
        s.write(bytes("a"), (n, e) -> {
            throw boom;
        });
        s.write(bytes("b"), out.named("b"));
        h.settle();
        h.complete(h.write(0), 0, 1);
        h.settle();
        assertEquals(1, reported.size());
        assertSame(boom, reported.get(0));
        h.complete(h.write(1), 0, 1);
        h.settle();
        assertEquals(List.of("b:1:ok"), out.log);
        assertNotNull(h.loop);
        verify(h.win32, never()).cancelIoEx(anyLong(), anyLong());
    }
}
