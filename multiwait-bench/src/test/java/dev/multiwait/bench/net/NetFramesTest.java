package dev.multiwait.bench.net;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenario 4's frame sender and checker (on the Linux JVM): good frames pass, every kind of damage fails. */
class NetFramesTest {
    /** What send() writes for n frames, captured through a loopback socket. */
    private static byte[] framesOf(int n) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket a = new Socket(ss.getInetAddress(), ss.getLocalPort());
             Socket b = ss.accept()) {
            AtomicReference<String> error = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    NetMain.send(a, n, 1, error);
                } catch (IOException e) {
                    error.set(e.toString());
                }
            });
            t.start();
            byte[] all = b.getInputStream().readAllBytes();
            t.join();
            assertNull(error.get());
            return all;
        }
    }

    @Test
    void sentFramesCheckCleanlyAndEndWithEndOfStream() throws Exception {
        byte[] all = framesOf(20);
        assertEquals(20 * NetMain.FRAME, all.length);
        assertTrue(NetMain.check(new ByteArrayInputStream(all), 20, "t") > 0);
    }

    @Test
    void aFlippedPayloadBitIsAChecksumError() throws Exception {
        byte[] all = framesOf(5);
        all[3 * NetMain.FRAME + NetMain.HEADER + 1000] ^= 0x10;
        IOException e = assertThrows(IOException.class, () -> NetMain.check(new ByteArrayInputStream(all), 5, "t"));
        assertTrue(e.getMessage().contains("checksum error in frame 3"), e.getMessage());
    }

    @Test
    void aMissingOrRepeatedFrameIsASequenceError() throws Exception {
        byte[] all = framesOf(5);
        byte[] skipped = new byte[4 * NetMain.FRAME];
        System.arraycopy(all, 0, skipped, 0, 2 * NetMain.FRAME);
        System.arraycopy(all, 3 * NetMain.FRAME, skipped, 2 * NetMain.FRAME, 2 * NetMain.FRAME);
        IOException e = assertThrows(IOException.class, () -> NetMain.check(new ByteArrayInputStream(skipped), 4, "t"));
        assertTrue(e.getMessage().contains("sequence error: frame 3 where 2 was due"), e.getMessage());
    }

    @Test
    void aShortStreamOrExtraBytesFail() throws Exception {
        byte[] all = framesOf(3);
        assertThrows(IOException.class, () -> NetMain.check(new ByteArrayInputStream(all, 0, all.length - 1), 3, "t"));
        byte[] longer = java.util.Arrays.copyOf(all, all.length + 1);
        IOException e = assertThrows(IOException.class, () -> NetMain.check(new ByteArrayInputStream(longer), 3, "t"));
        assertTrue(e.getMessage().contains("bytes after the last frame"), e.getMessage());
    }
}
