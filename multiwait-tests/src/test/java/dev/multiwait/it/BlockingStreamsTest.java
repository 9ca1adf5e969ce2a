package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking InputStream/OutputStream views, for real, with a slow blocking reader: the loop never holds more
 * than the input view's bound, the writer is held back at the high water mark, and every byte arrives in order.
 */
class BlockingStreamsTest {
    private static final int TOTAL = 4 << 20;
    private static final int CHUNK = 10_000;
    private static final int READ_BUFFER = 8 * 1024;
    private static final int MAX_BUFFERED = 64 * 1024;
    private static final long HIGH = 64 * 1024;

    @Test
    void aSlowBlockingReaderBoundsWhatTheLoopHolds() throws Exception {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        byte[] data = Pipes.randomBytes(31, TOTAL);
        WinNT.HANDLE keepAlive = BridgeTestSupport.newEvent(true, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.watch(Handles.raw(keepAlive), false, () -> { }); // the loop runs until close, between writes too
            Thread loop = new Thread(wait::run, "loop");
            loop.start();
            StreamHandle client = wait.attach(pair.client());
            StreamHandle server = wait.attach(pair.server());
            InputStream in = server.asInputStream(READ_BUFFER, MAX_BUFFERED);
            OutputStream out = client.asOutputStream(16 * 1024, HIGH);
            AtomicLong maxPending = new AtomicLong();
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (out) {
                    for (int off = 0; off < TOTAL; off += CHUNK) {
                        out.write(data, off, Math.min(CHUNK, TOTAL - off));
                        maxPending.accumulateAndGet(client.pendingWriteBytes(), Math::max);
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "blocking-writer");
            writer.start();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            int maxAvailable = 0;
            int reads = 0;
            for (int n; (n = in.read(b)) >= 0; ) {
                got.write(b, 0, n);
                maxAvailable = Math.max(maxAvailable, in.available());
                if (++reads % 64 == 0) {
                    Thread.sleep(5); // slower than the writer
                }
            }
            writer.join(60_000);
            assertFalse(writer.isAlive());
            assertNull(writerFailed.get());
            assertArrayEquals(data, got.toByteArray(), "every byte, once, in order");
            assertTrue(maxAvailable <= MAX_BUFFERED + READ_BUFFER, "the loop held at most the bound: " + maxAvailable);
            assertTrue(maxPending.get() <= HIGH, "write() returned only while writable: " + maxPending.get());
            assertEquals(0, client.pendingWriteBytes());
            System.out.println("blocking views: at most " + maxAvailable + " bytes buffered for the reader, "
                    + maxPending.get() + " queued by the writer");
            in.close();
            wait.close();
            loop.join(10_000);
        } finally {
            BridgeTestSupport.close(keepAlive);
        }
    }
}
