package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * closeAfterWrites against a slow and a never-reading peer, socket addresses and attachments, for real.
 */
class GracefulCloseTest {
    private static final int CHUNK = 64 * 1024;

    /** A peer that reads nothing until released, then everything until end of stream. */
    private static final class SlowPeer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final AtomicReference<InetSocketAddress> clientAddress = new AtomicReference<>();
        volatile Exception ended;
        volatile boolean endOfStream;
        final Thread thread = new Thread(this::serve, "slow-peer");

        SlowPeer() throws Exception {
            thread.start();
        }

        private void serve() {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                clientAddress.set((InetSocketAddress) s.getRemoteSocketAddress());
                release.await();
                byte[] b = new byte[8192];
                for (int n; (n = in.read(b)) > 0; ) {
                    got.write(b, 0, n);
                }
                endOfStream = true;
            } catch (Exception e) {
                ended = e;
            }
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            thread.join(60_000);
            server.close();
        }
    }

    private static StreamHandle connect(MultiHandleWait wait, int port) {
        AtomicReference<StreamHandle> socket = new AtomicReference<>();
        wait.connect(Net.loopback4(port), socket::set);
        while (socket.get() == null) {
            wait.runOnce(Duration.ofMillis(100));
        }
        return socket.get();
    }

    @Test
    void queuedWritesDrainToASlowPeerThenItSeesEndOfStream() throws Exception {
        byte[] data = Pipes.randomBytes(21, 8 << 20);
        try (SlowPeer peer = new SlowPeer(); MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle socket = connect(wait, peer.server.getLocalPort());
            assertEquals(peer.server.getLocalSocketAddress(), socket.remoteAddress());
            for (int off = 0; off < data.length; off += CHUNK) {
                socket.write(ByteBuffer.wrap(data, off, CHUNK), null);
            }
            List<String> told = new CopyOnWriteArrayList<>();
            socket.closeAfterWrites(Duration.ofMinutes(2), (n, e) -> told.add(n + ":" + e));
            for (int i = 0; i < 5; i++) {
                wait.runOnce(Duration.ofMillis(100));
            }
            assertEquals(List.of(), told, "not closed while the peer reads nothing");
            assertTrue(socket.pendingWriteBytes() > 0);
            while (peer.clientAddress.get() == null) {
                Thread.sleep(10);
            }
            assertEquals(peer.clientAddress.get(), socket.localAddress(), "getsockname, as the peer sees us");
            peer.release.countDown();
            BridgeTestSupport.runGuarded(wait, "graceful close");
            assertEquals(List.of("0:null"), told);
            peer.thread.join(60_000);
            assertNull(peer.ended);
            assertTrue(peer.endOfStream, "the peer read end of stream after the last byte");
            assertArrayEquals(data, peer.got.toByteArray());
        }
    }

    @Test
    void aPeerThatNeverReadsMeetsTheTimeout() throws Exception {
        try (SlowPeer peer = new SlowPeer(); MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle socket = connect(wait, peer.server.getLocalPort());
            List<Integer> writeErrors = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 512; i++) { // 32 MiB: more than loopback buffers hold
                socket.write(ByteBuffer.allocate(CHUNK), (n, e) -> {
                    if (e != null) {
                        writeErrors.add(e.win32Error());
                    }
                });
            }
            AtomicReference<MultiWaitException> told = new AtomicReference<>();
            List<Boolean> calls = new CopyOnWriteArrayList<>();
            socket.closeAfterWrites(Duration.ofMillis(300), (n, e) -> {
                calls.add(true);
                told.set(e);
            });
            BridgeTestSupport.runGuarded(wait, "timed-out close");
            assertEquals(1, calls.size(), "told once");
            assertEquals(Win32Errors.ERROR_TIMEOUT, told.get().win32Error(), told.get().getMessage());
            assertTrue(told.get().getMessage().contains("0x" + Long.toHexString(socket.handle())), told.get().getMessage());
            assertTrue(!writeErrors.isEmpty() && writeErrors.stream().allMatch(e -> e == 995), "queued writes cancelled: " + writeErrors);
            assertEquals(0, socket.pendingWriteBytes());
            assertEquals(0, wait.registrationCount());
        }
    }

    @Test
    void pipeClosesAfterItsWritesAndTheReaderSeesEverything() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        byte[] data = Pipes.randomBytes(22, 1 << 20);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pair.server());
            StreamHandle client = wait.attach(pair.client());
            assertNull(client.remoteAddress(), "a pipe has no address");
            Pipes.Collector got = new Pipes.Collector();
            server.read(16 * 1024, got);
            client.write(ByteBuffer.wrap(data), null);
            List<String> told = new CopyOnWriteArrayList<>();
            client.closeAfterWrites(Duration.ofMinutes(2), (n, e) -> told.add(n + ":" + e));
            BridgeTestSupport.runGuarded(wait, "pipe graceful close");
            assertEquals(List.of("0:null"), told);
            assertEquals(CloseReason.COMPLETED, got.reason);
            assertArrayEquals(data, got.data());
        }
    }

    @Test
    void acceptedSocketsKnowBothAddressesAndCarryAttachments() throws Exception {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            AtomicReference<StreamHandle> accepted = new AtomicReference<>();
            AtomicReference<InetSocketAddress> peerParam = new AtomicReference<>();
            SocketServer server = wait.listen(Net.loopback4(0), (s, socket, peer) -> {
                socket.attach("conn-1");
                accepted.set(socket);
                peerParam.set(peer);
            });
            Object previous = server.attach("server");
            assertNull(previous);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort())) {
                while (accepted.get() == null) {
                    wait.runOnce(Duration.ofMillis(100));
                }
                StreamHandle s = accepted.get();
                assertEquals(client.getLocalSocketAddress(), s.remoteAddress());
                assertEquals(peerParam.get(), s.remoteAddress());
                assertEquals(client.getRemoteSocketAddress(), s.localAddress());
                assertEquals("conn-1", s.attachment());
                assertEquals("conn-1", s.attach(null));
                assertNull(s.attachment());
                assertEquals("server", ((Registration) server).attachment());
                s.close();
            }
            server.cancel();
            BridgeTestSupport.runGuarded(wait, "closing");
            assertEquals("server", ((Registration) server).attachment(), "kept after the end");
        }
    }
}
