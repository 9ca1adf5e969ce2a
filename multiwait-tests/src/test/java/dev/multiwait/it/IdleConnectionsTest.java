package dev.multiwait.it;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: 2,000 accepted connections with a 64 KiB read active on each, all idle, hold under 1 KiB of
 * the library's native memory per connection (a zero-byte WSARecv waits, no buffer pinned); after a byte
 * echoed on every tenth of them, the borrowed buffers are back and the bound still holds.
 */
class IdleConnectionsTest {
    static final int CONNECTIONS = 2000;
    static final long BOUND_PER_CONNECTION = 1024;

    @Test
    void twoThousandIdleConnectionsHoldUnderOneKibOfNativeMemoryEach() throws Exception {
        List<StreamHandle> accepted = new CopyOnWriteArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        MultiHandleWait wait = new MultiHandleWait();
        Thread loop = new Thread(wait::run, "idle-loop");
        try {
            SocketServer server = wait.listen(Net.loopback4(0), 512, 8, (srv, s, peer) -> {
                accepted.add(s);
                s.read(64 * 1024, data -> {
                    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                    s.write(copy, null); // echo
                });
            });
            loop.start();
            long before = NativeOp.liveBytes();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(SocketChannel.open(server.localAddress()));
            }
            waitFor(() -> accepted.size() == CONNECTIONS, "every connection accepted: " + accepted.size());
            Thread.sleep(200); // the last reads are issued on the loop thread
            long idle = (NativeOp.liveBytes() - before) / CONNECTIONS;

            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < CONNECTIONS; i += 10) {
                SocketChannel c = clients.get(i);
                c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
                one.clear();
                assertEquals(1, c.read(one), "echo on connection " + i);
                assertEquals((byte) i, one.get(0));
            }
            Thread.sleep(200);
            long afterEchoes = (NativeOp.liveBytes() - before) / CONNECTIONS;
            String figures = CONNECTIONS + " idle connections: " + idle + " bytes of library native memory each; "
                    + afterEchoes + " after an echo on every tenth";
            System.out.println("[IdleConnectionsTest] " + figures);
            ProcessStats.reset("idle-connections.txt");
            ProcessStats.record("idle-connections.txt", figures);
            assertTrue(idle < BOUND_PER_CONNECTION, figures);
            assertTrue(afterEchoes < BOUND_PER_CONNECTION, figures);
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            wait.close();
            loop.join(30_000);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
