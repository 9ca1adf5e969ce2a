package dev.multiwait.bench.net;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 5's echo servers (issue 15): one listener, every accepted connection kept with a 64 KiB
 * read pending (or registered for reading), each byte that arrives echoed back. One thread each.
 */
final class IdleServers {
    static final int BUFFER = 64 * 1024;
    static final int BACKLOG = 1024;

    private IdleServers() {
    }

    abstract static class Server implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        volatile String failure;

        abstract InetSocketAddress open() throws Exception;

        /** The library's own native blocks in bytes (-1: not separable from the process, see private bytes). */
        long libraryNativeBytes() {
            return -1;
        }

        final void fail(String what) {
            if (failure == null) {
                failure = what;
            }
        }

        /** close() really closes every connection (false: left to the process's exit, its time not measured). */
        boolean closesConnections() {
            return true;
        }
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
                throw new IllegalArgumentException("unknown idle contender " + name + " (multiwait, aio, selector)");
        }
    }

    /** multiwait: listen() with 8 AcceptEx pending, read(64 KiB) on every connection, one thread in run(). */
    static final class Multiwait extends Server {
        private final MultiHandleWait wait = new MultiHandleWait();
        private Thread loop;

        @Override
        InetSocketAddress open() {
            SocketServer s = wait.listen(AcceptServers.loopback(), BACKLOG, 8, (srv, socket, peer) -> {
                accepted.incrementAndGet();
                socket.read(BUFFER, data -> {
                    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                    socket.write(copy, (n, e) -> {
                        if (e != null) {
                            fail("echo write: " + e);
                        }
                    });
                });
            });
            loop = new Thread(wait::run, "multiwait-idle-loop");
            loop.setDaemon(true);
            loop.start();
            return s.localAddress();
        }

        @Override
        long libraryNativeBytes() {
            return NativeOp.liveBytes();
        }

        @Override
        public void close() throws Exception {
            wait.close(); // cancels every read, closes every socket and the listener
            loop.join(60_000);
        }
    }

    /** AsynchronousServerSocketChannel in a one-thread group; a 64 KiB heap buffer read pending per connection. */
    static final class Aio extends Server {
        private AsynchronousChannelGroup group;
        private AsynchronousServerSocketChannel server;
        private final List<AsynchronousSocketChannel> channels = new CopyOnWriteArrayList<>();

        @Override
        InetSocketAddress open() throws IOException {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, Executors.defaultThreadFactory());
            server = AsynchronousServerSocketChannel.open(group).bind(AcceptServers.loopback(), BACKLOG);
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Void v) {
                    accepted.incrementAndGet();
                    channels.add(ch);
                    read(ch, ByteBuffer.allocate(BUFFER));
                    server.accept(null, this);
                }

                @Override
                public void failed(Throwable e, Void v) {
                    if (server.isOpen()) {
                        fail("accept: " + e);
                    }
                }
            });
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void read(AsynchronousSocketChannel ch, ByteBuffer buf) {
            buf.clear();
            ch.read(buf, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void v) {
                    if (n < 0) {
                        return;
                    }
                    buf.flip();
                    ch.write(buf, null, new CompletionHandler<Integer, Void>() {
                        @Override
                        public void completed(Integer w, Void v) {
                            read(ch, buf); // one byte: written whole
                        }

                        @Override
                        public void failed(Throwable e, Void v) {
                        }
                    });
                }

                @Override
                public void failed(Throwable e, Void v) {
                }
            });
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (AsynchronousSocketChannel c : channels) {
                c.close();
            }
            group.shutdownNow();
            group.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    /** java.nio Selector: OP_READ on every connection, one shared 64 KiB direct buffer, one thread. */
    static final class SelectorServer extends Server {
        private Selector selector;
        private ServerSocketChannel server;
        private Thread loop;
        private volatile boolean running = true;

        @Override
        InetSocketAddress open() throws IOException {
            selector = Selector.open();
            server = ServerSocketChannel.open().bind(AcceptServers.loopback(), BACKLOG);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            loop = new Thread(this::run, "selector-idle-loop");
            loop.setDaemon(true);
            loop.start();
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            try {
                while (running) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        if (k.isAcceptable()) {
                            SocketChannel ch;
                            while ((ch = server.accept()) != null) {
                                ch.configureBlocking(false);
                                ch.register(selector, SelectionKey.OP_READ);
                                accepted.incrementAndGet();
                            }
                        } else if (k.isReadable()) {
                            SocketChannel ch = (SocketChannel) k.channel();
                            buf.clear();
                            if (ch.read(buf) < 0) {
                                k.cancel();
                                ch.close();
                                continue;
                            }
                            buf.flip();
                            ch.write(buf);
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                if (running) {
                    fail("selector: " + e);
                }
            }
        }

        @Override
        boolean closesConnections() {
            return false;
        }

        @Override
        public void close() throws Exception {
            running = false;
            selector.wakeup();
            loop.join(60_000);
            // The channels and the selector are left to the process's exit: under Wine 8 closing them
            // crashes the JVM in ntdll (as in scenario 3's AcceptServers), so no close time is measured.
        }
    }
}
