package dev.multiwait.examples;

import dev.multiwait.AcceptListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.ReadListener;
import dev.multiwait.SocketServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's HTTP example, written only against the README: an HTTP/1.0 server on many ports of one
 * waiter answering every GET with a fixed body, then closing gracefully; silent or slow clients are
 * dropped by an idle timeout, oversized requests by a bound.
 */
public final class HelloServer {
    private HelloServer() {
    }

    /**
     * Listens on {@code ports} free loopback ports of {@code wait}.
     *
     * @param wait        the waiter whose loop serves them
     * @param ports       how many listening sockets
     * @param body        the body every GET gets
     * @param idleTimeout how long a client may send nothing before it is dropped
     * @return the listening sockets (their ports: {@link SocketServer#localAddress()})
     */
    public static List<SocketServer> start(MultiHandleWait wait, int ports, String body, Duration idleTimeout) {
        // README-HTTP-BEGIN
        byte[] ok = ("HTTP/1.0 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        byte[] refused = "HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        AcceptListener onAccepted = AcceptListener.of((server, socket, peer) -> {
            socket.setIdleTimeout(idleTimeout);                       // a silent or slow client ends TIMED_OUT
            StringBuilder request = new StringBuilder();
            socket.read(4096, ReadListener.of(data -> {
                if (socket.attachment() != null) {
                    return;                                           // answered: what follows is ignored
                }
                request.append(StandardCharsets.ISO_8859_1.decode(data));
                if (request.indexOf("\r\n\r\n") >= 0) {
                    socket.attach("answered");
                    socket.write(ByteBuffer.wrap(request.indexOf("GET ") == 0 ? ok : refused), null);
                    socket.closeAfterWrites(idleTimeout, null);       // drain, half-close, close
                } else if (request.length() > 8192) {
                    socket.close();                                   // no end of headers in 8 KiB
                }
            }, (reason, error) -> {
                if (socket.attachment() == null) {
                    socket.close();                                   // ended before a whole request
                }
            }));
        }, (reason, error) -> { });
        List<SocketServer> servers = new ArrayList<>();
        for (int i = 0; i < ports; i++) {
            servers.add(wait.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), onAccepted));
        }
        // README-HTTP-END
        return servers;
    }

    /**
     * Serves until stdin ends (for outside clients, see scripts/example-clients.sh): prints each port on
     * one line, then "ready".
     *
     * @param args the number of ports (default 50)
     */
    public static void main(String[] args) {
        int ports = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            for (SocketServer server : start(wait, ports, "hello from multiwait\n", Duration.ofSeconds(5))) {
                System.out.println(server.localAddress().getPort());
            }
            System.out.println("ready");
            System.out.flush();
            Thread stdin = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // serve until the caller closes our stdin
                    }
                } catch (IOException e) {
                    // stop as at end of input
                }
                wait.cancel();
            }, "stdin-watch");
            stdin.setDaemon(true);
            stdin.start();
            wait.runUntilCancelled();
        }
    }
}
