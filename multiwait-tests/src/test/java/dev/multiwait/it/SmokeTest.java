package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.PacketBatch;
import dev.multiwait.internal.IocpPort;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chain from Java through JNA to a real completion port works at all. */
class SmokeTest {
    @Test
    void postAndDequeueThroughARealPort() {
        IocpPort port = new IocpPort(JnaWin32.INSTANCE, 8);
        try {
            assertNotEquals(0, port.handle());
            assertTrue(port.post(0x1234_5678_9aL, 42));
            PacketBatch out = new PacketBatch(8);
            port.dequeue(out, 1000);
            assertEquals(1, out.count);
            assertEquals(0x1234_5678_9aL, out.keys[0]);
            assertEquals(42, out.bytes[0]);
            assertEquals(0, out.overlapped[0]);
            port.dequeue(out, 10);
            assertEquals(0, out.count, "an empty port times out with no packet");
        } finally {
            port.close();
        }
    }

    @Test
    void oneOverlappedPipeReadThroughTheWaiter() {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<CloseReason> ends = new ArrayList<>();
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pair.server());
            StreamHandle client = wait.attach(pair.client());
            server.read(4096, new dev.multiwait.ReadListener() {
                @Override
                public void onData(ByteBuffer data) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    got.writeBytes(b);
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    ends.add(reason);
                }
            });
            client.write(ByteBuffer.wrap("hello, port".getBytes(StandardCharsets.US_ASCII)), (n, err) -> client.close());
            wait.run();
        }
        assertEquals("hello, port", got.toString(StandardCharsets.US_ASCII));
        assertEquals(List.of(CloseReason.COMPLETED), ends);
    }
}
