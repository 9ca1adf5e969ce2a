package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.Timeout;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.multiwait.it.BridgeTestSupport.runGuarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time on the loop under Wine: timers among busy streams, connect timeout, idle timeout on a relay. */
class LoopTimeTest {
    private static final int TIMERS = 300;

    @Test
    void timersFireInDeadlineOrderAndNeverEarlyWhileASocketPumpsFlatOut() throws Exception {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<String> early = Collections.synchronizedList(new ArrayList<>());
        AtomicLong readBytes = new AtomicLong();
        AtomicLong bytesAtFirstTimer = new AtomicLong(-1);
        AtomicLong bytesAtLastTimer = new AtomicLong(-1);
        AtomicBoolean pumping = new AtomicBoolean(true);
        byte[] chunk = new byte[64 * 1024];
        long[] delays = new long[TIMERS];
        try (MultiHandleWait wait = Waiters.create(win32, 64)) {
            SocketServer server = wait.listen(Net.loopback4(0), (srv, s, peer) -> {
                srv.close();
                s.read(64 * 1024, data -> readBytes.addAndGet(data.remaining()));
            });
            wait.connect(server.localAddress(), new ConnectListener() {
                @Override
                public void onConnected(StreamHandle c) {
                    // writes chained on completion: the loop always has packets to dispatch
                    Runnable[] next = new Runnable[1];
                    next[0] = () -> {
                        if (pumping.get()) {
                            c.write(ByteBuffer.wrap(chunk), (n, e) -> next[0].run());
                        } else {
                            c.close();
                        }
                    };
                    next[0].run();
                }
            });
            Random random = new Random(42);
            CountDownLatch scheduled = new CountDownLatch(1);
            // scheduled from another thread while the loop runs, a third of them with equal deadlines
            Thread scheduler = new Thread(() -> {
                long[] at = new long[TIMERS];
                for (int i = 0; i < TIMERS; i++) {
                    delays[i] = i % 3 == 0 ? 150 : 20 + random.nextInt(400);
                }
                for (int i = 0; i < TIMERS; i++) {
                    int id = i;
                    at[i] = System.nanoTime();
                    long from = at[i];
                    wait.schedule(Duration.ofMillis(delays[i]), () -> {
                        if (System.nanoTime() - from < TimeUnit.MILLISECONDS.toNanos(delays[id])) {
                            early.add("timer " + id);
                        }
                        if (order.isEmpty()) {
                            bytesAtFirstTimer.set(readBytes.get());
                        }
                        order.add(id);
                        if (order.size() == TIMERS) {
                            bytesAtLastTimer.set(readBytes.get());
                            pumping.set(false);
                        }
                    });
                }
                scheduled.countDown();
            });
            wait.execute(scheduler::start);
            runGuarded(wait, "timers among a pumping socket");
            assertTrue(scheduled.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(), early, "no timer fired before its delay");
            assertEquals(TIMERS, order.size());
            // scheduled in index order from one thread: deadlines ordered by delay, ties by index,
            // except where a later schedule with a shorter delay overtook (deadline = schedule time + delay)
            for (int k = 1; k < TIMERS; k++) {
                int a = order.get(k - 1);
                int b = order.get(k);
                if (delays[a] == delays[b]) {
                    assertTrue(a < b, "equal delays fire in schedule order: " + a + " before " + b);
                }
            }
            assertTrue(bytesAtLastTimer.get() > bytesAtFirstTimer.get(),
                    "the socket kept moving while the timers fired: " + bytesAtFirstTimer + " -> " + bytesAtLastTimer);
        }
        assertEquals(Set.of(), win32.openSockets());
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void aConnectToAListenerWhoseBacklogIsFullTimesOutWith10060() throws Exception {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, Net.ip("127.0.0.1"))) {
            InetSocketAddress address = new InetSocketAddress(Net.ip("127.0.0.1"), full.getLocalPort());
            // never accepted: fill the backlog until a connect gets no answer
            boolean unanswered = false;
            for (int i = 0; i < 64 && !unanswered; i++) {
                Socket s = new Socket();
                try {
                    s.connect(address, 500);
                    fillers.add(s);
                } catch (SocketTimeoutException e) {
                    s.close();
                    unanswered = true;
                }
            }
            assertTrue(unanswered, "the backlog filled up after " + fillers.size() + " connections");
            Net.End end = new Net.End();
            AtomicReference<StreamHandle> connected = new AtomicReference<>();
            try (MultiHandleWait wait = Waiters.create(win32, 64)) {
                long start = System.nanoTime();
                Registration r = wait.connect(address, Duration.ofMillis(300), new ConnectListener() {
                    @Override
                    public void onConnected(StreamHandle c) {
                        connected.set(c);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        end.onClose(reason, error);
                    }
                });
                runGuarded(wait, "connect timeout");
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                assertFalse(r.isActive());
                assertEquals(null, connected.get());
                assertEquals(CloseReason.TIMED_OUT, end.reason, "after " + tookMillis + " ms: " + end.error);
                MultiWaitException e = assertInstanceOf(MultiWaitException.class, end.error);
                assertEquals(10060, e.win32Error());
                assertTrue(e.getMessage().contains("ConnectEx to " + address), e.getMessage());
                assertTrue(tookMillis >= 300, "not before the timeout: " + tookMillis + " ms");
            }
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
        assertEquals(Set.of(), win32.openSockets(), "the timed-out socket is closed");
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void anIdleTimeoutEndsARelayWhosePeersWentQuiet() throws Exception {
        Net.TrackingWin32 win32 = new Net.TrackingWin32();
        RelayTest.RelayRecord record = new RelayTest.RelayRecord();
        AtomicReference<Throwable> peers = new AtomicReference<>();
        try (ServerSocket target = new ServerSocket(0, 4, Net.ip("127.0.0.1"));
             MultiHandleWait wait = Waiters.create(win32, 64)) {
            SocketServer front = wait.listen(Net.loopback4(0), (srv, accepted, peer) -> {
                srv.close();
                accepted.setIdleTimeout(Duration.ofMillis(300));
                wait.connect(new InetSocketAddress(Net.ip("127.0.0.1"), target.getLocalPort()), new ConnectListener() {
                    @Override
                    public void onConnected(StreamHandle outbound) {
                        record.a = accepted;
                        record.relay = wait.relay(accepted, outbound, 4096, record);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        if (reason != CloseReason.COMPLETED) {
                            accepted.close();
                            record.onClose(reason, error);
                        }
                    }
                });
            });
            // the peers: a client that sends one line and then waits, a server that echoes it once and waits
            Thread peerThread = new Thread(() -> {
                try (Socket client = new Socket()) {
                    client.connect(front.localAddress(), 10_000);
                    try (Socket far = target.accept()) {
                        OutputStream out = client.getOutputStream();
                        out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                        InputStream farIn = far.getInputStream();
                        byte[] got = farIn.readNBytes(6);
                        far.getOutputStream().write(got);
                        byte[] back = client.getInputStream().readNBytes(6);
                        assertEquals("hello\n", new String(back, StandardCharsets.US_ASCII));
                        // quiet from here: the relay's idle timeout closes both ends
                        assertEquals(-1, client.getInputStream().read(), "the relay closed the client's side");
                        assertEquals(-1, farIn.read(), "and the target's");
                    }
                } catch (Throwable t) {
                    peers.set(t);
                }
            });
            peerThread.start();
            runGuarded(wait, "idle relay");
            peerThread.join(30_000);
            assertFalse(peerThread.isAlive());
            if (peers.get() != null) {
                throw new AssertionError("peer", peers.get());
            }
            assertEquals(CloseReason.TIMED_OUT, record.reason, String.valueOf(record.error));
            MultiWaitException e = assertInstanceOf(MultiWaitException.class, record.error);
            assertEquals(10060, e.win32Error());
            assertTrue(e.getMessage().contains("for 300 ms"), e.getMessage());
        }
        assertEquals(Set.of(), win32.openSockets());
        assertEquals(List.of(), win32.problems);
    }

    @Test
    void anIdleTimeoutEndsAPipeReadAfterItsBytesAndLeavesTheStreamOpen() {
        dev.multiwait.OverlappedPipe.Pair pipe = dev.multiwait.OverlappedPipe.create();
        Pipes.Collector got = new Pipes.Collector();
        AtomicReference<String> echoed = new AtomicReference<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pipe.server());
            StreamHandle client = wait.attach(pipe.client());
            server.setIdleTimeout(Duration.ofMillis(200));
            server.read(1024, new dev.multiwait.ReadListener() {
                @Override
                public void onData(ByteBuffer data) {
                    got.onData(data);
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    got.onClose(reason, error);
                    // the stream is still open: it can still write
                    server.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)), (n, e) -> {
                        echoed.set(n + ":" + e);
                        server.close();
                        client.close();
                    });
                }
            });
            client.write(ByteBuffer.wrap("one line, then silence".getBytes(StandardCharsets.US_ASCII)), null);
            runGuarded(wait, "idle pipe read");
            assertEquals("one line, then silence", new String(got.data(), StandardCharsets.US_ASCII));
            assertEquals(CloseReason.TIMED_OUT, got.reason, String.valueOf(got.error));
            assertEquals(10060, assertInstanceOf(MultiWaitException.class, got.error).win32Error());
            assertEquals("3:null", echoed.get());
        }
        assertTrue(Pipes.isClosedPipe(Handles.handle(pipe.server())));
    }

    @Test
    void runUntilCancelledOutlivesAnEmptyLoopAndTakesWorkFromOtherThreads() throws Exception {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.run(); // nothing registered: returns at once, as documented
            CountDownLatch done = new CountDownLatch(2);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    wait.runUntilCancelled();
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            loop.start();
            Thread.sleep(100);
            assertTrue(loop.isAlive(), "runs with nothing registered");
            wait.execute(done::countDown);
            Timeout t = wait.schedule(Duration.ofMillis(20), done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertFalse(t.isPending());
            Thread.sleep(100);
            assertTrue(loop.isAlive(), "still running once the work is done");
            wait.cancel();
            loop.join(10_000);
            assertFalse(loop.isAlive());
            assertEquals(null, failed.get());
        }
    }
}
