package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.multiwait.internal.Harness.H;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

class PipeConnectTest {

    @Test
    void pipeConnected535CountsAsConnectedAtOnceWithNoPacket() {
        Harness h = new Harness(false);
        h.onConnect(Harness.failNow(Win32Errors.ERROR_PIPE_CONNECTED));
        int abandoned = NativeOp.abandonedCount();
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.connect(rec);
        h.loop.runOnce(0);
        assertEquals(List.of("connected:0x" + Long.toHexString(H), "close:COMPLETED"), rec.events);
        assertNull(rec.error);
        assertFalse(reg.isActive());
        assertEquals(0, h.port.queued());
        assertEquals(0, h.loop.liveCount());
        assertFalse(Harness.opAllocated(reg), "no packet will come: the OVERLAPPED is freed");
        assertEquals(abandoned, NativeOp.abandonedCount());
        verify(h.win32, never()).cancelIoEx(anyLong(), anyLong());
        verify(h.win32).connectNamedPipe(H, h.connects.get(0).overlapped());
    }

    @Test
    void aPendingConnectCompletesWithItsPacket() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.connect(rec);
        h.settle();
        assertTrue(rec.events.isEmpty());
        assertTrue(reg.isActive());
        assertThrows(IllegalStateException.class, () -> s.connect(new Recorder()));
        h.complete(h.connects.get(0), 0, 0);
        h.settle();
        assertEquals(List.of("connected:0x" + Long.toHexString(H), "close:COMPLETED"), rec.events);
        assertFalse(reg.isActive());
    }

    @Test
    void cancellingAPendingConnectWaitsForTheAbortedPacket() {
        Harness h = new Harness(true);
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        Registration reg = s.connect(rec);
        h.settle();
        Harness.Io io = h.connects.get(0);
        reg.cancel();
        h.settle();
        verify(h.win32).cancelIoEx(H, io.overlapped());
        assertTrue(reg.isActive());
        assertTrue(Harness.opAllocated(reg));
        h.complete(io, Win32Errors.ERROR_OPERATION_ABORTED, 0);
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertFalse(reg.isActive());
    }

    @Test
    void aConnectFailureNamesTheCall() {
        Harness h = new Harness(true);
        h.onConnect(Harness.failNow(Win32Errors.ERROR_NO_DATA));
        Recorder rec = new Recorder();
        Registration reg = h.attach().connect(rec);
        h.loop.runOnce(0);
        assertEquals(List.of("close:FAILED"), rec.events);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, rec.error);
        assertEquals(232, e.win32Error());
        assertTrue(e.getMessage().contains("ConnectNamedPipe"), e.getMessage());
        assertFalse(reg.isActive());
    }
}
