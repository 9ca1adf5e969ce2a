package dev.multiwait.bench.net;

import dev.multiwait.bench.pump.ProcessStats;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * Scenarios 3 and 4, one contender on the Windows JVM (under Wine on Linux):
 * <pre>
 * NetMain --scenario accept --contender multiwait|aio|selector [--listeners 300] --connects K [--clients 4]
 *         [--reps R] [--warmup W] [--warmup-connects WK] [--timeout-ms T]
 * NetMain --scenario relay --contender multiwait|nio2|blocking --frames N [--reps R] [--warmup W]
 *         [--warmup-frames WN] [--timeout-ms T]
 * </pre>
 * accept: the contender listens on L loopback ports (not timed); each run, {@code --clients} client
 * threads make K connections in all, round-robin over the L ports, each a blocking connect + close;
 * timed from the clients' start to the server's K-th accept. Prints
 * {@code BENCH name=accept contender=C listeners=L connects=K rep=R seconds=S accepts_per_s=A
 * ns_per_completion=X completions=K io_threads=T process_threads=P peak_ws_kb=W heap_peak_kb=H client_threads=CT}.
 *
 * <p>relay: the contender relays one connection from endpoint A to endpoint B (a plain ServerSocket);
 * once it is through (not timed) A and B each send N frames (seq, length, 32 KiB payload, CRC32 of
 * seq + payload) and read and check the N frames of the other, then end of stream; one blocking
 * thread per endpoint and direction, the same for every contender. Timed from the senders' start
 * to the last end of stream. Any sequence, length or checksum error fails the run. Prints
 * {@code BENCH name=relay contender=C connections=1 bytes_per_stream=BYTES_EACH_WAY frames=N rep=R
 * seconds=S mb_per_s=M (both ways) ns_per_completion=X (per frame received) completions=2N errors=0 ...}.
 *
 * <p>On a failure it prints {@code BENCHFAIL name=... contender=... error=...} and exits 1.
 */
public final class NetMain {
    static final int PAYLOAD = 32 * 1024;
    static final int HEADER = 8;
    static final int TRAILER = 8;
    static final int FRAME = HEADER + PAYLOAD + TRAILER;

    private NetMain() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String scenario = opt.getOrDefault("scenario", "");
        String contender = opt.getOrDefault("contender", "");
        int reps = Integer.parseInt(opt.getOrDefault("reps", "1"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "1"));
        long timeout = Long.parseLong(opt.getOrDefault("timeout-ms", "300000"));
        ProcessStats.startHeapSampler();
        try {
            if (scenario.equals("accept")) {
                int listeners = Integer.parseInt(opt.getOrDefault("listeners", "300"));
                int connects = Integer.parseInt(opt.getOrDefault("connects", "3000"));
                int warmConnects = Integer.parseInt(opt.getOrDefault("warmup-connects", Integer.toString(connects)));
                int clients = Integer.parseInt(opt.getOrDefault("clients", "4"));
                acceptRuns(contender, listeners, connects, warmConnects, clients, reps, warmup, timeout);
            } else if (scenario.equals("relay")) {
                int frames = Integer.parseInt(opt.getOrDefault("frames", "2000"));
                int warmFrames = Integer.parseInt(opt.getOrDefault("warmup-frames", Integer.toString(frames)));
                relayRuns(contender, frames, warmFrames, reps, warmup, timeout);
            } else {
                System.err.println("usage: NetMain --scenario accept|relay --contender C ... (see the class comment)");
                System.exit(2);
            }
        } catch (Exception | Error e) {
            System.out.println("BENCHFAIL name=" + scenario + " contender=" + contender + " error="
                    + String.valueOf(e).replaceAll("\\s+", "_"));
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    // ---- scenario 3 ----

    private static void acceptRuns(String name, int listeners, int connects, int warmConnects, int clients, int reps,
                                   int warmup, long timeout) throws Exception {
        try (AcceptServers.Server server = AcceptServers.create(name)) {
            List<InetSocketAddress> ports = server.open(listeners);
            int threads = ProcessStats.processThreads();
            for (int r = 1; r <= warmup + reps; r++) {
                boolean warm = r <= warmup;
                String rep = warm ? "warmup" + r : Integer.toString(r - warmup);
                int k = warm ? warmConnects : connects;
                System.gc();
                ProcessStats.resetHeapPeak();
                long base = server.accepted.get();
                long t0 = System.nanoTime();
                List<Thread> cs = new ArrayList<>();
                AtomicReference<String> clientError = new AtomicReference<>();
                for (int t = 0; t < clients; t++) {
                    int first = t;
                    Thread c = new Thread(() -> {
                        try {
                            for (int j = first; j < k; j += clients) {
                                try (Socket s = new Socket()) {
                                    s.connect(ports.get(j % ports.size()), 10_000);
                                }
                            }
                        } catch (IOException e) {
                            clientError.compareAndSet(null, "client connect: " + e);
                        }
                    }, "client-" + t);
                    c.start();
                    cs.add(c);
                }
                for (Thread c : cs) {
                    c.join(timeout);
                }
                long deadline = System.nanoTime() + timeout * 1_000_000L;
                while (server.accepted.get() - base < k && server.failure == null && clientError.get() == null
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (clientError.get() != null) {
                    throw new IllegalStateException(clientError.get());
                }
                if (server.failure != null) {
                    throw new IllegalStateException(server.failure);
                }
                long got = server.accepted.get() - base;
                if (got != k) {
                    throw new IllegalStateException("accepted " + got + " of " + k + " connections");
                }
                double seconds = (server.lastAcceptNanos - t0) / 1e9;
                System.out.println(String.format(Locale.ROOT,
                        "BENCH name=accept contender=%s listeners=%d connects=%d rep=%s seconds=%.4f accepts_per_s=%.1f"
                                + " ns_per_completion=%.1f completions=%d io_threads=%d process_threads=%d peak_ws_kb=%d"
                                + " heap_peak_kb=%d client_threads=%d",
                        name, listeners, k, rep, seconds, k / seconds, seconds * 1e9 / k, k, server.ioThreads(), threads,
                        ProcessStats.peakWorkingSetKb(), ProcessStats.heapPeakKb(), clients));
                System.out.flush();
            }
        }
    }

    // ---- scenario 4 ----

    private static void relayRuns(String name, int frames, int warmFrames, int reps, int warmup, long timeout) throws Exception {
        try (ServerSocket target = new ServerSocket();
             RelayServers.Server relay = RelayServers.create(name)) {
            target.bind(AcceptServers.loopback(), AcceptServers.BACKLOG);
            target.setSoTimeout(30_000);
            InetSocketAddress through = relay.start((InetSocketAddress) target.getLocalSocketAddress());
            for (int r = 1; r <= warmup + reps; r++) {
                boolean warm = r <= warmup;
                String rep = warm ? "warmup" + r : Integer.toString(r - warmup);
                int n = warm ? warmFrames : frames;
                System.gc();
                ProcessStats.resetHeapPeak();
                try (Socket a = new Socket()) {
                    a.connect(through, 30_000);
                    try (Socket b = target.accept()) {
                        int threads = ProcessStats.processThreads();
                        AtomicReference<String> error = new AtomicReference<>();
                        long[] ends = new long[2];
                        List<Thread> ts = new ArrayList<>();
                        long t0 = System.nanoTime();
                        ts.add(thread("send-a", () -> send(a, n, 1, error), error, a, b));
                        ts.add(thread("send-b", () -> send(b, n, 2, error), error, a, b));
                        ts.add(thread("recv-b", () -> ends[0] = receive(b, n, "a->b"), error, a, b));
                        ts.add(thread("recv-a", () -> ends[1] = receive(a, n, "b->a"), error, a, b));
                        for (Thread t : ts) {
                            t.join(timeout);
                            if (t.isAlive()) {
                                error.compareAndSet(null, t.getName() + " not finished after " + timeout + " ms");
                                a.close();
                                b.close();
                            }
                        }
                        if (error.get() == null && relay.failure != null) {
                            error.set(relay.failure);
                        }
                        if (error.get() != null) {
                            throw new IllegalStateException(error.get());
                        }
                        double seconds = (Math.max(ends[0], ends[1]) - t0) / 1e9;
                        long eachWay = (long) n * FRAME;
                        System.out.println(String.format(Locale.ROOT,
                                "BENCH name=relay contender=%s connections=1 bytes_per_stream=%d frames=%d rep=%s seconds=%.4f"
                                        + " mb_per_s=%.1f ns_per_completion=%.1f completions=%d errors=0 io_threads=%d"
                                        + " process_threads=%d peak_ws_kb=%d heap_peak_kb=%d",
                                name, eachWay, n, rep, seconds, 2 * eachWay / 1e6 / seconds, seconds * 1e9 / (2L * n), 2L * n,
                                relay.ioThreads(), threads, ProcessStats.peakWorkingSetKb(), ProcessStats.heapPeakKb()));
                        System.out.flush();
                    }
                }
            }
        }
    }

    interface IoTask {
        void run() throws Exception;
    }

    private static Thread thread(String name, IoTask task, AtomicReference<String> error, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (Exception e) {
                if (error.compareAndSet(null, name + ": " + e)) {
                    RelayServers.closeQuietly(a); // unblock the other endpoints
                    RelayServers.closeQuietly(b);
                }
            }
        }, name);
        t.start();
        return t;
    }

    /** Eight random payloads per direction; frame i carries payload i % 8. */
    static byte[][] payloads(long seed) {
        Random r = new Random(seed);
        byte[][] p = new byte[8][PAYLOAD];
        for (byte[] b : p) {
            r.nextBytes(b);
        }
        return p;
    }

    static long crc(CRC32 c, int seq, byte[] buf, int off, int len) {
        c.reset();
        c.update(seq >>> 24);
        c.update(seq >>> 16);
        c.update(seq >>> 8);
        c.update(seq);
        c.update(buf, off, len);
        return c.getValue();
    }

    /** Writes frames 0..n-1, then half-closes. */
    static void send(Socket s, int n, long seed, AtomicReference<String> error) throws IOException {
        byte[][] p = payloads(seed);
        byte[] f = new byte[FRAME];
        ByteBuffer bb = ByteBuffer.wrap(f);
        CRC32 c = new CRC32();
        OutputStream out = s.getOutputStream();
        for (int seq = 0; seq < n && error.get() == null; seq++) {
            byte[] payload = p[seq % p.length];
            bb.clear();
            bb.putInt(seq).putInt(PAYLOAD);
            System.arraycopy(payload, 0, f, HEADER, PAYLOAD);
            bb.putLong(HEADER + PAYLOAD, crc(c, seq, payload, 0, PAYLOAD));
            out.write(f);
        }
        s.shutdownOutput();
    }

    /** Reads and checks frames 0..n-1, then expects end of stream; returns System.nanoTime() at the end. */
    static long receive(Socket s, int n, String dir) throws IOException {
        return check(s.getInputStream(), n, dir);
    }

    static long check(InputStream raw, int n, String dir) throws IOException {
        DataInputStream in = raw instanceof DataInputStream d ? d : new DataInputStream(raw);
        byte[] f = new byte[FRAME];
        ByteBuffer bb = ByteBuffer.wrap(f);
        CRC32 c = new CRC32();
        for (int seq = 0; seq < n; seq++) {
            in.readFully(f);
            int gotSeq = bb.getInt(0);
            int len = bb.getInt(4);
            if (gotSeq != seq) {
                throw new IOException(dir + ": sequence error: frame " + gotSeq + " where " + seq + " was due");
            }
            if (len != PAYLOAD) {
                throw new IOException(dir + ": frame " + seq + " says length " + len);
            }
            if (crc(c, seq, f, HEADER, PAYLOAD) != bb.getLong(HEADER + PAYLOAD)) {
                throw new IOException(dir + ": checksum error in frame " + seq);
            }
        }
        int extra = in.read();
        if (extra != -1) {
            throw new IOException(dir + ": bytes after the last frame");
        }
        return System.nanoTime();
    }
}
