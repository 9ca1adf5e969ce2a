package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.RelayListener;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full-duplex relays: checksummed, numbered 32 KiB frames both ways at once through a socket relay,
 * half-close with the other direction still flowing (socket to a pair of pipes), peer reset,
 * closing the waiter mid-transfer, bad input. Endpoints run on their own waiter and thread.
 */
class RelayTest {
    static final int PAYLOAD = 32 * 1024;

    /** Records a relay's half-closes and end. */
    static final class RelayRecord implements RelayListener {
        final List<String> halfCloses = Collections.synchronizedList(new ArrayList<>());
        final List<Long> halfCloseBytes = Collections.synchronizedList(new ArrayList<>());
        volatile CloseReason reason;
        volatile Exception error;
        final CountDownLatch ended = new CountDownLatch(1);
        StreamHandle a;
        volatile Registration relay;
        List<Long> closedHandles = List.of();

        @Override
        public void onHalfClose(StreamHandle from, StreamHandle to, long bytes) {
            halfCloses.add(from == a ? "a->b" : "b->a");
            halfCloseBytes.add(bytes);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
            ended.countDown();
        }
    }

    /** Two waiters on their own threads: R runs relays, E runs the endpoints. */
    static final class Rig implements AutoCloseable {
        final Net.TrackingWin32 relayWin32;
        final Net.TrackingWin32 endWin32;
        final MultiHandleWait relay;
        final MultiHandleWait ends;
        final List<Throwable> listenerErrors = Collections.synchronizedList(new ArrayList<>());
        private final Thread relayThread;
        private Thread endsThread;

        Rig() {
            this(new Net.TrackingWin32());
        }

        Rig(Net.TrackingWin32 endWin32) {
            this(new Net.TrackingWin32(), endWin32);
        }

        Rig(Net.TrackingWin32 relayWin32, Net.TrackingWin32 endWin32) {
            this.relayWin32 = relayWin32;
            this.relay = Waiters.create(relayWin32, 128);
            this.relayThread = new Thread(relay::run, "relay-loop");
            this.endWin32 = endWin32;
            this.ends = Waiters.create(endWin32, 128);
            relay.setCallbackErrorHandler((r, t) -> listenerErrors.add(t));
            ends.setCallbackErrorHandler((r, t) -> listenerErrors.add(t));
        }

        /** A never-signalled event watched by both waiters, so their run() lasts until close. */
        private final com.sun.jna.platform.win32.WinNT.HANDLE keepAlive = BridgeTestSupport.newEvent(true, false);

        void start() {
            relay.watch(Handles.raw(keepAlive), false, () -> { });
            ends.watch(Handles.raw(keepAlive), false, () -> { });
            endsThread = new Thread(ends::run, "endpoint-loop");
            relayThread.start();
            endsThread.start();
        }

        /** Relays every connection accepted on the returned server to {@code target}, with {@code record}. */
        SocketServer relayTo(InetSocketAddress target, int bufferSize, RelayRecord record) {
            return relay.listen(Net.loopback4(0), 16, 2, (srv, accepted, peer) -> {
                srv.close(); // one connection per test
                relay.connect(target, new ConnectListener() {
                    @Override
                    public void onConnected(StreamHandle outbound) {
                        record.a = accepted;
                        record.relay = relay.relay(accepted, outbound, bufferSize, record);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        if (reason != CloseReason.COMPLETED) {
                            accepted.close();
                            record.onClose(reason, error); // the relay never started: say why
                        }
                    }
                });
            });
        }

        void closeRelay() throws InterruptedException {
            relay.close();
            relayThread.join(10_000);
            assertFalse(relayThread.isAlive());
        }

        private boolean closed;

        @Override
        public void close() throws InterruptedException {
            if (closed) {
                return;
            }
            closed = true;
            relay.close();
            ends.close();
            BridgeTestSupport.close(keepAlive);
            relayThread.join(10_000);
            assertFalse(relayThread.isAlive());
            if (endsThread != null) {
                endsThread.join(10_000);
                assertFalse(endsThread.isAlive());
            }
        }

        void assertNoLeaks() {
            assertEquals(Set.of(), relayWin32.openSockets(), "relay waiter: every socket closed");
            assertEquals(Set.of(), endWin32.openSockets(), "endpoint waiter: every socket closed");
            assertEquals(List.of(), relayWin32.problems);
            assertEquals(List.of(), endWin32.problems);
            assertEquals(0, NativeOp.abandonedCount(), "no native block was abandoned");
        }
    }

    /**
     * Client and backend each send {@code frames} frames and half-close, through a relay with a
     * ring of {@code bufferSize}; both check sequence and checksum of what they receive.
     */
    private Net.TrackingWin32 framesBothWays(int frames, int bufferSize) throws Exception {
        RelayRecord record = new RelayRecord();
        Frames.Receiver atBackend = new Frames.Receiver("client->backend");
        Frames.Receiver atClient = new Frames.Receiver("backend->client");
        CountDownLatch endpointsDone = new CountDownLatch(2);
        AtomicReference<Frames.Sender> clientSender = new AtomicReference<>();
        AtomicReference<Frames.Sender> backendSender = new AtomicReference<>();
        long t0;
        long t1;
        Net.TrackingWin32 relayCalls;
        try (Rig rig = new Rig()) {
            relayCalls = rig.relayWin32;
            SocketServer backend = rig.ends.listen(Net.loopback4(0), (srv, s, peer) -> {
                srv.close();
                Frames.Sender sender = new Frames.Sender(s, frames, PAYLOAD, 2);
                backendSender.set(sender);
                // closed once both its read has ended and its own frames are out (and half-closed)
                Runnable closeWhenBoth = closeAfterTwoCalls(s, endpointsDone);
                sender.onDone = () -> s.shutdownOutput((n, e) -> closeWhenBoth.run());
                atBackend.onEnd = closeWhenBoth;
                s.read(64 * 1024, atBackend);
                sender.start();
            });
            SocketServer front = rig.relayTo(backend.localAddress(), bufferSize, record);
            rig.start();
            t0 = System.nanoTime();
            rig.ends.connect(front.localAddress(), c -> {
                Frames.Sender sender = new Frames.Sender(c, frames, PAYLOAD, 1);
                clientSender.set(sender);
                Runnable closeWhenBoth = closeAfterTwoCalls(c, endpointsDone);
                sender.onDone = () -> c.shutdownOutput((n, e) -> closeWhenBoth.run());
                atClient.onEnd = closeWhenBoth;
                c.read(64 * 1024, atClient);
                sender.start();
            });
            boolean done = endpointsDone.await(120, TimeUnit.SECONDS);
            t1 = System.nanoTime();
            assertTrue(done, () -> "transfer stalled: client got " + atClient.frames() + ", backend got "
                    + atBackend.frames() + " frames; relay " + record.reason + " " + record.error);
            assertTrue(record.ended.await(10, TimeUnit.SECONDS), "relay did not end");
            assertEquals(List.of(), rig.listenerErrors);
            rig.close();
            rig.assertNoLeaks();
        }
        assertNull(atBackend.checker.error, atBackend.checker.error);
        assertNull(atClient.checker.error, atClient.checker.error);
        assertEquals(frames, atBackend.frames(), "frames at the backend");
        assertEquals(frames, atClient.frames(), "frames at the client");
        assertEquals(0, atBackend.checker.partial());
        assertEquals(0, atClient.checker.partial());
        assertEquals(CloseReason.COMPLETED, atBackend.reason, "backend read ended with the client's half-close");
        assertEquals(CloseReason.COMPLETED, atClient.reason, "client read ended with the backend's half-close");
        assertNull(clientSender.get().error);
        assertNull(backendSender.get().error);
        assertEquals(CloseReason.COMPLETED, record.reason, () -> "relay error: " + record.error);
        assertEquals(Set.of("a->b", "b->a"), Set.copyOf(record.halfCloses));
        long perDirection = (long) frames * Frames.frameBytes(PAYLOAD);
        assertEquals(List.of(perDirection, perDirection), record.halfCloseBytes);
        double seconds = (t1 - t0) / 1e9;
        System.out.printf("relay %d frames of %d KiB each way, ring %d: %.2f s, %.1f MB/s per direction%n",
                frames, PAYLOAD / 1024, bufferSize, seconds, perDirection / seconds / 1e6);
        return relayCalls;
    }

    /** Closes {@code s} and counts down on the second call (loop thread only). */
    private static Runnable closeAfterTwoCalls(StreamHandle s, CountDownLatch done) {
        int[] calls = {0};
        return () -> {
            if (++calls[0] == 2) {
                s.close();
                done.countDown();
            }
        };
    }

    @Test
    void twoThousandFramesEachWayAtOnceThroughASocketRelay() throws Exception {
        framesBothWays(Integer.getInteger("multiwait.test.relayFrames", 2000), 64 * 1024);
    }

    @Test
    void smallOddRingWrapsAndStillDeliversEveryFrame() throws Exception {
        // 5000 bytes: smaller than a frame, so the ring fills (reading stops), wraps at odd offsets every time
        framesBothWays(150, 5000);
    }

    @Test
    void aTrickleIntoASlowReaderWrapsTheRingAndBothSpansGoInOneCall() throws Exception {
        // The client trickles ~1 KB pieces (the relay's receives pend and finish short); the backend reads in
        // bursts with pauses (the relay's sends pend, its socket buffers being small). Reads and writes then
        // overlap at moving offsets of the ring, so free space and filled bytes wrap past its end.
        int pieces = 2500;
        int piece = 997;
        byte[] data = Pipes.randomBytes(77, pieces * piece);
        RelayRecord record = new RelayRecord();
        Net.TrackingWin32 calls;
        byte[] got;
        // Small socket buffers, so the relay's sends back up after a few KB rather than megabytes.
        Net.TrackingWin32 smallBuffers = new Net.TrackingWin32() {
            @Override
            public long wsaSocket(int family, int type, int protocol, int flags) {
                long s = super.wsaSocket(family, type, protocol, flags);
                try (com.sun.jna.Memory size = new com.sun.jna.Memory(4)) {
                    size.setInt(0, 4096);
                    if (!setSockOpt(s, 0xffff /* SOL_SOCKET */, 0x1001 /* SO_SNDBUF */, com.sun.jna.Pointer.nativeValue(size), 4)) {
                        problems.add("setsockopt(SO_SNDBUF) failed: " + lastError());
                    }
                }
                return s;
            }
        };
        try (Rig rig = new Rig(smallBuffers, new Net.TrackingWin32()); ServerSocket backend = new ServerSocket()) {
            backend.setReceiveBufferSize(4096);
            backend.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 1);
            calls = rig.relayWin32;
            SocketServer front = rig.relayTo((InetSocketAddress) backend.getLocalSocketAddress(), 64 * 1024, record);
            rig.start();
            AtomicReference<Exception> senderError = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try (Socket c = new Socket(front.localAddress().getAddress(), front.localAddress().getPort())) {
                    for (int i = 0; i < pieces; i++) {
                        c.getOutputStream().write(data, i * piece, piece);
                        Thread.sleep(1); // a trickle: the relay's receives pend and finish short
                    }
                    c.shutdownOutput();
                    c.getInputStream().read(); // the relay half-closes this way once the backend closes
                } catch (Exception e) {
                    senderError.set(e);
                }
            }, "trickle-sender");
            sender.start();
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            try (Socket s = backend.accept()) {
                byte[] buf = new byte[1024];
                InputStream in = s.getInputStream();
                for (int n, reads = 0; (n = in.read(buf)) > 0; reads++) {
                    received.write(buf, 0, n);
                    if (reads % 8 == 7) {
                        Thread.sleep(20); // the relay's sends back up meanwhile (small socket buffers)
                    }
                }
            }
            sender.join(60_000);
            assertNull(senderError.get());
            assertTrue(record.ended.await(30, TimeUnit.SECONDS), "relay did not end");
            got = received.toByteArray();
            rig.close();
            rig.assertNoLeaks();
        }
        assertEquals(CloseReason.COMPLETED, record.reason, () -> "relay error: " + record.error);
        assertEquals(data.length, got.length, "every byte arrived");
        assertTrue(java.util.Arrays.equals(data, got), "in order, unchanged");
        // where free space or filled bytes wrap past the ring's end, one WSARecv/WSASend takes both spans
        System.out.println("trickle relay: two-span WSARecv " + calls.twoSpanRecvs + ", two-span WSASend " + calls.twoSpanSends);
        assertTrue(calls.twoSpanRecvs.get() > 0, "a wrapped ring was read into both spans at once");
        assertTrue(calls.twoSpanSends.get() > 0, "a wrapped ring was sent from both spans at once");
    }

    @Test
    void socketToPipePairHalfClosesOneDirectionWhileTheOtherKeepsFlowing() throws Exception {
        int clientFrames = 50;
        int pipeFrames = 400;
        int pipeFramesBeforeEof = 100;
        RelayRecord record = new RelayRecord();
        Frames.Receiver atPipe = new Frames.Receiver("socket->pipe");
        Frames.Receiver atClient = new Frames.Receiver("pipe->socket");
        CountDownLatch done = new CountDownLatch(2);
        int[] pipeSentAtEof = {-1};
        int[] clientGotAtEof = {-1};
        OverlappedPipe.Pair toPipe = OverlappedPipe.create();   // relay writes the server end, endpoint reads the client end
        OverlappedPipe.Pair fromPipe = OverlappedPipe.create(); // endpoint writes the client end, relay reads the server end
        try (Rig rig = new Rig()) {
            StreamHandle relayWrites = rig.relay.attach(toPipe.server());
            StreamHandle relayReads = rig.relay.attach(fromPipe.server());
            StreamHandle pipeSide = rig.relay.duplex(relayReads, relayWrites);
            StreamHandle endReads = rig.ends.attach(toPipe.client());
            StreamHandle endWrites = rig.ends.attach(fromPipe.client());
            SocketServer front = rig.relay.listen(Net.loopback4(0), (srv, accepted, peer) -> {
                srv.close();
                record.a = accepted;
                rig.relay.relay(accepted, pipeSide, 64 * 1024, record);
            });
            // The pipe endpoint sends 100 frames, then waits for end of stream from the socket side
            // (the relay closes the pipe it writes), then sends 300 more on the still-open direction.
            Frames.Sender pipeSender = new Frames.Sender(endWrites, pipeFrames, PAYLOAD, 4);
            pipeSender.pauseAt = pipeFramesBeforeEof;
            pipeSender.onDone = () -> {
                endWrites.close(); // end of stream for the relay's read: it half-closes the client socket
                done.countDown();
            };
            atPipe.onEnd = () -> {
                pipeSentAtEof[0] = pipeSender.sent;
                clientGotAtEof[0] = atClient.frames();
                endReads.close();
                pipeSender.resume();
            };
            rig.ends.execute(() -> {
                endReads.read(64 * 1024, atPipe);
                pipeSender.start();
            });
            rig.ends.connect(front.localAddress(), c -> {
                Frames.Sender sender = new Frames.Sender(c, clientFrames, PAYLOAD, 3);
                sender.onDone = c::shutdownOutput;
                atClient.onEnd = () -> {
                    c.close();
                    done.countDown();
                };
                c.read(64 * 1024, atClient);
                sender.start();
            });
            rig.start();
            assertTrue(done.await(60, TimeUnit.SECONDS), () -> "stalled: pipe got " + atPipe.frames()
                    + ", client got " + atClient.frames() + "; relay " + record.reason + " " + record.error);
            assertTrue(record.ended.await(10, TimeUnit.SECONDS), "relay did not end");
            assertEquals(List.of(), rig.listenerErrors);
            rig.close();
            rig.assertNoLeaks();
            record.closedHandles = List.copyOf(rig.relayWin32.closedHandles);
        }
        List<Long> closed = closedHandlesOf(record);
        assertEquals(1, Collections.frequency(closed, BridgeTestSupport.raw(Handles.handle(toPipe.server()))), "the relay closed the pipe it wrote, once");
        assertEquals(1, Collections.frequency(closed, BridgeTestSupport.raw(Handles.handle(fromPipe.server()))), "the relay closed the pipe it read, once");
        assertNull(atPipe.checker.error, atPipe.checker.error);
        assertNull(atClient.checker.error, atClient.checker.error);
        assertEquals(clientFrames, atPipe.frames());
        assertEquals(pipeFrames, atClient.frames());
        assertEquals(CloseReason.COMPLETED, atPipe.reason, "the pipe endpoint saw end of stream (109)");
        assertEquals(CloseReason.COMPLETED, atClient.reason, "the client saw end of stream (0-byte recv)");
        // The pipe sender pauses after issuing 100 frames until the socket->pipe direction has ended:
        // at least 300 frames crossed the relay after that end.
        assertTrue(pipeSentAtEof[0] <= pipeFramesBeforeEof, "frames written when the other direction ended: " + pipeSentAtEof[0]);
        assertTrue(clientGotAtEof[0] <= pipeFramesBeforeEof, "frames the client had when the other direction ended: " + clientGotAtEof[0]);
        assertEquals(List.of("a->b", "b->a"), record.halfCloses, "the socket-to-pipe direction ended first");
        assertEquals(List.of((long) clientFrames * Frames.frameBytes(PAYLOAD), (long) pipeFrames * Frames.frameBytes(PAYLOAD)),
                record.halfCloseBytes);
        assertEquals(CloseReason.COMPLETED, record.reason, () -> "relay error: " + record.error);
        System.out.println("half-close: pipe endpoint had sent " + pipeSentAtEof[0] + " frames, client had got "
                + clientGotAtEof[0] + " when the socket->pipe direction ended");
    }

    private static List<Long> closedHandlesOf(RelayRecord record) {
        return record.closedHandles;
    }

    @Test
    void peerResetFailsTheRelayWithTheResetAndClosesBothSides() throws Exception {
        // Wine, rarely, reports a reset that meets a pending receive as a clean end of stream (seen once in
        // about 15 suite runs); the relay then ends COMPLETED, correctly for what it was told. Such a round is
        // counted and repeated; the reset must be seen, and fail the relay, within three rounds.
        int quirkRounds = 0;
        for (int round = 1; ; round++) {
            RelayRecord record = resetRound();
            if (record.reason == CloseReason.COMPLETED && record.error == null && round < 3) {
                quirkRounds++;
                continue;
            }
            assertEquals(CloseReason.FAILED, record.reason);
            MultiWaitException e = assertInstanceOf(MultiWaitException.class, record.error);
            assertEquals(10054, e.win32Error(), e.getMessage());
            assertTrue(e.getMessage().contains("WSARecv"), e.getMessage());
            assertEquals(List.of(), record.halfCloses);
            System.out.println("relay reset: " + e.getMessage() + " (rounds where Wine reported end of stream instead: "
                    + quirkRounds + ")");
            return;
        }
    }

    /** The backend reads the client's hello and resets; returns how the relay ended (both sides closed, nothing leaked). */
    private RelayRecord resetRound() throws Exception {
        RelayRecord record = new RelayRecord();
        Frames.Receiver atClient = new Frames.Receiver("client");
        CountDownLatch clientEnded = new CountDownLatch(1);
        try (ServerSocket backend = new ServerSocket(0, 1, Net.ip("127.0.0.1")); Rig rig = new Rig()) {
            Thread resetter = new Thread(() -> {
                try (Socket s = backend.accept()) {
                    InputStream in = s.getInputStream();
                    in.readNBytes(5); // the client's hello went through the relay
                    s.setSoLinger(true, 0); // then close with RST
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "resetting-backend");
            resetter.start();
            SocketServer front = rig.relayTo((InetSocketAddress) backend.getLocalSocketAddress(), 16 * 1024, record);
            rig.start();
            rig.ends.connect(front.localAddress(), c -> {
                atClient.onEnd = () -> {
                    c.close();
                    clientEnded.countDown();
                };
                c.read(4096, atClient);
                c.write(ByteBuffer.wrap("hello".getBytes()), null);
            });
            assertTrue(record.ended.await(20, TimeUnit.SECONDS), "relay did not end on the reset");
            assertTrue(clientEnded.await(20, TimeUnit.SECONDS), "client was not told");
            resetter.join(10_000);
            rig.close();
            rig.assertNoLeaks();
        }
        assertNotNull(atClient.reason, "the client's read ended (the relay closed its side)");
        return record;
    }

    @Test
    void closingTheWaiterMidTransferLeaksNoHandle() throws Exception {
        RelayRecord record = new RelayRecord();
        Frames.Receiver atBackend = new Frames.Receiver("client->backend");
        Frames.Receiver atClient = new Frames.Receiver("backend->client");
        CountDownLatch flowing = new CountDownLatch(2);
        boolean[] counted = new boolean[2]; // one read may complete several frames: count each side once
        atBackend.onFrame = () -> {
            if (atBackend.frames() >= 50 && !counted[0]) {
                counted[0] = true;
                flowing.countDown();
            }
        };
        atClient.onFrame = () -> {
            if (atClient.frames() >= 50 && !counted[1]) {
                counted[1] = true;
                flowing.countDown();
            }
        };
        List<SocketServer> servers = new ArrayList<>();
        OverlappedPipe.Pair idlePipe = OverlappedPipe.create();
        Registration[] idleRelay = new Registration[1];
        RelayRecord idleRecord = new RelayRecord();
        long closeMillis;
        try (Rig rig = new Rig()) {
            SocketServer backend = rig.ends.listen(Net.loopback4(0), (srv, s, peer) -> {
                s.read(64 * 1024, atBackend);
                new Frames.Sender(s, 100_000, PAYLOAD, 2).start();
            });
            servers.add(backend);
            servers.add(rig.relayTo(backend.localAddress(), 64 * 1024, record));
            // plus an idle relay between a pipe and a socket, and a listener with accepts pending
            SocketServer idleFront = rig.relay.listen(Net.loopback4(0), (srv, accepted, peer) ->
                    idleRelay[0] = rig.relay.relay(accepted, rig.relay.attach(idlePipe.server()), 4096, idleRecord));
            servers.add(idleFront);
            rig.ends.attach(idlePipe.client());
            rig.start();
            rig.ends.connect(servers.get(1).localAddress(), c -> {
                c.read(64 * 1024, atClient);
                new Frames.Sender(c, 100_000, PAYLOAD, 1).start();
            });
            rig.ends.connect(idleFront.localAddress(), c -> c.read(4096, new Frames.Receiver("idle")));
            assertTrue(flowing.await(30, TimeUnit.SECONDS), () -> "data never flowed: client got " + atClient.frames()
                    + ", backend got " + atBackend.frames() + "; relay " + record.relay + "; idle " + idleRecord.reason
                    + "; relay waiter " + rig.relay + ", endpoint waiter " + rig.ends);
            assertTrue(record.reason == null && idleRecord.reason == null, "both relays are running");
            assertEquals(Set.of(), Set.copyOf(rig.relayWin32.problems));
            int openBefore = rig.relayWin32.openSockets().size();
            long c0 = System.nanoTime();
            rig.closeRelay(); // mid-transfer: reads and writes in flight on the relay waiter
            closeMillis = (System.nanoTime() - c0) / 1_000_000;
            System.out.println("closed the relay waiter with " + openBefore + " sockets open in " + closeMillis
                    + " ms; frames so far: " + atClient.frames() + " / " + atBackend.frames());
            assertEquals(Set.of(), rig.relayWin32.openSockets(), "every socket of the relay waiter closed");
            assertEquals(1, Collections.frequency(rig.relayWin32.closedHandles, BridgeTestSupport.raw(Handles.handle(idlePipe.server()))),
                    "the relayed pipe closed, once");
            assertTrue(Pipes.isClosedPipe(Handles.handle(idlePipe.server())), "the relayed pipe closed");
            assertEquals(CloseReason.CANCELLED, record.reason);
            assertEquals(CloseReason.CANCELLED, idleRecord.reason);
            assertFalse(idleRelay[0].isActive());
            assertEquals(0, rig.relay.registrationCount());
            assertThrows(IllegalStateException.class, () -> rig.relay.listen(Net.loopback4(0), (s, a, p) -> { }));
        }
        assertNull(atClient.checker.error);
        assertNull(atBackend.checker.error);
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void badRelayInputIsRefusedClearly() throws Exception {
        OverlappedPipe.Pair p1 = OverlappedPipe.create();
        OverlappedPipe.Pair p2 = OverlappedPipe.create();
        OverlappedPipe.Pair p3 = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait(); MultiHandleWait other = new MultiHandleWait()) {
            StreamHandle a = wait.attach(p1.server());
            StreamHandle b = wait.attach(p2.server());
            StreamHandle foreign = other.attach(p3.server());
            RelayListener ignore = (reason, error) -> { };
            assertThrows(IllegalArgumentException.class, () -> wait.relay(a, a, 4096, ignore));
            assertThrows(IllegalArgumentException.class, () -> wait.relay(a, wait.duplex(b, a), 4096, ignore));
            assertThrows(IllegalArgumentException.class, () -> wait.duplex(a, a));
            assertThrows(IllegalArgumentException.class, () -> wait.relay(a, foreign, 4096, ignore));
            assertThrows(IllegalArgumentException.class, () -> wait.relay(a, b, 0, ignore));
            assertThrows(NullPointerException.class, () -> wait.relay(a, null, 4096, ignore));
            Registration reading = a.read(4096, new Pipes.Collector());
            IllegalStateException busy = assertThrows(IllegalStateException.class, () -> wait.relay(a, b, 4096, ignore));
            assertTrue(busy.getMessage().contains(Long.toHexString(a.handle())), busy.getMessage());
            reading.cancel();
            wait.runOnce(java.time.Duration.ofMillis(100));
            assertFalse(reading.isActive());
            // refused attempts claimed nothing: b is still free, and a relay of a and b works
            RelayRecord rec = new RelayRecord();
            Registration r = wait.relay(a, b, 4096, rec);
            assertThrows(IllegalStateException.class, () -> a.write(ByteBuffer.allocate(1), null));
            assertThrows(IllegalStateException.class, () -> b.read(10, new Pipes.Collector()));
            assertThrows(IllegalStateException.class, b::shutdownOutput);
            StreamHandle c = wait.attach(p3.client());
            IllegalStateException owned = assertThrows(IllegalStateException.class, () -> wait.relay(c, a, 4096, ignore));
            assertTrue(owned.getMessage().contains("relay"), owned.getMessage());
            c.write(ByteBuffer.allocate(1), null); // c was not left claimed by the refused relay
            c.close();
            r.cancel();
            wait.run();
            assertEquals(CloseReason.CANCELLED, rec.reason);
            assertTrue(Pipes.isClosedPipe(Handles.handle(p1.server())), "a cancelled relay closes what it owned");
            assertTrue(Pipes.isClosedPipe(Handles.handle(p2.server())));
            assertSame(null, rec.error);
        } finally {
            for (OverlappedPipe.Pair p : List.of(p1, p2)) {
                com.sun.jna.platform.win32.Kernel32.INSTANCE.CloseHandle(Handles.handle(p.client()));
            }
        }
    }
}
