package dev.multiwait.internal;

import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** shutdownOutput(): after the queued writes; a pipe closes once nothing reads it, a socket gets shutdown(SD_SEND). */
class HalfCloseTest {
    @Test
    void aPipeHalfCloseWaitsForTheQueuedWritesThenClosesTheHandle() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        List<String> log = new ArrayList<>();
        s.write(StreamWriterTest.bytes("last words"), (n, e) -> log.add("wrote " + n));
        s.shutdownOutput((n, e) -> log.add("shut " + n + " " + e));
        assertThrows(IllegalStateException.class, () -> s.write(StreamWriterTest.bytes("x"), null));
        h.settle();
        assertEquals(List.of(), log);
        verify(h.win32, never()).closeHandle(anyLong());
        h.complete(h.write(0), 0, 10);
        h.settle();
        assertEquals(List.of("wrote 10", "shut 0 null"), log);
        verify(h.win32).closeHandle(H);
        assertEquals(0, h.loop.liveCount());
        assertThrows(IllegalStateException.class, () -> s.read(10, new Recorder()), "the handle is closed now");
    }

    @Test
    void aDuplexPipeBeingReadClosesWhenItsReadEnds() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Recorder r = new Recorder();
        s.read(16, r);
        s.shutdownOutput();
        h.settle();
        verify(h.win32, never()).closeHandle(anyLong());
        h.completeRead(h.read(0), 0, "still coming");
        h.settle();
        h.completeRead(h.lastRead(), Win32Errors.ERROR_BROKEN_PIPE, "");
        h.settle();
        assertEquals(List.of("data:still coming", "close:COMPLETED"), r.events);
        verify(h.win32).closeHandle(H);
    }

    @Test
    void aSocketHalfCloseIsShutdownSdSendAndReadingGoesOn() {
        Harness h = new Harness(true);
        when(h.win32.shutdown(anyLong(), anyInt())).thenReturn(true);
        StreamEntry s = AttachedStream.attachSocket(h.loop, H);
        List<String> log = new ArrayList<>();
        s.shutdownOutput((n, e) -> log.add("shut " + e));
        h.settle();
        verify(h.win32).shutdown(H, Winsock.SD_SEND);
        assertEquals(List.of("shut null"), log);
        verify(h.win32, never()).closeSocket(anyLong());
        s.close();
        h.settle();
        verify(h.win32).closeSocket(H);
        verify(h.win32, never()).closeHandle(H);
    }

    @Test
    void aFailedShutdownIsReportedWithTheCall() {
        Harness h = new Harness(true);
        when(h.win32.shutdown(anyLong(), anyInt())).thenReturn(false);
        h.lastError = 10057;
        StreamEntry s = AttachedStream.attachSocket(h.loop, H);
        List<String> log = new ArrayList<>();
        s.shutdownOutput((n, e) -> log.add(e.getMessage()));
        h.settle();
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains("shutdown(SD_SEND)") && log.get(0).contains("10057"), log.get(0));
    }
}
