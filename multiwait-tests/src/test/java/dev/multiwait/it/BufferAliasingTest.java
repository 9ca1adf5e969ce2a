package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A buffer handed to a read listener is never one the kernel may still be writing: the native
 * layer records every read buffer from the moment ReadFile/WSARecv is issued until its packet is
 * dequeued, and each listener checks that its view overlaps none of them, then stalls while writers
 * on another thread keep sending and checks its view has not changed under it. Some listeners
 * cancel their own read mid-callback; the view must stay intact for the rest of the call.
 */
class BufferAliasingTest {
    /** The real native layer, tracking the read buffers the kernel owns. */
    static final class InFlight extends JnaWin32 {
        final Map<Long, long[]> reads = new ConcurrentHashMap<>();
        final Set<Long> skip = ConcurrentHashMap.newKeySet();
        /** Zero-byte reads issued: idle streams waiting without a buffer, whose data then lands in a borrowed one. */
        final AtomicInteger zeroReads = new AtomicInteger();

        @Override
        public boolean setFileCompletionNotificationModes(long handle, int flags) {
            boolean ok = super.setFileCompletionNotificationModes(handle, flags);
            if (ok) {
                skip.add(handle);
            }
            return ok;
        }

        private void issued(long handle, long overlapped, long buffer, int length, boolean ok) {
            if (length == 0) {
                zeroReads.incrementAndGet();
            }
            // pending, or finished at once but with a packet still to come: the kernel owns the buffer till then
            if (ok ? !skip.contains(handle) : super.lastError() == 997) {
                reads.put(overlapped, new long[] {buffer, buffer + length});
            }
        }

        @Override
        public boolean readFile(long handle, long buffer, int length, long overlapped) {
            reads.put(overlapped, new long[] {buffer, buffer + length}); // owned from before the call
            boolean ok = super.readFile(handle, buffer, length, overlapped);
            reads.remove(overlapped);
            issued(handle, overlapped, buffer, length, ok);
            return ok;
        }

        @Override
        public boolean wsaRecv(long socket, long buffers, int count, long flagsInOut, long overlapped) {
            Pointer wsabuf = new Pointer(buffers);
            long buffer = wsabuf.getLong(8);
            int length = wsabuf.getInt(0);
            reads.put(overlapped, new long[] {buffer, buffer + length});
            boolean ok = super.wsaRecv(socket, buffers, count, flagsInOut, overlapped);
            reads.remove(overlapped);
            issued(socket, overlapped, buffer, length, ok);
            return ok;
        }

        @Override
        public boolean getQueuedCompletionStatusEx(long port, long entries, int count, long removedOut, int timeout) {
            boolean ok = super.getQueuedCompletionStatusEx(port, entries, count, removedOut, timeout);
            int error = super.lastError();
            if (ok) {
                Pointer e = new Pointer(entries);
                int n = new Pointer(removedOut).getInt(0);
                for (int i = 0; i < n; i++) {
                    reads.remove(e.getLong(32L * i + 8));
                }
            }
            if (!ok && error != 258) {
                throw new AssertionError("GetQueuedCompletionStatusEx failed: " + error);
            }
            return ok;
        }

        /** A read buffer the kernel owns that overlaps [at, at + n), or null. */
        long[] overlapping(long at, int n) {
            for (long[] r : reads.values()) {
                if (at < r[1] && r[0] < at + n) {
                    return r;
                }
            }
            return null;
        }
    }

    /** Checks each view against the kernel's buffers, stalls, rechecks; verifies the stream's bytes in order. */
    final class Checking implements ReadListener {
        final String name;
        final byte[] expected;
        final boolean cancelsItself;
        Registration reg;
        int at;
        int calls;
        volatile CloseReason reason;

        Checking(String name, byte[] expected, boolean cancelsItself) {
            this.name = name;
            this.expected = expected;
            this.cancelsItself = cancelsItself;
        }

        @Override
        public void onData(ByteBuffer view) {
            int n = view.remaining();
            long address = Pointer.nativeValue(Native.getDirectBufferPointer(view)) + view.position();
            checks.incrementAndGet();
            if (!layer.reads.isEmpty()) {
                whileKernelBusy.incrementAndGet();
            }
            long[] clash = layer.overlapping(address, n);
            if (clash != null) {
                problems.add(name + ": view [0x" + Long.toHexString(address) + ", +" + n + ") overlaps a read buffer the kernel owns");
            }
            byte[] before = new byte[n];
            view.duplicate().get(before);
            for (int i = 0; i < n; i++) {
                if (at + i >= expected.length || before[i] != expected[at + i]) {
                    problems.add(name + ": byte " + (at + i) + " is not the stream's");
                    break;
                }
            }
            at += n;
            if (++calls % 50 == 0) {
                FaultInjectionTest.sleep(1); // writers keep sending meanwhile
            }
            if (cancelsItself && calls == 3) {
                reg.cancel();
            }
            byte[] afterwards = new byte[n];
            view.duplicate().get(afterwards);
            if (!java.util.Arrays.equals(before, afterwards)) {
                problems.add(name + ": the view changed during the callback");
            }
            bytes.addAndGet(n);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            CloseReason want = cancelsItself && calls >= 3 ? CloseReason.CANCELLED : CloseReason.COMPLETED;
            if (reason != want || (want == CloseReason.COMPLETED && at != expected.length)) {
                problems.add(name + ": ended " + reason + " " + error + " after " + at + "/" + expected.length + " bytes");
            }
            open.decrementAndGet();
        }
    }

    final InFlight layer = new InFlight();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger checks = new AtomicInteger();
    final AtomicInteger whileKernelBusy = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger open = new AtomicInteger();

    @Test
    void viewsHandedToListenersAreNeverBuffersTheKernelStillOwns() throws Exception {
        int pipes = 30;
        int sockets = 10;
        int idle = 10;
        int size = 128 * 1024;
        List<Checking> listeners = new ArrayList<>();
        try (MultiHandleWait readers = Waiters.create(layer, 64); MultiHandleWait writers = new MultiHandleWait()) {
            // One writer loop thread for the whole test: Wine fails I/O issued by a thread that exits
            // before it completes (STATUS_ALERTED, bytes lost), so writes must not be issued by short-lived pumps.
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writerLoop = new Thread(() -> {
                while (writing.get()) {
                    writers.runOnce(java.time.Duration.ofMillis(10));
                }
            }, "writers");
            writerLoop.start();
            // Idle streams: their reads stay pending (the kernel owns those buffers) while the others flow.
            List<StreamHandle> idleWriters = new ArrayList<>();
            for (int i = 0; i < idle; i++) {
                OverlappedPipe.Pair p = OverlappedPipe.create();
                Checking c = new Checking("idle pipe " + i, new byte[0], false);
                listeners.add(c);
                open.incrementAndGet();
                c.reg = readers.attach(p.server()).read(4096, c);
                idleWriters.add(writers.attach(p.client()));
            }
            for (int i = 0; i < pipes; i++) {
                OverlappedPipe.Pair p = OverlappedPipe.create();
                byte[] data = Pipes.randomBytes(i, size);
                Checking c = new Checking("pipe " + i, data, i % 10 == 9);
                listeners.add(c);
                open.incrementAndGet();
                c.reg = readers.attach(p.server()).read(512 + (i * 977) % 8192, c);
                StreamHandle w = writers.attach(p.client());
                String name = c.name;
                for (int off = 0; off < size; off += 16 * 1024) {
                    w.write(ByteBuffer.wrap(data, off, 16 * 1024), (n, e) -> {
                        if (e != null && !c.cancelsItself) { // a reader that cancels leaves its writes stuck till close
                            problems.add(name + ": a write failed: " + e);
                        }
                    });
                }
                w.write(ByteBuffer.allocate(0), (n, e) -> w.close());
            }
            List<Checking> socketListeners = new CopyOnWriteArrayList<>();
            SocketServer server = readers.listen(Net.loopback4(0), (srv, s, peer) -> {
                int i = socketListeners.size();
                Checking c = new Checking("socket " + i, Pipes.randomBytes(1000 + i, size), false);
                socketListeners.add(c);
                c.reg = s.read(512 + (i * 1531) % 16384, new ReadListener() {
                    @Override
                    public void onData(ByteBuffer d) {
                        c.onData(d);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        c.onClose(reason, error);
                        s.close();
                    }
                });
            });
            open.addAndGet(sockets);
            for (int i = 0; i < sockets; i++) {
                byte[] data = Pipes.randomBytes(1000 + i, size);
                int index = i;
                // connect in order, so accept i carries stream i
                writers.connect(server.localAddress(), (ConnectListener) s -> {
                    s.write(ByteBuffer.wrap(data), (n, e) -> {
                        if (e != null) {
                            problems.add("socket " + index + ": the write failed: " + e);
                        }
                    });
                    s.shutdownOutput((n, e) -> s.close());
                });
                while (socketListeners.size() <= index) {
                    readers.runOnce(java.time.Duration.ofMillis(10));
                }
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (open.get() > idle && System.nanoTime() < deadline) {
                readers.runOnce(java.time.Duration.ofMillis(100));
            }
            idleWriters.forEach(w -> writers.execute(w::close)); // now the idle reads see end of stream
            while (open.get() > 0 && System.nanoTime() < deadline) {
                readers.runOnce(java.time.Duration.ofMillis(100));
            }
            server.close();
            writing.set(false);
            writerLoop.join(30_000);
            listeners.addAll(socketListeners);
        }
        String figures = checks.get() + " views checked (" + whileKernelBusy.get() + " while the kernel owned other read buffers), "
                + bytes.get() + " bytes over " + pipes + " pipes and " + sockets + " sockets, " + idle + " idle pipes; "
                + layer.zeroReads.get() + " zero-byte waits (their data read into borrowed blocks)";
        System.out.println("[BufferAliasingTest] " + figures);
        ProcessStats.reset("aliasing.txt");
        ProcessStats.record("aliasing.txt", figures);
        assertEquals(List.of(), problems);
        assertEquals(0, open.get(), "every read ended");
        assertTrue(whileKernelBusy.get() > checks.get() / 2, "the check was not vacuous: " + figures);
        assertFalse(listeners.isEmpty());
        assertTrue(layer.zeroReads.get() > idle, "the borrowed-buffer path was exercised: " + figures);
    }
}
