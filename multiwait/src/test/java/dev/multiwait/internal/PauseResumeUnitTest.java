package dev.multiwait.internal;

import dev.multiwait.ReadRegistration;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/** pause()/resume() against the fake kernel: exact reads issued, the aborted read's bytes, no stray end. */
class PauseResumeUnitTest {
    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void pauseCancelsThePendingReadDeliversItsBytesAndResumeIssuesOne(boolean skip) {
        Harness h = new Harness(skip);
        Recorder rec = new Recorder();
        ReadRegistration reg = h.attach().read(16, rec);
        h.settle();
        Harness.Io io = h.read(0);
        reg.pause();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        h.completeRead(io, Win32Errors.ERROR_OPERATION_ABORTED, "tail");
        h.settle();
        assertEquals(List.of("data:tail"), rec.events, "the aborted read's bytes, and no end");
        assertTrue(reg.isActive());
        assertTrue(reg.isPaused());
        assertEquals(1, h.reads.size(), "no read while paused");
        reg.resume();
        h.settle();
        assertEquals(2, h.reads.size(), "resume issues one read");
        h.completeRead(h.read(1), 0, "more");
        h.settle();
        assertEquals(List.of("data:tail", "data:more"), rec.events);
        assertEquals(3, h.reads.size(), "reading goes on");
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void resumeBeforeTheAbortedPacketReadsOnOnceItComes(boolean skip) {
        Harness h = new Harness(skip);
        Recorder rec = new Recorder();
        ReadRegistration reg = h.attach().read(16, rec);
        h.settle();
        Harness.Io io = h.read(0);
        reg.pause();
        h.settle();
        reg.resume();
        h.settle();
        assertEquals(1, h.reads.size(), "never two reads in flight");
        h.completeRead(io, Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertEquals(List.of(), rec.events, "a pause's abort is not an end");
        assertEquals(2, h.reads.size());
        assertTrue(reg.isActive());
    }

    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void pauseFromOnDataStopsAtOnceAndCancelWhilePausedEndsAtOnce(boolean skip) {
        Harness h = new Harness(skip);
        ReadRegistration[] reg = new ReadRegistration[1];
        Recorder rec = new Recorder() {
            @Override
            public void onData(java.nio.ByteBuffer data) {
                super.onData(data);
                reg[0].pause();
            }
        };
        reg[0] = h.attach().read(16, rec);
        h.settle();
        h.completeRead(h.read(0), 0, "x");
        h.settle();
        assertEquals(1, h.reads.size(), "no read after a pause from onData");
        verify(h.win32, never()).cancelIoEx(anyLong(), anyLong());
        reg[0].cancel();
        h.settle();
        assertEquals(List.of("data:x", "close:CANCELLED"), rec.events);
        assertFalse(reg[0].isActive());
        assertEquals(0, h.loop.liveCount());
    }
}
