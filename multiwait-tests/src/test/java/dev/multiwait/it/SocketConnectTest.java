package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.multiwait.it.BridgeTestSupport.runGuarded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ConnectEx: both families, half-close both ways, refused, cancelled, bad input; no socket left open. */
class SocketConnectTest {
    /** Records the connected socket and how the connect ended. */
    static final class Connecting extends Net.End implements ConnectListener {
        volatile StreamHandle socket;
        Runnable then = () -> { };

        @Override
        public void onConnected(StreamHandle socket) {
            this.socket = socket;
            then.run();
        }
    }

    @Test
    void connectAndHalfCloseEachWayOverIpv4AndIpv6() {
        for (InetSocketAddress bind : List.of(Net.loopback4(0), Net.loopback6(0))) {
            Net.TrackingWin32 win32 = new Net.TrackingWin32();
            byte[] request = Pipes.randomBytes(1, 200_000);
            byte[] reply = Pipes.randomBytes(2, 300_000);
            Pipes.Collector atServer = new Pipes.Collector();
            Pipes.Collector atClient = new Pipes.Collector();
            List<String> order = new ArrayList<>();
            Connecting c = new Connecting();
            try (MultiHandleWait wait = Waiters.create(win32, 64)) {
                SocketServer server = wait.listen(bind, (srv, s, peer) -> {
                    srv.close();
                    // The server reads the whole request (the client half-closes), and only then replies:
                    // its output still works after its input ended.
                    s.read(16 * 1024, new dev.multiwait.ReadListener() {
                        @Override
                        public void onData(ByteBuffer data) {
                            atServer.onData(data);
                        }

                        @Override
                        public void onClose(CloseReason reason, Exception error) {
                            atServer.onClose(reason, error);
                            order.add("server saw end of request");
                            s.write(ByteBuffer.wrap(reply), null);
                            s.shutdownOutput((n, e) -> {
                                order.add("server half-closed");
                                assertNull(e);
                                s.close();
                            });
                        }
                    });
                });
                c.then = () -> {
                    StreamHandle s = c.socket;
                    s.read(16 * 1024, new dev.multiwait.ReadListener() {
                        @Override
                        public void onData(ByteBuffer data) {
                            atClient.onData(data);
                        }

                        @Override
                        public void onClose(CloseReason reason, Exception error) {
                            atClient.onClose(reason, error);
                            order.add("client saw end of reply");
                            s.close();
                        }
                    });
                    s.write(ByteBuffer.wrap(request), null);
                    s.shutdownOutput((n, e) -> order.add("client half-closed"));
                    assertThrows(IllegalStateException.class, () -> s.write(ByteBuffer.allocate(1), null),
                            "no writes after shutdownOutput");
                };
                Registration r = wait.connect(server.localAddress(), c);
                assertNotNull(r);
                runGuarded(wait, "connect " + bind);
                assertEquals(CloseReason.COMPLETED, c.reason, "connect over " + bind);
            }
            assertTrue(c.socket.isSocket());
            // Winsock's own provider gives IFS handles, so skip-on-success applies (a layered provider would turn it off)
            System.out.println("connected socket: " + c.socket);
            assertEquals(CloseReason.COMPLETED, atServer.reason);
            assertEquals(CloseReason.COMPLETED, atClient.reason);
            assertArrayEquals(request, atServer.data(), "request over " + bind);
            assertArrayEquals(reply, atClient.data(), "reply over " + bind);
            assertEquals(List.of("client half-closed", "server saw end of request", "server half-closed",
                    "client saw end of reply"), order);
            assertEquals(Set.of(), win32.openSockets());
            assertEquals(List.of(), win32.problems);
        }
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void refusedConnectionFailsNamingTheAddressAndClosesItsSocket() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, Net.ip("127.0.0.1"))) {
            nobody = (InetSocketAddress) s.getLocalSocketAddress(); // a port that was just free and is now closed
        }
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        Connecting c = new Connecting();
        try (MultiHandleWait wait = Waiters.create(win32, 64)) {
            wait.connect(nobody, c);
            runGuarded(wait, "refused connect");
        }
        assertNull(c.socket);
        assertEquals(CloseReason.FAILED, c.reason);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, c.error);
        assertEquals(10061, e.win32Error());
        assertTrue(e.getMessage().contains(nobody.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
        assertEquals(1, win32.created);
        assertEquals(Set.of(), win32.openSockets());
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void cancellingAConnectOrThrowingInOnConnectedClosesTheSocket() {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        List<Throwable> reported = new ArrayList<>();
        Connecting cancelled = new Connecting();
        Connecting throwing = new Connecting();
        throwing.then = () -> {
            throw new IllegalStateException("listener bug");
        };
        try (MultiHandleWait wait = Waiters.create(win32, 64)) {
            wait.setCallbackErrorHandler((reg, t) -> reported.add(t));
            SocketServer server = wait.listen(Net.loopback4(0), (srv, s, peer) -> s.close());
            Registration r = wait.connect(server.localAddress(), cancelled);
            r.cancel(); // before the loop has even issued it
            wait.connect(server.localAddress(), throwing);
            for (int i = 0; i < 100 && (cancelled.reason == null || throwing.reason == null); i++) {
                wait.runOnce(Duration.ofMillis(50));
            }
            server.close();
            runGuarded(wait, "cancelled connects");
        }
        assertEquals(CloseReason.CANCELLED, cancelled.reason);
        assertNull(cancelled.socket);
        assertEquals(CloseReason.FAILED, throwing.reason);
        assertEquals("listener bug", throwing.error.getMessage());
        assertEquals(1, reported.size());
        assertEquals(Set.of(), win32.openSockets(), "the sockets of both connects are closed");
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void aPendingConnectCanBeCancelled() throws Exception {
        // A listener that never accepts, its backlog filled: Linux (so Wine) drops further SYNs, so
        // the connect stays pending; Windows may refuse it at once instead.
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        Connecting c = new Connecting();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, Net.ip("127.0.0.1"));
             MultiHandleWait wait = Waiters.create(win32, 64)) {
            for (int i = 0; i < 4; i++) {
                Socket f = new Socket();
                fillers.add(f);
                try {
                    f.connect(full.getLocalSocketAddress(), 300);
                } catch (IOException timedOutOrRefused) {
                    break; // the backlog is full
                }
            }
            Registration r = wait.connect((InetSocketAddress) full.getLocalSocketAddress(), c);
            wait.runOnce(Duration.ofMillis(300));
            if (c.reason == null) {
                r.cancel();
                runGuarded(wait, "cancelled pending connect");
                assertEquals(CloseReason.CANCELLED, c.reason);
                assertNull(c.error);
            } else {
                assertEquals(CloseReason.FAILED, c.reason, () -> "ended at once with " + c.reason + ", " + c.error);
                MultiWaitException e = assertInstanceOf(MultiWaitException.class, c.error);
                System.out.println("connect to a full backlog failed at once: " + e.getMessage());
                assertTrue(Set.of(10060, 10061).contains(e.win32Error()), e.getMessage());
            }
        } finally {
            for (Socket f : fillers) {
                f.close();
            }
        }
        assertNull(c.socket);
        assertEquals(1, win32.created);
        assertEquals(Set.of(), win32.openSockets());
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void badConnectAddressesFailClearly() {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        try (MultiHandleWait wait = Waiters.create(win32, 64)) {
            ConnectListener ignore = s -> s.close();
            assertThrows(IllegalArgumentException.class,
                    () -> wait.connect(InetSocketAddress.createUnresolved("localhost", 80), ignore));
            assertThrows(NullPointerException.class, () -> wait.connect(null, ignore));
            assertThrows(NullPointerException.class, () -> wait.connect(Net.loopback4(80), null));
            // the any address cannot be connected to on Windows
            Connecting any = new Connecting();
            wait.connect(new InetSocketAddress(Net.ip("0.0.0.0"), 9), any);
            runGuarded(wait, "connect to any");
            assertEquals(CloseReason.FAILED, any.reason);
            MultiWaitException e = assertInstanceOf(MultiWaitException.class, any.error);
            System.out.println("connect to 0.0.0.0: " + e.getMessage());
            assertTrue(e.getMessage().contains("0.0.0.0:9"), e.getMessage());
            // a socket handle refuses the named-pipe connect()
            SocketServer server = wait.listen(Net.loopback4(0), (srv, s, peer) -> {
                assertThrows(IllegalStateException.class, () -> s.connect(p -> { }));
                s.close();
                srv.close();
            });
            Connecting ok = new Connecting();
            ok.then = () -> ok.socket.close();
            wait.connect(server.localAddress(), ok);
            runGuarded(wait, "connect ok");
            assertEquals(CloseReason.COMPLETED, ok.reason, () -> "error " + ok.error);
        }
        assertEquals(Set.of(), win32.openSockets());
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void attachSocketOwnsACallersSocketAndReportsWinsockErrors() {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        assertEquals(0, win32.wsaStartup());
        long raw = win32.wsaSocket(2, 1, 6, 1); // AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED
        assertTrue(raw != -1L, "WSASocketW failed: " + win32.lastError());
        Pipes.Collector c = new Pipes.Collector();
        try (MultiHandleWait wait = Waiters.create(win32, 64)) {
            StreamHandle s = wait.attachSocket(raw);
            assertTrue(s.isSocket());
            assertEquals(raw, s.handle());
            s.read(4096, c); // never connected: WSARecv fails at once
            runGuarded(wait, "read of an unconnected socket");
            MultiWaitException twice = assertThrows(MultiWaitException.class, () -> wait.attachSocket(raw));
            assertEquals(87, twice.win32Error(), twice.getMessage());
            s.close();
            wait.runOnce(Duration.ofMillis(50));
        }
        assertEquals(CloseReason.FAILED, c.reason);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, c.error);
        System.out.println("unconnected read: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("WSARecv on handle 0x" + Long.toHexString(raw)), e.getMessage());
        assertEquals(10057, e.win32Error(), e.getMessage());
        assertEquals(Set.of(), win32.openSockets(), "closed with closesocket by the waiter");
        assertEquals(List.of(), win32.problems);
    }
}
