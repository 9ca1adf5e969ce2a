package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;

/** What a connect's listener hears, in order, as the README and ConnectListener document it. */
class ConnectCompletionTest {
    @Test
    void aSuccessfulConnectIsOnConnectedThenOnCloseCompletedAndTheSocketStaysOpen() {
        AcceptFailureTest.Rig r = new AcceptFailureTest.Rig();
        List<Long> connectOverlapped = Collections.synchronizedList(new ArrayList<>());
        List<Long> connectSocket = Collections.synchronizedList(new ArrayList<>());
        doAnswer(i -> {
            connectSocket.add(i.getArgument(1));
            connectOverlapped.add(i.getArgument(7));
            r.h.lastError = dev.multiwait.win32.Win32Errors.ERROR_IO_PENDING;
            return false;
        }).when(r.w).connectEx(anyLong(), anyLong(), anyLong(), anyInt(), anyLong(), anyInt(), anyLong(), anyLong());
        Recorder rec = new Recorder();
        SocketConnect.open(r.h.loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), rec);
        r.h.settle();
        long socket = connectSocket.get(0);
        r.h.setResult(connectOverlapped.get(0), 0, 0);
        r.h.port.push(r.h.port.keyOf(socket), connectOverlapped.get(0), 0);
        r.h.settle();
        assertEquals(List.of("connected:0x" + Long.toHexString(socket), "close:COMPLETED"), rec.events);
        assertEquals(List.of(), r.closedSockets.stream().filter(s -> s == socket).toList(), "the socket is the listener's");
    }
}
