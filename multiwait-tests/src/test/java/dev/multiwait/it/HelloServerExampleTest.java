package dev.multiwait.it;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.SocketServer;
import dev.multiwait.examples.HelloServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's HTTP example on 50 ports against outside clients: the JDK's HttpURLConnection and raw
 * sockets in this JVM (scripts/example-clients.sh adds curl and Python's http.client from the Linux side).
 */
class HelloServerExampleTest {
    private static final int PORTS = 50;
    private static final String BODY = "hello from multiwait\n";
    private static final String OK = "HTTP/1.0 200 OK\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n" + BODY;

    @Test
    void answersRealClientsOnEveryPortAndDropsSilentAndOversizedOnes() throws Exception {
        MultiHandleWait wait = new MultiHandleWait();
        List<SocketServer> servers = HelloServer.start(wait, PORTS, BODY, Duration.ofSeconds(1));
        Thread loop = new Thread(wait::runUntilCancelled, "example-loop");
        loop.start();
        try {
            for (SocketServer server : servers) {
                HttpURLConnection http = (HttpURLConnection) new URL(
                        "http://127.0.0.1:" + server.localAddress().getPort() + "/").openConnection();
                http.setReadTimeout(60_000);
                assertEquals(200, http.getResponseCode());
                try (InputStream in = http.getInputStream()) {
                    assertEquals(BODY, new String(in.readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
            int port = servers.get(PORTS - 1).localAddress().getPort();
            // graceful close: the whole response, then end of stream (no reset), also for a request in pieces
            assertEquals(OK, exchange(port, "GET / HTTP/1.0\r\n", "Host: x\r\n\r\n"));
            assertEquals("HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n",
                    exchange(port, "POST / HTTP/1.0\r\n\r\n"));
            // a silent client is dropped by the idle timeout: end of stream, nothing sent
            assertEquals("", exchange(port));
            // 9000 bytes without an end of headers: closed, nothing sent
            String oversized = exchange(port, "GET /" + "a".repeat(9000));
            assertTrue(oversized.isEmpty() || oversized.equals("<reset>"), oversized);
            // the server goes on serving; every connection's registration is gone
            assertEquals(OK, exchange(servers.get(0).localAddress().getPort(), "GET / HTTP/1.0\r\n\r\n"));
            for (int i = 0; i < 600 && wait.registrationCount() > PORTS; i++) {
                Thread.sleep(50);
            }
            assertEquals(PORTS, wait.registrationCount(), "only the listening sockets are left");
        } finally {
            wait.cancel();
            loop.join(60_000);
            wait.close();
        }
    }

    /** Sends each part in its own write, reads to end of stream; a connection reset shows as "<reset>". */
    private static String exchange(int port, String... parts) throws IOException, InterruptedException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000); // a hang guard only
            OutputStream out = socket.getOutputStream();
            for (String part : parts) {
                out.write(part.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                got.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            got.writeBytes("<reset>".getBytes(StandardCharsets.US_ASCII));
        }
        return got.toString(StandardCharsets.US_ASCII);
    }
}
