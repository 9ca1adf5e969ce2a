package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.AcceptListener;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that connect and reset at once (SO_LINGER 0: what port scanners and health checks do)
 * hammer 100 listeners while well-behaved clients keep being served. Under Wine such a client fails
 * the pending AcceptEx with 59 (ERROR_UNEXP_NET_ERR); that is one lost connection, never a dead listener.
 */
class AcceptResetStormTest {
    private static final byte[] GREETING = "hello\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void resettingClientsNeverKillAListenerAndGoodClientsAreServedThroughout() throws Exception {
        int listeners = 100;
        int resetThreads = 4;
        int resetRounds = 5;
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        Net.TrackingWin32 win32 = new Net.TrackingWin32() {
            @Override
            public int ntStatusToWin32(int ntStatus) {
                int e = super.ntStatusToWin32(ntStatus);
                statuses.merge(Integer.toHexString(ntStatus) + "->" + e, 1, Integer::sum);
                return e;
            }
        };
        Map<SocketServer, CloseReason> ended = new ConcurrentHashMap<>();
        List<MultiWaitException> acceptFailures = new CopyOnWriteArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        List<SocketServer> servers = new ArrayList<>();
        MultiHandleWait wait = Waiters.create(win32, 128);
        Thread loop = new Thread(wait::run, "reset-storm-loop");
        try {
            for (int i = 0; i < listeners; i++) {
                SocketServer[] self = new SocketServer[1];
                self[0] = wait.listen(Net.loopback4(0), 64, 2, new AcceptListener() {
                    @Override
                    public void onAccepted(SocketServer server, StreamHandle socket, InetSocketAddress peer) {
                        accepted.incrementAndGet();
                        // a reset client makes this write fail: that is its listener's business only
                        socket.write(ByteBuffer.wrap(GREETING), (n, e) -> socket.close());
                    }

                    @Override
                    public void onAcceptFailed(SocketServer server, MultiWaitException error) {
                        acceptFailures.add(error);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        ended.put(self[0], reason);
                        if (error != null) {
                            System.out.println("listener ended " + reason + ": " + error.getMessage());
                        }
                    }
                });
                servers.add(self[0]);
            }
            loop.start();

            List<Thread> resetters = new ArrayList<>();
            AtomicInteger resets = new AtomicInteger();
            List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
            for (int t = 0; t < resetThreads; t++) {
                int offset = t;
                Thread th = new Thread(() -> {
                    for (int round = 0; round < resetRounds; round++) {
                        for (int i = 0; i < listeners; i++) {
                            SocketServer s = servers.get((i + offset * 25) % listeners);
                            try (Socket c = new Socket()) {
                                c.connect(s.localAddress(), 5000);
                                c.setSoLinger(true, 0); // close with RST, at once
                                resets.incrementAndGet();
                            } catch (IOException refusedOnceDead) {
                                clientErrors.add(refusedOnceDead);
                            }
                        }
                    }
                }, "resetter-" + t);
                th.start();
                resetters.add(th);
            }
            // Meanwhile a well-behaved client per listener, round after round, gets its greeting.
            int served = 0;
            while (resetters.stream().anyMatch(Thread::isAlive)) {
                served += greetEach(servers);
            }
            for (Thread th : resetters) {
                th.join(60_000);
            }
            served += greetEach(servers); // and after the storm, every listener still serves
            Map<Integer, Integer> codes = new TreeMap<>();
            acceptFailures.forEach(e -> codes.merge(e.win32Error(), 1, Integer::sum));
            System.out.printf("reset storm: %d resets, %d good clients served, %d accepted, accept failures by error %s, statuses left to RtlNtStatusToDosError %s%n",
                    resets.get(), served, accepted.get(), codes, statuses);
            assertEquals(Map.of(), ended, "listeners that ended during the storm");
            assertEquals(List.of(), clientErrors, "a resetting client was refused: its listener had died");
            assertTrue(servers.stream().allMatch(SocketServer::isActive), "every listener alive");
            for (MultiWaitException e : acceptFailures) {
                assertTrue(e.getMessage().contains("AcceptEx on /127.0.0.1:"), e.getMessage());
                assertTrue(!e.getMessage().contains("(error)"), "every error has a name: " + e.getMessage());
            }
        } finally {
            wait.close();
            loop.join(10_000);
        }
        assertEquals(listeners, ended.size(), "every listener told of its end");
        assertTrue(ended.values().stream().allMatch(r -> r == CloseReason.CANCELLED), ended.values().toString());
        assertEquals(Set.of(), win32.openSockets(), "every socket the library made is closed");
        assertEquals(List.of(), win32.problems);
        assertEquals(0, NativeOp.abandonedCount());
    }

    /** Connects a client to each server and reads its greeting; returns how many were served. */
    private static int greetEach(List<SocketServer> servers) throws IOException {
        for (SocketServer s : servers) {
            try (Socket c = new Socket()) {
                c.setSoTimeout(20_000);
                c.connect(s.localAddress(), 5000);
                assertEquals("hello\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                        "greeting from " + s);
            }
        }
        return servers.size();
    }
}
