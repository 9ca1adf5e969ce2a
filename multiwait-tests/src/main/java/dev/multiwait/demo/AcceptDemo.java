package dev.multiwait.demo;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.ReadListener;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The accept-loop use: hundreds of listening sockets on one waiter (the old WaitForMultipleObjects
 * design refused the 64th), each taking several connections; every connection sends a seeded
 * payload that the accepting side checks byte by byte. Clients connect through the same waiter.
 */
final class AcceptDemo {
    private final int listeners;
    private final int connectionsPerListener;
    private final int bytes;

    AcceptDemo(int listeners, int connectionsPerListener, int bytes) {
        this.listeners = listeners;
        this.connectionsPerListener = connectionsPerListener;
        this.bytes = bytes;
    }

    /** Server side of one connection: checks the payload the client was told to send. */
    private final class Check implements ReadListener {
        final SeededStream expected;
        long received;
        boolean corrupt;
        CloseReason end;

        Check(long seed) {
            expected = new SeededStream(seed);
        }

        @Override
        public void onData(ByteBuffer data) {
            int n = data.remaining();
            corrupt |= expected.check(data) >= 0;
            received += n;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            end = reason;
        }

        boolean ok() {
            return !corrupt && received == bytes && end == CloseReason.COMPLETED;
        }
    }

    boolean run() {
        long start = System.nanoTime();
        List<Check> checks = new ArrayList<>();
        int[] accepted = new int[listeners];
        int[] connectFailures = {0};
        System.out.printf("demo: %d listening sockets x %d connections, %d bytes each, one MultiHandleWait thread%n",
                listeners, connectionsPerListener, bytes);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<SocketServer> servers = new ArrayList<>();
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            for (int i = 0; i < listeners; i++) {
                int index = i;
                servers.add(wait.listen(any, 128, 4, (server, socket, peer) -> {
                    accepted[index]++;
                    // The client's first 8 bytes name its seed; the rest is that seed's stream.
                    socket.read(16 * 1024, new SeedThenCheck(checks));
                }));
            }
            double setup = (System.nanoTime() - start) / 1e9;
            System.out.printf("listening on %d sockets after %.2f s%n", listeners, setup);
            long connectStart = System.nanoTime();
            int seed = 0;
            for (int c = 0; c < connectionsPerListener; c++) {
                for (SocketServer server : servers) {
                    long mySeed = seed++;
                    wait.connect(server.localAddress(), new dev.multiwait.ConnectListener() {
                        @Override
                        public void onConnected(StreamHandle socket) {
                            ByteBuffer head = ByteBuffer.allocate(8).putLong(0, mySeed);
                            socket.write(head, null);
                            socket.write(ByteBuffer.wrap(SeededStream.bytes(mySeed, bytes)), null);
                            socket.shutdownOutput();
                            socket.read(1024, d -> { }); // until the server closes its side
                        }

                        @Override
                        public void onClose(CloseReason reason, Exception error) {
                            if (reason == CloseReason.FAILED) {
                                connectFailures[0]++;
                                System.out.println("connect failed: " + error.getMessage());
                            }
                        }
                    });
                }
            }
            int total = listeners * connectionsPerListener;
            long lastPrint = System.nanoTime();
            while (checks.stream().filter(k -> k.end != null).count() + connectFailures[0] < total) {
                wait.runOnce(Duration.ofMillis(200));
                if (System.nanoTime() - lastPrint > 1_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.printf("progress: accepted %d/%d, finished %d%n", sum(accepted), total,
                            checks.stream().filter(k -> k.end != null).count());
                }
            }
            double acceptSeconds = (System.nanoTime() - connectStart) / 1e9;
            servers.forEach(SocketServer::close);
            double seconds = (System.nanoTime() - start) / 1e9;
            long ok = checks.stream().filter(Check::ok).count();
            boolean everyListener = true;
            for (int a : accepted) {
                everyListener &= a == connectionsPerListener;
            }
            System.out.printf("summary: listeners=%d connections=%d accepted=%d payload_ok=%d connect_failures=%d "
                            + "every_listener_accepted=%b seconds=%.2f accepts/s=%.0f dispatch_threads=1%n",
                    listeners, total, sum(accepted), ok, connectFailures[0], everyListener, seconds,
                    sum(accepted) / acceptSeconds);
            return ok == total && everyListener && connectFailures[0] == 0;
        }
    }

    /** Reads the 8-byte seed, then checks the rest against it. */
    private final class SeedThenCheck implements ReadListener {
        private final List<Check> checks;
        private final ByteBuffer head = ByteBuffer.allocate(8);
        private Check check;

        SeedThenCheck(List<Check> checks) {
            this.checks = checks;
        }

        @Override
        public void onData(ByteBuffer data) {
            while (check == null && data.hasRemaining() && head.hasRemaining()) {
                head.put(data.get());
            }
            if (check == null && !head.hasRemaining()) {
                check = new Check(head.getLong(0));
                checks.add(check);
            }
            if (check != null && data.hasRemaining()) {
                check.onData(data);
            }
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            if (check == null) {
                check = new Check(-1);
                check.corrupt = true;
                checks.add(check);
            }
            check.onClose(reason, error);
        }
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int x : a) {
            s += x;
        }
        return s;
    }
}
