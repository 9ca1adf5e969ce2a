package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** connect with a timeout: cancelled on expiry, TIMED_OUT once the aborted packet is back; a timer, no thread. */
class ConnectTimeoutTest {
    private static final long MS = 1_000_000L;
    private final AcceptFailureTest.Rig r = new AcceptFailureTest.Rig();
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final List<Long> overlapped = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> sockets = Collections.synchronizedList(new ArrayList<>());
    private final Recorder rec = new Recorder();

    ConnectTimeoutTest() {
        r.h.loop.clock(now::get);
        doAnswer(i -> {
            sockets.add(i.getArgument(1));
            overlapped.add(i.getArgument(7));
            r.h.lastError = Win32Errors.ERROR_IO_PENDING;
            return false;
        }).when(r.w).connectEx(anyLong(), anyLong(), anyLong(), anyInt(), anyLong(), anyInt(), anyLong(), anyLong());
        SocketConnect.open(r.h.loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), 100 * MS, rec);
        r.h.settle();
    }

    @Test
    void anUnansweredConnectIsCancelledAtItsTimeoutAndEndsTimedOutOnceItsPacketIsBack() {
        long socket = sockets.get(0);
        now.addAndGet(100 * MS - 1);
        r.h.settle();
        verify(r.w, never()).cancelIoEx(socket, overlapped.get(0));
        now.addAndGet(1);
        r.h.settle();
        verify(r.w, times(1)).cancelIoEx(socket, overlapped.get(0));
        assertEquals(List.of(), rec.events, "not over before the kernel gives the OVERLAPPED back");
        r.h.setResult(overlapped.get(0), Win32Errors.ERROR_OPERATION_ABORTED, 0);
        r.h.port.push(r.h.port.keyOf(socket), overlapped.get(0), 0);
        r.h.settle();
        assertEquals(List.of("close:TIMED_OUT"), rec.events);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, rec.error);
        assertEquals(10060, e.win32Error());
        assertTrue(e.getMessage().contains("connect timeout of 100 ms"), e.getMessage());
        assertTrue(r.closedSockets.contains(socket), "the socket is closed");
    }

    @Test
    void aConnectThatSucceedsInTimeTakesItsTimerOffTheHeap() {
        assertEquals(1, r.h.loop.timerCount());
        r.h.setResult(overlapped.get(0), 0, 0);
        r.h.port.push(r.h.port.keyOf(sockets.get(0)), overlapped.get(0), 0);
        r.h.settle();
        assertEquals(CloseReason.COMPLETED, rec.reason);
        assertEquals(0, r.h.loop.timerCount());
        now.addAndGet(1000 * MS);
        r.h.settle();
        verify(r.w, never()).cancelIoEx(anyLong(), anyLong());
    }
}
