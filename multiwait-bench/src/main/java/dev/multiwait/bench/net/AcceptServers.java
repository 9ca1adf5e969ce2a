package dev.multiwait.bench.net;

import dev.multiwait.AcceptListener;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 3's servers: L loopback listeners, every accepted connection counted and closed at once.
 * The harness ({@link NetMain}) drives the same client load at all of them.
 */
final class AcceptServers {
    static final int BACKLOG = 128;

    private AcceptServers() {
    }

    /** One way of accepting on many listening sockets. */
    abstract static class Server implements AutoCloseable {
        final AtomicLong accepted = new AtomicLong();
        volatile long lastAcceptNanos;
        volatile String failure;

        /** Makes {@code listeners} listening sockets on 127.0.0.1 (ports chosen by the system), ready to accept. */
        abstract List<InetSocketAddress> open(int listeners) throws Exception;

        /** Threads the design accepts with. */
        abstract int ioThreads();

        final void counted() {
            accepted.incrementAndGet();
            lastAcceptNanos = System.nanoTime();
        }

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
            case "aio":
                return new Aio();
            case "selector":
                return new SelectorServer();
            default:
                throw new IllegalArgumentException("unknown accept contender " + name + " (multiwait, aio, selector)");
        }
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** multiwait: listen() on every address, AcceptEx kept pending (the default 4 per listener), one thread in run(). */
    static final class Multiwait extends Server {
        private final MultiHandleWait wait = new MultiHandleWait();
        private final List<SocketServer> servers = new ArrayList<>();
        private Thread loop;

        @Override
        List<InetSocketAddress> open(int listeners) {
            AcceptListener l = new AcceptListener() {
                @Override
                public void onAccepted(SocketServer server, StreamHandle socket, InetSocketAddress peer) {
                    socket.close();
                    counted();
                }

                @Override
                public void onAcceptFailed(SocketServer server, MultiWaitException error) {
                    fail("accept failed: " + error.getMessage());
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    if (reason == CloseReason.FAILED) {
                        fail("listener failed: " + error);
                    }
                }
            };
            List<InetSocketAddress> out = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                SocketServer s = wait.listen(loopback(), BACKLOG, MultiHandleWait.DEFAULT_PENDING_ACCEPTS, l);
                servers.add(s);
                out.add(s.localAddress());
            }
            loop = new Thread(wait::run, "multiwait-accept-loop");
            loop.setDaemon(true);
            loop.start();
            return out;
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
     * JDK NIO.2: AsynchronousServerSocketChannel on a group with one thread (on Windows the group is
     * an I/O completion port); one accept pending per listener (the API allows no more), re-armed
     * in the completion handler.
     */
    static final class Aio extends Server {
        private AsynchronousChannelGroup group;
        private final List<AsynchronousServerSocketChannel> servers = new ArrayList<>();

        @Override
        List<InetSocketAddress> open(int listeners) throws IOException {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, r -> {
                Thread t = new Thread(r, "aio-accept");
                t.setDaemon(true);
                return t;
            });
            List<InetSocketAddress> out = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                AsynchronousServerSocketChannel s = AsynchronousServerSocketChannel.open(group).bind(loopback(), BACKLOG);
                servers.add(s);
                out.add((InetSocketAddress) s.getLocalAddress());
                s.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                    @Override
                    public void completed(AsynchronousSocketChannel ch, Void att) {
                        try {
                            ch.close();
                        } catch (IOException e) {
                            fail("close: " + e);
                        }
                        counted();
                        s.accept(null, this);
                    }

                    @Override
                    public void failed(Throwable e, Void att) {
                        if (s.isOpen()) {
                            fail("accept failed: " + e);
                        }
                    }
                });
            }
            return out;
        }

        @Override
        int ioThreads() {
            return 1;
        }

        @Override
        public void close() throws Exception {
            for (AsynchronousServerSocketChannel s : servers) {
                s.close();
            }
            if (group != null) {
                group.shutdownNow();
                group.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** java.nio Selector: every ServerSocketChannel non-blocking in one selector, one thread accepting until null. */
    static final class SelectorServer extends Server {
        private Selector selector;
        private final List<ServerSocketChannel> servers = new ArrayList<>();
        private volatile boolean stop;
        private Thread loop;

        @Override
        List<InetSocketAddress> open(int listeners) throws IOException {
            selector = Selector.open();
            List<InetSocketAddress> out = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(loopback(), BACKLOG);
                s.configureBlocking(false);
                s.register(selector, SelectionKey.OP_ACCEPT);
                servers.add(s);
                out.add((InetSocketAddress) s.getLocalAddress());
            }
            loop = new Thread(this::run, "selector-accept");
            loop.setDaemon(true);
            loop.start();
            return out;
        }

        private void run() {
            try {
                while (!stop) {
                    selector.select();
                    for (SelectionKey k : selector.selectedKeys()) {
                        ServerSocketChannel s = (ServerSocketChannel) k.channel();
                        SocketChannel ch;
                        while ((ch = s.accept()) != null) {
                            ch.close();
                            counted();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | RuntimeException e) {
                if (!stop) {
                    fail("selector loop: " + e);
                }
            }
        }

        @Override
        int ioThreads() {
            return 1;
        }

        @Override
        public void close() throws Exception {
            stop = true;
            if (selector != null) {
                selector.wakeup();
            }
            if (loop != null) {
                loop.join(10_000);
            }
            // The channels and the selector are left to the process's exit (NetMain exits right
            // after): under Wine 8, closing them here crashed the JVM in ntdll heap_free_block
            // after every measurement had been printed, and the crashed JVM hung instead of exiting.
        }
    }
}
