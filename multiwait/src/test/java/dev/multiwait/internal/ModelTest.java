package dev.multiwait.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.SignalListener;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;

/**
 * Model-based randomized test of the loop and its stream and bridge registrations. A fake kernel
 * (Harness's mocked Win32 over a MemoryPort) answers every overlapped call at random (pending,
 * synchronous success, short transfer, immediate error), completes pending I/O at random, and
 * injects faults (CancelIoEx failing, posts refused once, a dequeue failing). The test drives a
 * random sequence of API operations and kernel events from one seed and checks, after every step:
 * <ul>
 *   <li>registrationCount equals the registrations the model knows unfinished;</li>
 *   <li>every operation the kernel still owns (pending, or its packet queued) has live native memory
 *       owned by an active operation, and nothing was ever abandoned;</li>
 *   <li>at most one read and one write in flight per handle; no I/O issued on, and no close of, a
 *       handle with I/O pending (except the documented early close after a failed cancel);</li>
 *   <li>no listener is called after its onClose or twice for one write; data views never overlap a
 *       buffer the kernel still owns; every byte the kernel moved is delivered once, in order;</li>
 *   <li>bytes written are a prefix of what the user queued, and each write listener's count matches;</li>
 *   <li>a wait stays registered only while its watch is active.</li>
 * </ul>
 * At the end the waiter is closed: everything ended exactly once, every handle closed once, every
 * wait unregistered, every native block freed. The seed is printed; replay with
 * {@code -Dmultiwait.model.seed=N} (and {@code -Dmultiwait.model.runs=1}).
 */
class ModelTest {
    private static final int STEPS = 400;

    @Test
    void randomOperationSequencesKeepEveryInvariant() {
        long seed = Long.getLong("multiwait.model.seed", System.nanoTime());
        int runs = Integer.getInteger("multiwait.model.runs", 25);
        System.out.println("[ModelTest] seed " + seed + ", " + runs + " runs of " + STEPS
                + " steps (replay: -Dmultiwait.model.seed=" + seed + ")");
        Random seeds = new Random(seed);
        int[] totals = new int[3];
        for (int run = 0; run < runs; run++) {
            long runSeed = seeds.nextLong();
            Model m = new Model(runSeed);
            try {
                m.run();
            } catch (Throwable t) {
                AssertionError e = new AssertionError("seed " + seed + ", run " + run + " (run seed " + runSeed
                        + "), step " + m.step + ": " + t.getMessage() + "\nlast operations:\n  "
                        + String.join("\n  ", m.log), t);
                throw e;
            }
            totals[0] += m.step;
            totals[1] += m.faults;
            totals[2] += m.checks;
        }
        System.out.println("[ModelTest] " + totals[0] + " steps, " + totals[1] + " faults injected, "
                + totals[2] + " invariant checks passed");
    }

    /** One kernel-side operation: issued by the library, owned by the kernel until its packet is dequeued. */
    static final class KOp {
        final long handle;
        final long overlapped;
        final long buffer;
        final int length;
        final boolean read;
        final String text; // for writes: the bytes handed over

        KOp(long handle, long overlapped, long buffer, int length, boolean read, String text) {
            this.handle = handle;
            this.overlapped = overlapped;
            this.buffer = buffer;
            this.length = length;
            this.read = read;
            this.text = text;
        }
    }

    static final class Stream {
        final long handle;
        final StreamEntry entry;
        boolean closeCalled;
        ReaderM reader;
        final StringBuilder queued = new StringBuilder();
        final StringBuilder sent = new StringBuilder();
        int closes;
        boolean cancelFailed;

        Stream(long handle, StreamEntry entry) {
            this.handle = handle;
            this.entry = entry;
        }
    }

    final class ReaderM implements ReadListener {
        final Stream stream;
        final int throwOn;
        final StringBuilder expected = new StringBuilder();
        final StringBuilder got = new StringBuilder();
        Registration reg;
        int data;
        int closes;
        CloseReason reason;
        Exception error;
        RuntimeException thrown;
        final Model m;

        ReaderM(Model m, Stream stream, int throwOn) {
            this.m = m;
            this.stream = stream;
            this.throwOn = throwOn;
        }

        @Override
        public void onData(ByteBuffer view) {
            m.check(closes == 0, "onData after onClose on " + stream.handle);
            m.check(Thread.currentThread() == m.testThread, "listener on another thread");
            m.forgetDequeued();
            long at = Pointer.nativeValue(Native.getDirectBufferPointer(view));
            int n = view.remaining();
            for (KOp op : m.kernel.values()) {
                m.check(at + n <= op.buffer || op.buffer + op.length <= at,
                        "a data view overlaps a buffer the kernel still owns (handle " + op.handle + ")");
            }
            byte[] b = new byte[n];
            view.get(b);
            got.append(new String(b, StandardCharsets.ISO_8859_1));
            if (++data == throwOn) {
                thrown = new IllegalStateException("model listener throws");
                throw thrown;
            }
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            m.check(closes == 0, "onClose twice");
            closes++;
            this.reason = reason;
            this.error = error;
        }
    }

    static final class WriteM {
        final Stream stream;
        final int length;
        int calls;
        int written;
        MultiWaitException error;

        WriteM(Stream stream, int length) {
            this.stream = stream;
            this.length = length;
        }
    }

    static final class WatchM implements SignalListener {
        final long handle;
        final boolean repeat;
        WaitBridge reg;
        int signals;
        int closes;
        CloseReason reason;

        WatchM(long handle, boolean repeat) {
            this.handle = handle;
            this.repeat = repeat;
        }

        @Override
        public void onSignal() {
            if (closes != 0) {
                throw new AssertionError("onSignal after onClose");
            }
            signals++;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            if (closes++ != 0) {
                throw new AssertionError("watch onClose twice");
            }
            this.reason = reason;
        }
    }

    record Wait(long waitHandle, Win32.WaitCallback callback, long context, boolean[] fired) {
    }

    final class Model {
        final Random rnd;
        final Harness h;
        final Thread testThread = Thread.currentThread();
        /** Kernel-owned operations by OVERLAPPED: pending, or completed with the packet not yet dequeued. */
        final Map<Long, KOp> kernel = new LinkedHashMap<>();
        /** Of those, the ones still pending (no packet yet). */
        final Map<Long, KOp> pending = new LinkedHashMap<>();
        final List<Stream> streams = new ArrayList<>();
        final Map<Long, Stream> byHandle = new HashMap<>();
        final List<ReaderM> readers = new ArrayList<>();
        final List<WriteM> writes = new ArrayList<>();
        final List<WatchM> watches = new ArrayList<>();
        final Map<Long, Wait> waits = new LinkedHashMap<>();
        final ArrayDeque<String> log = new ArrayDeque<>();
        final long blocksBefore = NativeOp.liveBlocks();
        final int abandonedBefore = NativeOp.abandonedCount();
        long nextHandle = 0x1000;
        long nextWait = 0x9000;
        int step;
        int faults;
        int checks;

        Model(long seed) {
            rnd = new Random(seed);
            h = new Harness(rnd.nextBoolean());
            h.loop.setErrorHandler((r, t) -> {
                // listener throws and failed cancels are expected; anything else is a finding
                if (!(t instanceof IllegalStateException && "model listener throws".equals(t.getMessage()))
                        && !(t instanceof MultiWaitException && t.getMessage().startsWith("CancelIoEx"))) {
                    throw new AssertionError("unexpected error reported: " + t, t);
                }
            });
            installKernel();
        }

        /** The first violation, kept even if it was thrown inside a listener (where the loop catches it). */
        AssertionError violation;

        void check(boolean ok, String what) {
            checks++;
            if (!ok) {
                AssertionError e = new AssertionError(what);
                if (violation == null) {
                    violation = e;
                }
                throw e;
            }
        }

        void note(String s) {
            log.addLast(step + ": " + s);
            if (log.size() > 25) {
                log.removeFirst();
            }
        }

        // ---- the fake kernel ----

        private void installKernel() {
            Win32 w = h.win32;
            doAnswer(i -> issue(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(3), true))
                    .when(w).readFile(anyLong(), anyLong(), anyInt(), anyLong());
            doAnswer(i -> issue(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(3), false))
                    .when(w).writeFile(anyLong(), anyLong(), anyInt(), anyLong());
            doAnswer(i -> cancel(i.getArgument(0), i.getArgument(1))).when(w).cancelIoEx(anyLong(), anyLong());
            doAnswer(i -> closeHandle(i.getArgument(0))).when(w).closeHandle(anyLong());
            doAnswer(i -> true).when(w).isHandleOpen(anyLong());
            doAnswer(i -> {
                long wh = nextWait++;
                new Pointer(i.<Long>getArgument(0)).setLong(0, wh);
                waits.put(wh, new Wait(wh, i.getArgument(2), i.getArgument(3), new boolean[1]));
                return true;
            }).when(w).registerWaitForSingleObject(anyLong(), anyLong(), any(), anyLong(), anyInt(), anyInt());
            doAnswer(i -> {
                check(waits.remove(i.<Long>getArgument(0)) != null, "UnregisterWaitEx of a wait not registered");
                return true;
            }).when(w).unregisterWaitEx(anyLong(), anyLong());
        }

        private boolean issue(long handle, long buffer, int length, long overlapped, boolean read) {
            forgetDequeued(); // called while the loop dispatches: packets taken in this turn are done
            Stream s = byHandle.get(handle);
            check(s != null && s.closes == 0, (read ? "ReadFile" : "WriteFile") + " on a closed or unknown handle " + handle);
            for (KOp op : kernel.values()) {
                check(op.handle != handle || op.read != read, "two " + (read ? "reads" : "writes") + " in flight on " + handle);
                check(op.overlapped != overlapped, "an OVERLAPPED reused while the kernel owns it");
            }
            String text = read ? null : new String(new Pointer(buffer).getByteArray(0, length), StandardCharsets.ISO_8859_1);
            KOp op = new KOp(handle, overlapped, buffer, length, read, text);
            int dice = rnd.nextInt(100);
            if (dice < 70) {
                h.lastError = Win32Errors.ERROR_IO_PENDING;
                kernel.put(overlapped, op);
                pending.put(overlapped, op);
                return false;
            }
            if (dice < 88) {
                // synchronous success: a packet too unless skip-on-success is in effect
                int n = read ? fill(op, rnd.nextInt(length + 1)) : (rnd.nextBoolean() ? length : rnd.nextInt(length + 1));
                if (!read) {
                    s.sent.append(text, 0, n);
                }
                h.setResult(overlapped, 0, n);
                if (!s.entry.skipOnSuccess) {
                    kernel.put(overlapped, op);
                    h.port.push(s.entry.key(), overlapped, n);
                }
                return true;
            }
            faults++;
            h.lastError = read ? (rnd.nextBoolean() ? Win32Errors.ERROR_BROKEN_PIPE : 64) : Win32Errors.ERROR_NO_DATA;
            return false;
        }

        /** Writes {@code n} random bytes into a read's buffer and credits them to the stream's reader. */
        private int fill(KOp op, int n) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) ('a' + rnd.nextInt(26));
            }
            new Pointer(op.buffer).write(0, b, 0, n);
            Stream s = byHandle.get(op.handle);
            s.reader.expected.append(new String(b, StandardCharsets.ISO_8859_1));
            return n;
        }

        /** The kernel finishes a pending operation: status and bytes into the OVERLAPPED, then a packet. */
        private void finish(KOp op, int error, int n) {
            check(pending.remove(op.overlapped) != null, "finishing an operation that is not pending");
            if (op.read && n > 0) {
                fill(op, n);
            } else if (!op.read && n > 0) {
                byHandle.get(op.handle).sent.append(op.text, 0, n);
            }
            h.setResult(op.overlapped, error, n);
            h.port.push(byHandle.get(op.handle).entry.key(), op.overlapped, n);
        }

        private boolean cancel(long handle, long overlapped) {
            forgetDequeued();
            if (rnd.nextInt(100) < 5) {
                faults++;
                byHandle.get(handle).cancelFailed = true;
                h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
                return false;
            }
            KOp op = pending.get(overlapped);
            if (op == null) {
                h.lastError = Win32Errors.ERROR_NOT_FOUND;
                return false;
            }
            // an aborted operation may already have moved some bytes
            finish(op, Win32Errors.ERROR_OPERATION_ABORTED, rnd.nextInt(4) == 0 ? rnd.nextInt(op.length + 1) : 0);
            return true;
        }

        private boolean closeHandle(long handle) {
            Stream s = byHandle.get(handle);
            check(s != null && s.closes++ == 0, "CloseHandle twice (or of an unknown handle) " + handle);
            for (KOp op : new ArrayList<>(pending.values())) {
                if (op.handle == handle) {
                    check(s.cancelFailed, "CloseHandle with I/O pending on " + handle + " (no cancel failed)");
                    finish(op, Win32Errors.ERROR_HANDLES_CLOSED, 0);
                }
            }
            return true;
        }

        /** Operations whose packet the loop has taken are no longer the kernel's. */
        void forgetDequeued() {
            kernel.values().removeIf(op -> !pending.containsKey(op.overlapped) && !queued(op.overlapped));
        }

        private boolean queued(long overlapped) {
            for (MemoryPort.Packet p : h.port.snapshot()) {
                if (p.overlapped() == overlapped) {
                    return true;
                }
            }
            return false;
        }

        // ---- steps ----

        void run() {
            for (step = 0; step < STEPS; step++) {
                int dice = rnd.nextInt(100);
                if (dice < 8) {
                    attach();
                } else if (dice < 20) {
                    read();
                } else if (dice < 32) {
                    write();
                } else if (dice < 52) {
                    completeSomething();
                } else if (dice < 57) {
                    cancelSomething();
                } else if (dice < 61) {
                    closeSomething();
                } else if (dice < 66) {
                    watch();
                } else if (dice < 74) {
                    fire();
                } else if (dice < 77) {
                    faults++;
                    note("next post refused once");
                    h.port.refuseNextPosts(1);
                } else if (dice < 79) {
                    faults++;
                    note("next dequeue fails");
                    h.port.failNextDequeues(1, 1450);
                } else {
                    turn();
                }
                verify();
            }
            closeAll();
        }

        private void turn() {
            note("runOnce(0)");
            try {
                h.loop.runOnce(0);
            } catch (MultiWaitException e) {
                check(e.getMessage().startsWith("GetQueuedCompletionStatusEx"), "runOnce threw " + e);
            }
            forgetDequeued();
        }

        private Stream openStream() {
            List<Stream> open = streams.stream().filter(s -> !s.closeCalled).toList();
            return open.isEmpty() ? null : open.get(rnd.nextInt(open.size()));
        }

        private void attach() {
            long handle = nextHandle += 4;
            StreamEntry e = h.attach(handle);
            Stream s = new Stream(handle, e);
            streams.add(s);
            byHandle.put(handle, s);
            note("attach " + handle + (e.skipOnSuccess ? " (skip)" : ""));
        }

        private void read() {
            Stream s = streams.isEmpty() ? null : streams.get(rnd.nextInt(streams.size()));
            if (s == null) {
                return;
            }
            ReaderM r = new ReaderM(this, s, rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(3) : -1);
            boolean expectRefusal = s.closeCalled || (s.reader != null && s.reader.closes == 0);
            note("read " + s.handle + (expectRefusal ? " (refused)" : ""));
            try {
                r.reg = s.entry.read(1 + rnd.nextInt(32), r);
                check(!expectRefusal, "read accepted on a closed stream or one with a read active");
                s.reader = r;
                readers.add(r);
            } catch (IllegalStateException refused) {
                check(expectRefusal, "read refused: " + refused.getMessage());
            }
        }

        private void write() {
            Stream s = streams.isEmpty() ? null : streams.get(rnd.nextInt(streams.size()));
            if (s == null) {
                return;
            }
            int n = rnd.nextInt(40);
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) ('A' + rnd.nextInt(26));
            }
            WriteM w = new WriteM(s, n);
            note("write " + n + " to " + s.handle);
            try {
                s.entry.write(ByteBuffer.wrap(b), (written, error) -> {
                    check(w.calls++ == 0, "write listener called twice");
                    check(written >= 0 && written <= n, "written " + written + " of " + n);
                    check(error != null || written == n, "a write without error wrote " + written + " of " + n);
                    w.written = written;
                    w.error = error;
                });
                check(!s.closeCalled, "write accepted on a closed stream");
                s.queued.append(new String(b, StandardCharsets.ISO_8859_1));
                writes.add(w);
            } catch (IllegalStateException refused) {
                check(s.closeCalled, "write refused: " + refused.getMessage());
            }
        }

        private void completeSomething() {
            if (pending.isEmpty()) {
                turn();
                return;
            }
            List<KOp> ops = new ArrayList<>(pending.values());
            KOp op = ops.get(rnd.nextInt(ops.size()));
            int dice = rnd.nextInt(100);
            if (op.read) {
                if (dice < 75) {
                    int n = 1 + rnd.nextInt(Math.max(1, op.length));
                    note("kernel: read " + op.handle + " gets " + Math.min(n, op.length));
                    finish(op, 0, Math.min(n, op.length));
                } else if (dice < 90) {
                    note("kernel: read " + op.handle + " end of stream");
                    finish(op, rnd.nextBoolean() ? Win32Errors.ERROR_BROKEN_PIPE : 0, 0);
                } else {
                    faults++;
                    note("kernel: read " + op.handle + " fails 64");
                    finish(op, 64, 0);
                }
            } else {
                if (dice < 85) {
                    int n = rnd.nextBoolean() ? op.length : rnd.nextInt(op.length + 1);
                    note("kernel: write " + op.handle + " moves " + n + "/" + op.length);
                    finish(op, 0, n);
                } else {
                    faults++;
                    note("kernel: write " + op.handle + " fails 232");
                    finish(op, Win32Errors.ERROR_NO_DATA, 0);
                }
            }
        }

        private void cancelSomething() {
            List<Registration> live = new ArrayList<>();
            readers.stream().filter(r -> r.closes == 0).forEach(r -> live.add(r.reg));
            watches.stream().filter(w -> w.closes == 0).forEach(w -> live.add(w.reg));
            if (!live.isEmpty()) {
                Registration r = live.get(rnd.nextInt(live.size()));
                note("cancel " + r);
                r.cancel();
            }
        }

        private void closeSomething() {
            Stream s = openStream();
            if (s != null) {
                note("close " + s.handle);
                s.closeCalled = true;
                s.entry.close();
            }
        }

        private void watch() {
            long handle = nextHandle += 4;
            WatchM w = new WatchM(handle, rnd.nextBoolean());
            w.reg = new WaitBridge(h.loop, handle, WaitBridge.Kind.SIGNAL, w.repeat, w).start();
            watches.add(w);
            note("watch " + handle + (w.repeat ? " repeating" : ""));
        }

        private void fire() {
            List<Wait> armed = waits.values().stream().filter(w -> !w.fired()[0]).toList();
            if (armed.isEmpty()) {
                return;
            }
            Wait w = armed.get(rnd.nextInt(armed.size()));
            w.fired()[0] = true; // WT_EXECUTEONLYONCE
            note("signal wait 0x" + Long.toHexString(w.waitHandle()));
            Thread pool = new Thread(() -> w.callback().invoke(w.context(), (byte) 0), "wait-pool");
            pool.start();
            try {
                pool.join(5000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        // ---- invariants ----

        void verify() {
            if (violation != null) {
                throw violation;
            }
            forgetDequeued();
            int live = 0;
            for (ReaderM r : readers) {
                live += r.closes == 0 ? 1 : 0;
                check(r.reg.isActive() == (r.closes == 0), "isActive disagrees with onClose");
                if (r.closes == 1) {
                    check(r.got.toString().equals(r.expected.toString()),
                            "read on " + r.stream.handle + " delivered '" + r.got + "', the kernel moved '" + r.expected + "'");
                    if (r.thrown != null) {
                        check(r.reason == CloseReason.FAILED && r.error == r.thrown, "a throwing listener ends FAILED with it");
                    }
                } else {
                    check(r.expected.toString().startsWith(r.got.toString()), "delivered bytes are not what the kernel moved");
                }
            }
            for (WriteM w : writes) {
                live += w.calls == 0 ? 1 : 0;
            }
            for (WatchM w : watches) {
                live += w.closes == 0 ? 1 : 0;
                check(w.repeat || w.signals <= 1, "a one-shot watch signalled twice");
            }
            check(h.loop.liveCount() == live, "liveCount " + h.loop.liveCount() + ", model " + live);
            for (Stream s : streams) {
                check(s.queued.toString().startsWith(s.sent.toString()),
                        "bytes sent on " + s.handle + " are not a prefix of those queued");
                int told = writes.stream().filter(w -> w.stream == s && w.calls == 1).mapToInt(w -> w.written).sum();
                int inFlight = writes.stream().filter(w -> w.stream == s && w.calls == 0).mapToInt(w -> w.length).sum();
                check(told <= s.sent.length() && s.sent.length() <= told + inFlight,
                        "write listeners were told " + told + " bytes, " + s.sent.length() + " were sent on " + s.handle);
            }
            // every operation the kernel owns belongs to an active operation whose memory is live
            for (KOp op : kernel.values()) {
                NativeOp owner = ownerOf(byHandle.get(op.handle), op);
                check(owner != null, "the kernel owns an OVERLAPPED no active operation holds (handle " + op.handle + ")");
                check(Harness.memoryOf(owner).valid(), "native memory freed while the kernel owns it");
            }
            check(NativeOp.abandonedCount() == abandonedBefore, "a block was abandoned");
            for (Wait w : waits.values()) {
                WatchM owner = watches.stream().filter(x -> bridgeKey(x) == w.context())
                        .findFirst().orElse(null);
                check(owner != null && owner.closes == 0, "a wait is registered for a watch that has ended");
            }
        }

        private long bridgeKey(WatchM w) {
            return ((PortEntry) Harness.field(w.reg, "bridge")).key();
        }

        private NativeOp ownerOf(Stream s, KOp op) {
            if (op.read) {
                Object reader = null;
                for (Object o : (java.util.List<?>) Harness.field(s.entry, "ops")) {
                    if (o instanceof StreamReader) {
                        reader = o; // the stream's operations hold at most one read
                    }
                }
                if (reader != null) {
                    NativeOp o = Harness.opOf(reader);
                    if (o.overlapped == op.overlapped && o.isPending()) {
                        return o;
                    }
                }
                return null;
            }
            Object current = Harness.field(Harness.field(s.entry, "writer"), "current");
            if (current != null) {
                NativeOp o = (NativeOp) Harness.field(current, "op");
                if (o != null && o.overlapped == op.overlapped && o.isPending()) {
                    return o;
                }
            }
            return null;
        }

        private void closeAll() {
            note("close the waiter");
            h.port.failNextDequeues(0, 0);
            h.port.refuseNextPosts(0);
            check(h.loop.close(5000), "close() drained");
            forgetDequeued();
            check(pending.isEmpty(), "I/O still pending after close");
            check(kernel.isEmpty(), "packets still queued after close");
            verify();
            check(h.loop.liveCount() == 0, "live after close");
            for (ReaderM r : readers) {
                check(r.closes == 1, "a read never ended");
            }
            for (WriteM w : writes) {
                check(w.calls == 1, "a write listener never told");
            }
            for (WatchM w : watches) {
                check(w.closes == 1, "a watch never ended");
            }
            for (Stream s : streams) {
                check(s.closes == 1, "handle " + s.handle + " closed " + s.closes + " times");
                check(s.queued.toString().startsWith(s.sent.toString()), "sent is not a prefix of queued");
            }
            check(waits.isEmpty(), waits.size() + " waits still registered");
            check(h.loop.table().size() == 0, "keys left in the table");
            check(NativeOp.liveBlocks() == blocksBefore, "native blocks: " + blocksBefore + " before, "
                    + NativeOp.liveBlocks() + " after");
            check(h.port.isClosed(), "port not closed");
        }
    }
}
