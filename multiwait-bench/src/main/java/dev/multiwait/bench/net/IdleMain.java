package dev.multiwait.bench.net;

import dev.multiwait.bench.pump.ProcessStats;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Scenario 5 (issue 15), one contender on the Windows JVM: {@code IdleMain --contender
 * multiwait|aio|selector --connections N --port-file F}. The contender listens; {@link IdleClient}
 * (Linux JVM) opens N connections, which all stay idle with a read pending, then echoes one byte on
 * each in turn; close_s is -1 where the contender's close could not be measured. Prints {@code BENCH name=idle contender=C connections=N accept_s=A echo_s=E close_s=X
 * lib_native_b_per_conn=L private_b_per_conn=P process_threads=T}; lib_native is the library's own
 * native blocks (multiwait only, -1 otherwise); private bytes are the whole process's (run it with a fixed,
 * pre-touched heap, -Xms = -Xmx with -XX:+AlwaysPreTouch, so that what grows is outside the Java heap).
 */
public final class IdleMain {
    private IdleMain() {
    }

    public static void main(String[] args) {
        String contender = arg(args, "contender", "multiwait");
        int n = Integer.parseInt(arg(args, "connections", "1000"));
        Path portFile = Path.of(arg(args, "port-file", "idle-ports.txt"));
        try {
            run(contender, n, portFile);
        } catch (Exception | Error e) {
            System.out.println("BENCHFAIL name=idle contender=" + contender + " error=" + String.valueOf(e).replaceAll("\\s+", "_"));
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void run(String contender, int n, Path portFile) throws Exception {
        IdleServers.Server server = IdleServers.create(contender);
        int dataPort = server.open().getPort();
        try (ServerSocket controlServer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.writeString(portFile, controlServer.getLocalPort() + " " + dataPort + "\n");
            try (Socket control = controlServer.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.US_ASCII));
                 PrintWriter out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.US_ASCII)) {
                settle();
                long lib0 = server.libraryNativeBytes();
                long priv0 = ProcessStats.privateBytes();

                long t0 = System.nanoTime();
                out.println("CONNECT " + n);
                while (server.accepted.get() < n) {
                    check(server, t0);
                    Thread.sleep(1);
                }
                double acceptS = (System.nanoTime() - t0) / 1e9;
                expectOk(in, "CONNECT");
                settle();
                long lib1 = server.libraryNativeBytes();
                long priv1 = ProcessStats.privateBytes();

                t0 = System.nanoTime();
                out.println("ECHO");
                expectOk(in, "ECHO");
                double echoS = (System.nanoTime() - t0) / 1e9;
                check(server, t0);

                int threads = ProcessStats.processThreads();
                t0 = System.nanoTime();
                server.close();
                double closeS = server.closesConnections() ? (System.nanoTime() - t0) / 1e9 : -1;
                out.println("CLOSE");
                expectOk(in, "CLOSE");
                System.out.println(String.format(Locale.ROOT,
                        "BENCH name=idle contender=%s connections=%d accept_s=%.3f echo_s=%.3f close_s=%.3f "
                                + "lib_native_b_per_conn=%d private_b_per_conn=%d process_threads=%d",
                        contender, n, acceptS, echoS, closeS, lib0 < 0 ? -1 : (lib1 - lib0) / n, (priv1 - priv0) / n,
                        threads));
            }
        } finally {
            Files.deleteIfExists(portFile);
        }
    }

    /** Lets pending work finish and the heap shrink before a memory reading. */
    private static void settle() throws InterruptedException {
        Thread.sleep(500);
        System.gc();
        Thread.sleep(200);
    }

    private static void check(IdleServers.Server server, long t0) {
        if (server.failure != null) {
            throw new IllegalStateException(server.failure);
        }
        if (System.nanoTime() - t0 > 600_000_000_000L) {
            throw new IllegalStateException("timed out: " + server.accepted.get() + " accepted");
        }
    }

    private static void expectOk(BufferedReader in, String what) throws Exception {
        String reply = in.readLine();
        if (!"OK".equals(reply)) {
            throw new IllegalStateException("client: " + what + " -> " + reply);
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--" + name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
