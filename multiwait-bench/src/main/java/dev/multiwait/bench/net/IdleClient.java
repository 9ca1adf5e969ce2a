package dev.multiwait.bench.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 5's client, on the Linux JVM (Wine sockets are host sockets, so the connections' client
 * ends cost the Windows process nothing): {@code IdleClient PORT_FILE}. It waits for the server's
 * "controlPort dataPort" in PORT_FILE, then obeys the control connection: {@code CONNECT n} opens n
 * connections and keeps them; {@code ECHO} sends one byte on each in turn and reads it back;
 * {@code CLOSE} closes them all. Each command is answered {@code OK} or {@code ERROR ...}.
 */
public final class IdleClient {
    private IdleClient() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Files.exists(file) || Files.readString(file).trim().split(" ").length < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no ports in " + file);
            }
            Thread.sleep(50);
        }
        String[] ports = Files.readString(file).trim().split(" ");
        InetSocketAddress data = new InetSocketAddress("127.0.0.1", Integer.parseInt(ports[1]));
        List<java.nio.channels.SocketChannel> conns = new ArrayList<>();
        try (Socket control = new Socket("127.0.0.1", Integer.parseInt(ports[0]));
             BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.US_ASCII));
             PrintWriter out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.US_ASCII)) {
            String cmd;
            while ((cmd = in.readLine()) != null) {
                try {
                    if (cmd.startsWith("CONNECT ")) {
                        int n = Integer.parseInt(cmd.substring(8));
                        for (int i = 0; i < n; i++) {
                            conns.add(java.nio.channels.SocketChannel.open(data));
                        }
                    } else if (cmd.equals("ECHO")) {
                        ByteBuffer one = ByteBuffer.allocate(1);
                        for (int i = 0; i < conns.size(); i++) {
                            conns.get(i).write(ByteBuffer.wrap(new byte[] {(byte) i}));
                            one.clear();
                            while (one.hasRemaining()) {
                                if (conns.get(i).read(one) < 0) {
                                    throw new IllegalStateException("connection " + i + " closed instead of echoing");
                                }
                            }
                            if (one.get(0) != (byte) i) {
                                throw new IllegalStateException("connection " + i + " echoed the wrong byte");
                            }
                        }
                    } else if (cmd.equals("CLOSE")) {
                        for (java.nio.channels.SocketChannel c : conns) {
                            c.close();
                        }
                        conns.clear();
                    }
                    out.println("OK");
                } catch (Exception e) {
                    out.println("ERROR " + String.valueOf(e).replaceAll("\\s+", "_"));
                }
                if (cmd.equals("CLOSE")) {
                    return;
                }
            }
        }
    }
}
