package dev.multiwait.bench.net;

import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.RelayListener;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 4's relays: listen on a loopback port; for every accepted connection connect to the
 * target and copy bytes both ways until both directions ended (a direction's end half-closes its
 * sink), with 64 KiB of buffer per direction.
 */
final class RelayServers {
    /** Per direction; the system property is for experiments only (scripts/bench.sh leaves the default). */
    static final int BUFFER = Integer.getInteger("mw.bench.relayBuffer", 64 * 1024);

    private RelayServers() {
    }

    abstract static class Server implements AutoCloseable {
        volatile String failure;
        final AtomicInteger finished = new AtomicInteger();

        /** Starts listening; connections accepted there are relayed to {@code target}. Returns the listening address. */
        abstract InetSocketAddress start(InetSocketAddress target) throws Exception;

        /** Threads the design relays one connection with (its acceptor included). */
        abstract int ioThreads();

        final void fail(String what) {
            if (failure == null) {
                failure = what;
            }
        }

        @Override
        public abstract void close() throws Exception;
    }

    static Server create(String name) {
        switch (name) {
            case "multiwait":
                return new Multiwait();
            case "nio2":
                return new Nio2();
            case "blocking":
                return new Blocking();
            default:
                throw new IllegalArgumentException("unknown relay contender " + name + " (multiwait, nio2, blocking)");
        }
    }

    /** multiwait: listen(), connect() on accept, then relay(accepted, outbound, 64 KiB); one thread in run(). */
    static final class Multiwait extends Server {
        private final MultiHandleWait wait = new MultiHandleWait();
        private Thread loop;

        @Override
        InetSocketAddress start(InetSocketAddress target) {
            SocketServer server = wait.listen(AcceptServers.loopback(), AcceptServers.BACKLOG, 2, (srv, accepted, peer) ->
                    wait.connect(target, new ConnectListener() {
                        @Override
                        public void onConnected(StreamHandle outbound) {
                            wait.relay(accepted, outbound, BUFFER, new RelayListener() {
                                @Override
                                public void onClose(CloseReason reason, Exception error) {
                                    if (reason != CloseReason.COMPLETED) {
                                        fail("relay ended " + reason + ": " + error);
                                    }
                                    finished.incrementAndGet();
                                }
                            });
                        }

                        @Override
                        public void onClose(CloseReason reason, Exception error) {
                            if (reason != CloseReason.COMPLETED) {
                                accepted.close();
                                fail("connect to target " + reason + ": " + error);
                            }
                        }
                    }));
            loop = new Thread(wait::run, "multiwait-relay-loop");
            loop.setDaemon(true);
            loop.start();
            return server.localAddress();
        }

        @Override
        int ioThreads() {
            return 1;
        }

        @Override
        public void close() throws Exception {
            wait.close();
            if (loop != null) {
                loop.join(10_000);
            }
        }
    }

    /**
     * JDK NIO.2: AsynchronousServerSocketChannel / AsynchronousSocketChannel on a group with one thread
     * (an I/O completion port on Windows); per direction one 64 KiB direct buffer, read then write
     * it out fully, then read again; end of stream shuts the sink's output down.
     */
    static final class Nio2 extends Server {
        private AsynchronousChannelGroup group;
        private AsynchronousServerSocketChannel server;

        @Override
        InetSocketAddress start(InetSocketAddress target) throws IOException {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, r -> {
                Thread t = new Thread(r, "nio2-relay");
                t.setDaemon(true);
                return t;
            });
            server = AsynchronousServerSocketChannel.open(group).bind(AcceptServers.loopback(), AcceptServers.BACKLOG);
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel a, Void att) {
                    server.accept(null, this);
                    try {
                        AsynchronousSocketChannel b = AsynchronousSocketChannel.open(group);
                        b.connect(target, null, new CompletionHandler<Void, Void>() {
                            @Override
                            public void completed(Void v, Void att2) {
                                Connection c = new Connection(a, b);
                                new Direction(c, a, b).read();
                                new Direction(c, b, a).read();
                            }

                            @Override
                            public void failed(Throwable e, Void att2) {
                                fail("connect to target: " + e);
                                closeQuietly(a);
                                closeQuietly(b);
                            }
                        });
                    } catch (IOException e) {
                        fail("open: " + e);
                        closeQuietly(a);
                    }
                }

                @Override
                public void failed(Throwable e, Void att) {
                    if (server.isOpen()) {
                        fail("accept: " + e);
                    }
                }
            });
            return (InetSocketAddress) server.getLocalAddress();
        }

        private final class Connection {
            final AsynchronousSocketChannel a;
            final AsynchronousSocketChannel b;
            final AtomicInteger ended = new AtomicInteger();

            Connection(AsynchronousSocketChannel a, AsynchronousSocketChannel b) {
                this.a = a;
                this.b = b;
            }

            void directionEnded() {
                if (ended.incrementAndGet() == 2) {
                    closeQuietly(a);
                    closeQuietly(b);
                    finished.incrementAndGet();
                }
            }

            void error(Throwable e) {
                if (a.isOpen() || b.isOpen()) {
                    fail("relay I/O: " + e);
                }
                closeQuietly(a);
                closeQuietly(b);
            }
        }

        private final class Direction {
            final Connection c;
            final AsynchronousSocketChannel from;
            final AsynchronousSocketChannel to;
            final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            final CompletionHandler<Integer, Void> onRead = new CompletionHandler<>() {
                @Override
                public void completed(Integer n, Void att) {
                    if (n < 0) {
                        try {
                            to.shutdownOutput();
                        } catch (IOException e) {
                            c.error(e);
                            return;
                        }
                        c.directionEnded();
                        return;
                    }
                    buf.flip();
                    to.write(buf, null, onWritten);
                }

                @Override
                public void failed(Throwable e, Void att) {
                    c.error(e);
                }
            };
            final CompletionHandler<Integer, Void> onWritten = new CompletionHandler<>() {
                @Override
                public void completed(Integer n, Void att) {
                    if (buf.hasRemaining()) {
                        to.write(buf, null, this);
                    } else {
                        read();
                    }
                }

                @Override
                public void failed(Throwable e, Void att) {
                    c.error(e);
                }
            };

            Direction(Connection c, AsynchronousSocketChannel from, AsynchronousSocketChannel to) {
                this.c = c;
                this.from = from;
                this.to = to;
            }

            void read() {
                buf.clear();
                from.read(buf, null, onRead);
            }
        }

        @Override
        int ioThreads() {
            return 1;
        }

        @Override
        public void close() throws Exception {
            if (server != null) {
                server.close();
            }
            if (group != null) {
                group.shutdownNow();
                group.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Blocking java.net sockets: an acceptor thread, and per connection two threads copying 64 KiB at a time. */
    static final class Blocking extends Server {
        private ServerSocket server;
        private Thread acceptor;

        @Override
        InetSocketAddress start(InetSocketAddress target) throws IOException {
            server = new ServerSocket();
            server.bind(AcceptServers.loopback(), AcceptServers.BACKLOG);
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket a = server.accept();
                        Socket b = new Socket();
                        b.connect(target, 10_000);
                        AtomicInteger ended = new AtomicInteger();
                        start(a, b, ended, "a->b");
                        start(b, a, ended, "b->a");
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            fail("accept/connect: " + e);
                        }
                    }
                }
            }, "blocking-relay-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private void start(Socket from, Socket to, AtomicInteger ended, String name) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[BUFFER];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                    }
                    to.shutdownOutput();
                    if (ended.incrementAndGet() == 2) {
                        from.close();
                        to.close();
                        finished.incrementAndGet();
                    }
                } catch (IOException e) {
                    fail("relay " + name + ": " + e);
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "blocking-relay-" + name);
            t.setDaemon(true);
            t.start();
        }

        @Override
        int ioThreads() {
            return 3;
        }

        @Override
        public void close() throws Exception {
            if (server != null) {
                server.close();
            }
            if (acceptor != null) {
                acceptor.join(10_000);
            }
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on an error path
        }
    }
}
