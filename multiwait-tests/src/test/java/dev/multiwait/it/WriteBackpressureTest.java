package dev.multiwait.it;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadRegistration;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Water marks and the queued-write bound against a reader that does not keep up, for real: the writer
 * turns unwritable above the high mark (told once, on the loop), a write beyond the bound is refused
 * without being queued, and once the reader drains, writability comes back and every accepted byte arrives.
 */
class WriteBackpressureTest {
    private static final int CHUNK = 64 * 1024;
    private static final int HIGH = 256 * 1024;
    private static final int LOW = 32 * 1024;
    private static final int LIMIT = 8 << 20;

    @Test
    void pipeWithAPausedReader() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pair.server());
            StreamHandle client = wait.attach(pair.client());
            Pipes.Collector got = new Pipes.Collector();
            ReadRegistration read = server.read(CHUNK, got);
            read.pause();
            byte[] sent = fillUntilRefused(wait, client, read::resume);
            client.close();
            while (got.reason == null) {
                wait.runOnce(Duration.ofMillis(100));
            }
            assertArrayEquals(sent, got.data(), "every accepted byte, in order");
        }
    }

    @Test
    void socketWithASlowPeer() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             MultiHandleWait wait = new MultiHandleWait()) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            CountDownLatch drain = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try (Socket s = peer.accept(); InputStream in = s.getInputStream()) {
                    drain.await(); // a reader that does not read at all, then slowly
                    byte[] b = new byte[4096];
                    for (int n; (n = in.read(b)) > 0; ) {
                        got.write(b, 0, n);
                        Thread.sleep(0, 100_000);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "slow-peer");
            reader.start();
            AtomicReference<StreamHandle> socket = new AtomicReference<>();
            wait.connect(Net.loopback4(peer.getLocalPort()), socket::set);
            while (socket.get() == null) {
                wait.runOnce(Duration.ofMillis(100));
            }
            byte[] sent = fillUntilRefused(wait, socket.get(), drain::countDown);
            socket.get().close();
            BridgeTestSupport.runGuarded(wait, "closing");
            reader.join(60_000);
            assertArrayEquals(sent, got.toByteArray(), "every accepted byte, in order");
        }
    }

    /**
     * Writes from this (non-loop) thread until the stream is unwritable, checks the false flip reaches the
     * listener, fills up to the bound and checks the refusal, then lets the reader drain and waits for the
     * true flip and an empty queue. Returns the bytes accepted.
     */
    private static byte[] fillUntilRefused(MultiHandleWait wait, StreamHandle out, Runnable startDraining) {
        List<Boolean> flips = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        out.setWriteWaterMarks(LOW, HIGH, (s, writable) -> {
            assertTrue(s == out);
            threads.add(Thread.currentThread());
            flips.add(writable);
        });
        out.setMaxPendingWriteBytes(LIMIT);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int seq = 0;
        while (out.isWritable()) {
            seq = write(out, sent, seq);
        }
        assertTrue(out.pendingWriteBytes() > HIGH, "unwritable only above the high mark: " + out.pendingWriteBytes());
        while (flips.isEmpty()) {
            wait.runOnce(Duration.ofMillis(100));
        }
        assertEquals(List.of(false), flips);
        // the reader takes nothing: the queue only grows, up to the bound
        IllegalStateException refused = null;
        while (refused == null) {
            try {
                seq = write(out, sent, seq);
            } catch (IllegalStateException e) {
                refused = e;
            }
        }
        long pending = out.pendingWriteBytes();
        assertTrue(pending <= LIMIT && pending > LIMIT - CHUNK, "filled to the bound: " + pending);
        String m = refused.getMessage();
        assertTrue(m.contains("0x" + Long.toHexString(out.handle())) && m.contains("limit") && m.contains(String.valueOf(LIMIT)), m);
        int seqAtRefusal = seq;
        assertThrows(IllegalStateException.class, () -> write(out, new ByteArrayOutputStream(), seqAtRefusal));
        assertEquals(pending, out.pendingWriteBytes(), "a refused write queues nothing");
        assertFalse(out.isWritable());
        startDraining.run();
        while (out.pendingWriteBytes() > 0 || flips.size() < 2) {
            wait.runOnce(Duration.ofMillis(100));
        }
        assertEquals(List.of(false, true), flips, "one flip each way");
        assertTrue(out.isWritable());
        Thread loopThread = threads.get(0);
        assertTrue(threads.stream().allMatch(t -> t == loopThread && t == Thread.currentThread()), "told on the loop thread");
        return sent.toByteArray();
    }

    private static int write(StreamHandle out, ByteArrayOutputStream sent, int seq) {
        byte[] chunk = Pipes.randomBytes(seq, CHUNK);
        out.write(ByteBuffer.wrap(chunk), null);
        sent.writeBytes(chunk);
        return seq + 1;
    }
}
