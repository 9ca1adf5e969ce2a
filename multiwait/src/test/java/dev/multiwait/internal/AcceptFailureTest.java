package dev.multiwait.internal;

import dev.multiwait.AcceptListener;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.when;

/**
 * How a listener classifies a failed accept, over a fake kernel: a lost connection (Wine's 59, the
 * Windows 64/1236/10053/10054 family, anything else a packet reports) goes to onAcceptFailed and the
 * accept is posted again; a shortage of sockets is retried after a back-off; only errors about the
 * listening socket itself end the listener.
 */
class AcceptFailureTest {
    static final long LISTENER = 0x3000;

    /** A listener over the harness's fake kernel: AcceptEx calls are recorded and left pending. */
    static final class Rig implements AcceptListener {
        final Harness h = new Harness(false);
        final Win32 w = h.win32;
        final List<long[]> acceptExCalls = Collections.synchronizedList(new ArrayList<>()); // {acceptSocket, overlapped}
        final List<Long> closedSockets = Collections.synchronizedList(new ArrayList<>());
        final List<Long> socketAttempts = Collections.synchronizedList(new ArrayList<>()); // nanoTime of each WSASocketW
        final ArrayDeque<Integer> socketFailures = new ArrayDeque<>();
        final ArrayDeque<Integer> immediateAcceptErrors = new ArrayDeque<>();
        final List<MultiWaitException> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
        volatile CloseReason reason;
        volatile Exception error;
        private final AtomicLong nextSocket = new AtomicLong(0x4000);
        final SocketServer server;

        Rig() {
            when(w.wsaStartup()).thenReturn(0);
            doAnswer(i -> {
                socketAttempts.add(System.nanoTime());
                if (socketAttempts.size() == 1) {
                    return LISTENER;
                }
                Integer e;
                synchronized (socketFailures) {
                    e = socketFailures.poll();
                }
                if (e != null) {
                    h.lastError = e;
                    return Win32.INVALID_SOCKET;
                }
                return nextSocket.addAndGet(4);
            }).when(w).wsaSocket(anyInt(), anyInt(), anyInt(), anyInt());
            when(w.bind(anyLong(), anyLong(), anyInt())).thenReturn(true);
            when(w.listen(anyLong(), anyInt())).thenReturn(true);
            doAnswer(i -> {
                int len = Winsock.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4321), i.getArgument(1));
                new com.sun.jna.Pointer(i.getArgument(2)).setInt(0, len);
                return true;
            }).when(w).getSockName(anyLong(), anyLong(), anyLong());
            when(w.setSockOpt(anyLong(), anyInt(), anyInt(), anyLong(), anyInt())).thenReturn(true);
            when(w.getSockOpt(anyLong(), anyInt(), eq(Winsock.SO_TYPE), anyLong(), anyLong())).thenReturn(true);
            doAnswer(i -> {
                closedSockets.add(i.getArgument(0));
                return true;
            }).when(w).closeSocket(anyLong());
            when(w.extensionFunction(anyLong(), anyInt())).thenAnswer(i -> 0x7f00L + (int) i.getArgument(1));
            doAnswer(i -> {
                acceptExCalls.add(new long[] {i.getArgument(2), i.getArgument(8)});
                Integer e;
                synchronized (immediateAcceptErrors) {
                    e = immediateAcceptErrors.poll();
                }
                h.lastError = e != null ? e : Win32Errors.ERROR_IO_PENDING;
                return false;
            }).when(w).acceptEx(anyLong(), anyLong(), anyLong(), anyLong(), anyInt(), anyInt(), anyInt(), anyLong(), anyLong());
            // no peer address: GetAcceptExSockaddrs writes null pointers
            doAnswer(i -> {
                new com.sun.jna.Pointer(i.getArgument(5)).setLong(0, 0);
                new com.sun.jna.Pointer(i.getArgument(7)).setLong(0, 0);
                return null;
            }).when(w).getAcceptExSockaddrs(anyLong(), anyLong(), anyInt(), anyInt(), anyInt(), anyLong(), anyLong(),
                    anyLong(), anyLong());
            // a cancelled accept completes with 995, as the kernel does
            doAnswer(i -> {
                complete(i.getArgument(1), Win32Errors.ERROR_OPERATION_ABORTED);
                return true;
            }).when(w).cancelIoEx(eq(LISTENER), anyLong());
            server = SocketListener.open(h.loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, 1, this);
        }

        void complete(long overlapped, int win32Error) {
            h.setResult(overlapped, win32Error, 0);
            h.port.push(h.port.keyOf(LISTENER), overlapped, 0);
        }

        long[] lastAccept() {
            return acceptExCalls.get(acceptExCalls.size() - 1);
        }

        void until(BooleanSupplier done, String what) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!done.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
                h.loop.runOnce(20);
            }
        }

        @Override
        public void onAccepted(SocketServer s, StreamHandle socket, InetSocketAddress peer) {
            accepted.add(socket.handle());
        }

        @Override
        public void onAcceptFailed(SocketServer s, MultiWaitException e) {
            failures.add(e);
        }

        @Override
        public void onClose(CloseReason r, Exception e) {
            reason = r;
            error = e;
        }
    }

    @Test
    void aConnectionLostBeforeItsAcceptCompletedIsReportedAndTheAcceptPostedAgain() {
        Rig r = new Rig();
        r.h.settle();
        // 59: Wine's reset; 64, 1236, 10053, 10054: the Windows family; 121 and 1234 (port unreachable): anything
        // else a packet reports is about that connection; 996: a packet whose result was never written
        int[] errors = {59, 64, 1236, 10053, 10054, 10052, 10060, 121, 1234, Win32Errors.ERROR_IO_INCOMPLETE};
        for (int i = 0; i < errors.length; i++) {
            long[] pending = r.lastAccept();
            if (errors[i] == Win32Errors.ERROR_IO_INCOMPLETE) {
                new com.sun.jna.Pointer(pending[1]).setInt(0, NativeOp.STATUS_PENDING); // no result written
                r.h.port.push(r.h.port.keyOf(LISTENER), pending[1], 0);
            } else {
                r.complete(pending[1], errors[i]);
            }
            r.h.settle();
            assertEquals(i + 1, r.failures.size(), "error " + errors[i] + " reported");
            MultiWaitException e = r.failures.get(i);
            assertEquals(errors[i], e.win32Error());
            assertEquals(LISTENER, e.handle());
            assertTrue(e.getMessage().startsWith("AcceptEx on "), e.getMessage());
            assertTrue(r.closedSockets.contains(pending[0]), "the failed accept's socket is closed");
            assertEquals(i + 2, r.acceptExCalls.size(), "a new accept is posted after " + errors[i]);
            assertTrue(r.server.isActive());
        }
        assertTrue(r.failures.get(0).getMessage().contains("(ERROR_UNEXP_NET_ERR)"), r.failures.get(0).getMessage());
        // and the listener still accepts
        r.complete(r.lastAccept()[1], 0);
        r.h.settle();
        assertEquals(List.of(r.acceptExCalls.get(errors.length)[0]), r.accepted);
        assertNull(r.reason);
    }

    @Test
    void anImmediateResetIsAConnectionLostButAnImmediateUnknownErrorEndsTheListener() {
        Rig r = new Rig();
        r.immediateAcceptErrors.add(10054);
        r.h.settle();
        assertEquals(1, r.failures.size());
        assertEquals(10054, r.failures.get(0).win32Error());
        assertEquals(2, r.acceptExCalls.size(), "posted again after an immediate reset");
        assertTrue(r.server.isActive());

        r.immediateAcceptErrors.add(1234);
        r.complete(r.lastAccept()[1], 10054); // another lost connection, then the new AcceptEx fails at once
        r.h.settle();
        assertEquals(2, r.failures.size());
        assertFalse(r.server.isActive());
        assertEquals(CloseReason.FAILED, r.reason);
        assertEquals(1234, ((MultiWaitException) r.error).win32Error());
    }

    @Test
    void errorsAboutTheListeningSocketItselfEndTheListenerWithoutAnAcceptFailure() {
        for (int error : new int[] {Win32Errors.ERROR_OPERATION_ABORTED, Win32Errors.ERROR_HANDLES_CLOSED, 10038, 10022,
                Win32Errors.ERROR_INVALID_HANDLE}) {
            Rig r = new Rig();
            r.h.settle();
            r.complete(r.lastAccept()[1], error);
            r.h.settle();
            assertFalse(r.server.isActive(), "error " + error);
            assertEquals(CloseReason.FAILED, r.reason);
            MultiWaitException e = (MultiWaitException) r.error;
            assertEquals(error, e.win32Error());
            assertTrue(e.getMessage().startsWith("AcceptEx on "), e.getMessage());
            assertEquals(List.of(), r.failures);
            assertEquals(1, r.acceptExCalls.size(), "not posted again");
            assertTrue(r.closedSockets.contains(LISTENER), "the listening socket is closed");
        }
    }

    @Test
    void aFailedReplacementSocketIsRetriedWithAGrowingBackOffWithoutSpinningTheLoop() {
        Rig r = new Rig();
        r.h.settle();
        assertEquals(1, r.acceptExCalls.size());
        synchronized (r.socketFailures) {
            r.socketFailures.add(10055); // WSAENOBUFS
            r.socketFailures.add(10024); // WSAEMFILE
            r.socketFailures.add(1450); // ERROR_NO_SYSTEM_RESOURCES
        }
        r.complete(r.lastAccept()[1], 0);
        int dequeuesBefore = r.h.port.dequeueCalls();
        long start = System.nanoTime();
        r.until(() -> r.acceptExCalls.size() == 2, "the accept posted again once sockets can be made");
        int dequeues = r.h.port.dequeueCalls() - dequeuesBefore;
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.accepted.size(), "the connection that came before the shortage was handed over");
        assertEquals(List.of(10055, 10024, 1450), r.failures.stream().map(MultiWaitException::win32Error).toList());
        for (MultiWaitException e : r.failures) {
            assertTrue(e.getMessage().startsWith("WSASocketW(AF_INET) for an accept on "), e.getMessage());
            assertTrue(e.getMessage().contains("posted again after a back-off"), e.getMessage());
        }
        assertTrue(r.server.isActive());
        // attempts: the listener's socket, the first accept's, the failed three, the one that worked;
        // waits of >= 10, 20, 40 ms after each failure
        List<Long> t = r.socketAttempts;
        assertEquals(6, t.size());
        long[] minimumMillis = {10, 20, 40};
        for (int i = 0; i < 3; i++) {
            long waited = (t.get(i + 3) - t.get(i + 2)) / 1_000_000;
            assertTrue(waited >= minimumMillis[i], "retry " + (i + 1) + " after " + waited + " ms");
        }
        // the loop waited in 20 ms turns (woken by the retries), it did not poll
        assertTrue(dequeues <= elapsedMillis / 20 + 10, dequeues + " dequeues in " + elapsedMillis + " ms of back-off");
        assertEquals(80L, Harness.field(Harness.field(r.server, "backOff"), "nextMillis"), "the next back-off after 10, 20, 40 ms");

        // a successful accept resets the back-off
        synchronized (r.socketFailures) {
            r.socketFailures.add(10055);
        }
        r.complete(r.lastAccept()[1], 0);
        r.until(() -> r.acceptExCalls.size() == 3, "the accept posted again");
        assertEquals(20L, Harness.field(Harness.field(r.server, "backOff"), "nextMillis"), "back-off restarted from 10 ms, not 80");
        assertEquals(4, r.failures.size());
    }

    @Test
    void aListenerClosedWhileItsAcceptsWaitOutABackOffEndsCancelledAndTheRetryDoesNothing() {
        Rig r = new Rig();
        // the test moves the clock: on the real one a descheduled test thread let the 10 ms retry fire before close
        AtomicLong now = new AtomicLong();
        r.h.loop.clock(now::get);
        r.h.settle();
        synchronized (r.socketFailures) {
            r.socketFailures.add(10055);
        }
        r.complete(r.lastAccept()[1], 0);
        r.h.settle();
        assertEquals(1, r.failures.size());
        Object backOff = Harness.field(r.server, "backOff");
        assertEquals(true, Harness.field(backOff, "scheduled"), "the retry waits on the timer when the listener closes");
        r.server.close();
        r.h.settle();
        assertFalse(r.server.isActive());
        assertEquals(CloseReason.CANCELLED, r.reason);
        int sockets = r.socketAttempts.size();
        now.addAndGet(AcceptBackOff.MAX_MILLIS * 1_000_000); // the retry fires: the listener has ended, so nothing is posted
        r.h.settle();
        assertEquals(false, Harness.field(backOff, "scheduled"), "the retry ran");
        assertEquals(sockets, r.socketAttempts.size());
        assertEquals(1, r.acceptExCalls.size(), "only the first accept was ever posted");
    }

    @Test
    void aShortageWhenPostingTheFirstAcceptsIsRetriedToo() {
        Rig r = new Rig();
        synchronized (r.socketFailures) {
            r.socketFailures.add(10055);
        }
        r.until(() -> r.acceptExCalls.size() == 1, "the first accept posted after the back-off");
        assertEquals(1, r.failures.size());
        assertTrue(r.server.isActive());
        assertEquals(0, r.h.loop.table().size() - 1, "only the listener is in the key table");
    }

    @Test
    void eachListenerCallsTheAcceptExItsOwnSocketsProviderGave() {
        Rig r = new Rig();
        // a second listener whose socket's provider (a layered one, say) has its own AcceptEx
        long other = 0x5000;
        when(r.w.wsaSocket(anyInt(), anyInt(), anyInt(), anyInt())).thenReturn(other, 0x5004L, 0x5008L);
        when(r.w.extensionFunction(eq(other), anyInt())).thenAnswer(i -> 0x9900L + (int) i.getArgument(1));
        SocketListener.open(r.h.loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, 1, r);
        r.h.settle();
        org.mockito.Mockito.verify(r.w).acceptEx(eq(0x7f00L + Win32.ACCEPT_EX), eq(LISTENER), anyLong(), anyLong(),
                anyInt(), anyInt(), anyInt(), anyLong(), anyLong());
        org.mockito.Mockito.verify(r.w).acceptEx(eq(0x9900L + Win32.ACCEPT_EX), eq(other), anyLong(), anyLong(),
                anyInt(), anyInt(), anyInt(), anyLong(), anyLong());
    }

    @Test
    void aProviderWithoutAcceptExIsRefusedAtListenNamingTheCallAndLeavesNothingOpen() {
        Rig r = new Rig();
        r.h.settle();
        int live = r.h.loop.liveCount();
        long other = 0x5000;
        when(r.w.wsaSocket(anyInt(), anyInt(), anyInt(), anyInt())).thenReturn(other);
        when(r.w.extensionFunction(eq(other), eq(Win32.GET_ACCEPT_EX_SOCKADDRS))).thenAnswer(i -> {
            r.h.lastError = 10045; // WSAEOPNOTSUPP
            return 0L;
        });
        MultiWaitException e = org.junit.jupiter.api.Assertions.assertThrows(MultiWaitException.class, () ->
                SocketListener.open(r.h.loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, 1, r));
        assertEquals(10045, e.win32Error());
        assertEquals(other, e.handle());
        assertTrue(e.getMessage().startsWith("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, GetAcceptExSockaddrs)"),
                e.getMessage());
        assertTrue(r.closedSockets.contains(other), "its socket is closed");
        assertEquals(live, r.h.loop.liveCount(), "nothing registered");
    }

    @Test
    void classification() {
        assertEquals(AcceptFailures.CONNECTION, AcceptFailures.of(59, false));
        assertEquals(AcceptFailures.CONNECTION, AcceptFailures.of(59, true));
        assertEquals(AcceptFailures.CONNECTION, AcceptFailures.of(10054, true));
        assertEquals(AcceptFailures.CONNECTION, AcceptFailures.of(1236, true));
        assertEquals(AcceptFailures.CONNECTION, AcceptFailures.of(31, false));
        assertEquals(AcceptFailures.LISTENER, AcceptFailures.of(31, true));
        assertEquals(AcceptFailures.RETRY_LATER, AcceptFailures.of(10055, true));
        assertEquals(AcceptFailures.RETRY_LATER, AcceptFailures.of(10055, false));
        assertEquals(AcceptFailures.LISTENER, AcceptFailures.of(995, false));
        assertEquals(AcceptFailures.LISTENER, AcceptFailures.of(10038, false));
    }
}
