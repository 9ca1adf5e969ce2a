package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadRegistration;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A paused read under a fast writer, for real: with no read in flight the pipe's or socket's buffers
 * fill and the peer's writes stop completing; nothing read before the pause is lost, nothing is
 * delivered while paused, and resume delivers every byte in order.
 */
class PauseResumeTest {
    /** More than a 64 KiB pipe buffer, and more than loopback TCP's send plus receive buffers. */
    private static final int PIPE_TOTAL = 4 << 20;
    private static final int SOCKET_TOTAL = 48 << 20;

    @Test
    void pausedPipeReaderBlocksTheWriterAndLosesNothing() throws Exception {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        byte[] data = Pipes.randomBytes(11, PIPE_TOTAL);
        AtomicLong written = new AtomicLong();
        try (MultiHandleWait wait = new MultiHandleWait(); MultiHandleWait writer = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pair.server());
            StreamHandle client = writer.attach(pair.client());
            for (int off = 0; off < data.length; off += 64 * 1024) {
                boolean last = off + 64 * 1024 >= data.length;
                client.write(ByteBuffer.wrap(data, off, Math.min(64 * 1024, data.length - off)), (n, err) -> {
                    written.addAndGet(n);
                    if (last) {
                        client.close();
                    }
                });
            }
            Thread w = new Thread(writer::run, "pipe-writer");
            w.start();
            checkPauseAndResume(wait, server, written::get, PIPE_TOTAL, data);
            w.join(60_000);
        }
        assertEquals(PIPE_TOTAL, written.get());
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void pausedSocketReaderBlocksTheWriterAndLosesNothing() throws Exception {
        byte[] data = Pipes.randomBytes(12, SOCKET_TOTAL);
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             MultiHandleWait wait = new MultiHandleWait()) {
            Thread w = new Thread(() -> {
                try (Socket s = peer.accept(); OutputStream out = s.getOutputStream()) {
                    for (int off = 0; off < data.length; off += 64 * 1024) {
                        int n = Math.min(64 * 1024, data.length - off);
                        out.write(data, off, n); // blocks while the paused side's buffers are full
                        written.addAndGet(n);
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "socket-writer");
            w.start();
            AtomicReference<StreamHandle> socket = new AtomicReference<>();
            wait.connect(Net.loopback4(peer.getLocalPort()), socket::set);
            while (socket.get() == null) {
                wait.runOnce(Duration.ofMillis(100));
            }
            checkPauseAndResume(wait, socket.get(), written::get, SOCKET_TOTAL, data);
            w.join(60_000);
            socket.get().close();
            BridgeTestSupport.runGuarded(wait, "closing");
        }
        assertEquals(null, writerFailed.get());
        assertEquals(SOCKET_TOTAL, written.get());
    }

    /**
     * Pauses from onData once some bytes arrived (so no further onData may come), waits until the writer
     * stops making progress, checks it is stuck short of the end; resumes, pauses again from this thread
     * (a read in flight is cancelled: its bytes still come), waits again, resumes and reads to the end.
     */
    private static void checkPauseAndResume(MultiHandleWait wait, StreamHandle stream, LongSupplier written, int total,
                                            byte[] data) {
        Pipes.Collector got = new Pipes.Collector();
        AtomicReference<ReadRegistration> reg = new AtomicReference<>();
        long[] atPause = {-1};
        reg.set(stream.read(16 * 1024, new dev.multiwait.ReadListener() {
            @Override
            public void onData(ByteBuffer buffer) {
                got.onData(buffer);
                if (atPause[0] < 0 && got.bytes.size() >= 100_000) {
                    reg.get().pause();
                    atPause[0] = got.bytes.size();
                }
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                got.onClose(reason, error);
            }
        }));
        while (atPause[0] < 0) {
            assertTrue(reg.get().isActive(), "ended before the pause: " + got.reason + " " + got.error);
            wait.runOnce(Duration.ofMillis(100));
        }
        assertTrue(reg.get().isPaused());
        long stuckAt = waitUntilStuck(wait, written);
        assertEquals(atPause[0], got.bytes.size(), "no onData after a pause from onData");
        assertTrue(stuckAt < total, "the writer is blocked while paused: " + stuckAt + " of " + total);

        reg.get().resume();
        long before = got.bytes.size();
        while (got.bytes.size() < before + 200_000 && got.reason == null) {
            wait.runOnce(Duration.ofMillis(100));
        }
        reg.get().pause(); // from outside the listener: a read in flight is cancelled
        stuckAt = waitUntilStuck(wait, written);
        long pausedAt = got.bytes.size();
        waitUntilStuck(wait, got.bytes::size);
        assertEquals(pausedAt, got.bytes.size(), "nothing delivered while paused");
        assertTrue(stuckAt < total, "blocked again: " + stuckAt + " of " + total);
        assertTrue(reg.get().isActive());

        reg.get().resume();
        while (got.reason == null && got.bytes.size() < total) {
            wait.runOnce(Duration.ofMillis(100));
        }
        assertArrayEquals(data, got.data(), "every byte, once, in order");
        assertNotNull(reg.get());
    }

    /** Runs the loop until {@code progress} has not moved for five rounds of 100 ms; returns where it stopped. */
    private static long waitUntilStuck(MultiHandleWait wait, LongSupplier progress) {
        long last = progress.getAsLong();
        int still = 0;
        while (still < 5) {
            wait.runOnce(Duration.ofMillis(100));
            long now = progress.getAsLong();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }
}
