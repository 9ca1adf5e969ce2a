package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.SignalListener;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thread-safety contract on the real loop: every method but the listeners may be called from
 * any thread while the loop runs. Eight threads register, transfer, cancel and close at once; and
 * close() races cancel(), new registrations and completions arriving late. Listeners must run only
 * on the loop thread, each registration must end exactly once, bytes must arrive in order without
 * loss or duplication (a prefix, when cancelled), and nothing may leak.
 */
class ConcurrencyTest {
    @org.junit.jupiter.api.BeforeAll
    static void freshFigures() {
        ProcessStats.reset("concurrency.txt");
    }

    /** Checks a listener's contract: loop thread only, nothing after onClose, onClose once. */
    static final class Checked implements ReadListener, SignalListener {
        final String name;
        final AtomicReference<Thread> loopThread;
        final ConcurrentLinkedQueue<String> problems;
        final CountDownLatch closed = new CountDownLatch(1);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        volatile CloseReason reason;
        volatile Exception error;
        int closes;
        int signals;

        Checked(String name, AtomicReference<Thread> loopThread, ConcurrentLinkedQueue<String> problems) {
            this.name = name;
            this.loopThread = loopThread;
            this.problems = problems;
        }

        /** The thread inside close(), which dispatches the drain (null while nobody closes). */
        static final AtomicReference<Thread> CLOSER = new AtomicReference<>();

        private void call(String what) {
            if (Thread.currentThread() != loopThread.get() && Thread.currentThread() != CLOSER.get()) {
                problems.add(name + ": " + what + " on " + Thread.currentThread().getName());
            }
            if (closes > 0) {
                problems.add(name + ": " + what + " after onClose");
            }
        }

        @Override
        public void onData(ByteBuffer data) {
            call("onData");
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.writeBytes(b);
        }

        @Override
        public void onSignal() {
            call("onSignal");
            signals++;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            call("onClose");
            closes++;
            this.reason = reason;
            this.error = error;
            closed.countDown();
        }

        boolean await(long seconds) throws InterruptedException {
            return closed.await(seconds, TimeUnit.SECONDS);
        }
    }

    /** Runs the waiter on one long-lived thread until told to stop; that thread also closes it. */
    static final class LoopThread {
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        volatile boolean stop;
        final Thread t;

        LoopThread(MultiHandleWait wait) {
            t = new Thread(() -> {
                thread.set(Thread.currentThread());
                try {
                    while (!stop) {
                        wait.runOnce(Duration.ofMillis(50));
                    }
                    wait.close();
                } catch (IllegalStateException closedElsewhere) {
                    // another thread's close() took over: stay alive until it has drained (see RELIABILITY.md on Wine)
                    awaitQuietly(closedLatch);
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    stopped.countDown();
                }
            }, "loop");
            t.start();
            while (thread.get() == null) {
                Thread.onSpinWait();
            }
        }

        final CountDownLatch closedLatch = new CountDownLatch(1);

        void stopAndJoin() throws InterruptedException {
            stop = true;
            assertTrue(stopped.await(60, TimeUnit.SECONDS), "the loop thread stopped");
            t.join(10_000);
            assertNull(failure.get(), () -> "loop thread: " + failure.get());
        }
    }

    static void awaitQuietly(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void eightThreadsRegisterTransferAndCancelWhileTheLoopRuns() throws Exception {
        int threads = 8;
        int perThread = Integer.getInteger("multiwait.concurrency.ops", 150);
        long seed = Long.getLong("multiwait.concurrency.seed", System.nanoTime());
        System.out.println("[ConcurrencyTest] seed " + seed + " (replay: -Dmultiwait.concurrency.seed=" + seed + ")");
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        workers(threads, 20, seed - 1, problems); // warm-up in the same shape: Wine's wait pool, JIT
        ProcessStats before = ProcessStats.now();
        int ops = workers(threads, perThread, seed, problems);
        ProcessStats after = ProcessStats.now();
        for (int i = 0; i < 20 && after.handles() - before.handles() > 3; i++) {
            FaultInjectionTest.sleep(100); // exited threads' handles go away asynchronously
            after = ProcessStats.now();
        }
        System.out.println("[ConcurrencyTest] " + ops + " operations from " + threads + " threads; before: " + before
                + "; after: " + after);
        ProcessStats.record("concurrency.txt", "eight threads: " + ops + " operations (seed " + seed + "), handles "
                + before.handles() + " -> " + after.handles() + ", native threads " + before.nativeThreads() + " -> "
                + after.nativeThreads() + ", native blocks " + before.nativeBlocks() + " -> " + after.nativeBlocks());
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(threads * perThread, ops);
        assertEquals(before.nativeBlocks(), after.nativeBlocks());
        assertEquals(before.abandonedBlocks(), after.abandonedBlocks());
        int b = before.handles();
        int a = after.handles();
        assertTrue(a - b <= 3, b + " -> " + a);
    }

    /** {@code threads} workers doing {@code perThread} random operations each on one waiter run by one loop thread. */
    private static int workers(int threads, int perThread, long seed, ConcurrentLinkedQueue<String> problems)
            throws Exception {
        AtomicInteger ops = new AtomicInteger();
        MultiHandleWait wait = new MultiHandleWait();
        LoopThread loop = new LoopThread(wait);
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> workerFailed = new AtomicReference<>();
        for (int w = 0; w < threads; w++) {
            Random rnd = new Random(seed + w);
            int id = w;
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        operation(wait, loop.thread, problems, rnd, id * 10_000 + i);
                        ops.incrementAndGet();
                    }
                } catch (Throwable e) {
                    workerFailed.compareAndSet(null, e);
                }
            }, "worker-" + w);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join(TimeUnit.MINUTES.toMillis(3));
            assertFalse(t.isAlive(), t.getName() + " finished");
        }
        assertNull(workerFailed.get(), () -> "worker: " + workerFailed.get());
        assertEquals(0, wait.registrationCount(), "every registration ended");
        loop.stopAndJoin();
        return ops.get();
    }

    /** One random operation from a worker thread; waits for its registrations to end and checks them. */
    private static void operation(MultiHandleWait wait, AtomicReference<Thread> loopThread,
                                  ConcurrentLinkedQueue<String> problems, Random rnd, int id) throws Exception {
        int kind = rnd.nextInt(4);
        if (kind == 3) {
            WinNT.HANDLE e = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
            try {
                Checked c = new Checked("watch " + id, loopThread, problems);
                Registration reg = wait.watch(Handles.raw(e), true, c);
                int sets = rnd.nextInt(3);
                for (int i = 0; i < sets; i++) {
                    Kernel32.INSTANCE.SetEvent(e);
                }
                if (rnd.nextBoolean()) {
                    Thread.sleep(rnd.nextInt(3));
                }
                reg.cancel();
                reg.cancel(); // idempotent
                if (!c.await(30)) {
                    problems.add(c.name + ": never ended");
                } else if (c.reason != CloseReason.CANCELLED || c.closes != 1) {
                    problems.add(c.name + ": ended " + c.reason + " " + c.closes + " times");
                }
            } finally {
                Kernel32.INSTANCE.CloseHandle(e);
            }
            return;
        }
        OverlappedPipe.Pair p = OverlappedPipe.create();
        StreamHandle server = wait.attach(p.server());
        StreamHandle client = wait.attach(p.client());
        byte[] data = Pipes.randomBytes(id, 1 + rnd.nextInt(64 * 1024));
        Checked read = new Checked("read " + id, loopThread, problems);
        Registration reg = server.read(1 + rnd.nextInt(16 * 1024), read);
        CountDownLatch written = new CountDownLatch(1);
        AtomicReference<MultiWaitException> writeError = new AtomicReference<>();
        client.write(ByteBuffer.wrap(data), (n, e) -> {
            writeError.set(e);
            written.countDown();
            client.close();
        });
        switch (kind) {
            case 0 -> { } // transfer to end of stream
            case 1 -> { // cancel the read, racing its completions
                Thread.sleep(rnd.nextInt(2));
                reg.cancel();
            }
            default -> { // close the reading end, racing its completions
                Thread.sleep(rnd.nextInt(2));
                server.close();
            }
        }
        if (!read.await(30) || !written.await(30, TimeUnit.SECONDS)) {
            problems.add(read.name + ": did not end (read " + read.reason + ")");
            return;
        }
        byte[] got = read.bytes.toByteArray();
        if (kind == 0) {
            if (read.reason != CloseReason.COMPLETED || !Arrays.equals(data, got) || writeError.get() != null) {
                problems.add(read.name + ": " + read.reason + ", " + got.length + "/" + data.length + " bytes, write " + writeError.get());
            }
        } else {
            boolean prefix = got.length <= data.length && Arrays.equals(data, 0, got.length, got, 0, got.length);
            if (!prefix || read.reason == CloseReason.FAILED) {
                problems.add(read.name + ": " + read.reason + " " + read.error + ", " + got.length + " bytes, prefix " + prefix);
            }
        }
        server.close();
    }

    @Test
    void closeRacesCancelNewRegistrationsAndLateCompletions() throws Exception {
        int rounds = Integer.getInteger("multiwait.concurrency.rounds", 40);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        int[] ended = new int[4];
        for (int warm = 0; warm < 2; warm++) { // first use: Wine's wait pool, JIT
            closeRace(-1 - warm, problems, new int[4]);
        }
        ProcessStats before = ProcessStats.now();
        for (int round = 0; round < rounds; round++) {
            int r = round;
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException done) {
                    return;
                }
                StringBuilder sb = new StringBuilder("[ConcurrencyTest] round " + r + " stalled:\n");
                Thread.getAllStackTraces().forEach((t, st) -> {
                    sb.append("  ").append(t.getName()).append(" ").append(t.getState()).append('\n');
                    for (StackTraceElement e : st) {
                        sb.append("      at ").append(e).append('\n');
                    }
                });
                System.out.println(sb);
            }, "watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            closeRace(round, problems, ended);
            watchdog.interrupt();
            if (Boolean.getBoolean("multiwait.concurrency.trace")) {
                System.out.println("[ConcurrencyTest] after round " + round + ": " + ProcessStats.now());
            }
        }
        ProcessStats after = ProcessStats.now();
        String figures = rounds + " rounds of close() racing cancel(), registration and late completions: registrations "
                + "ended COMPLETED " + ended[0] + ", CANCELLED " + ended[1] + ", FAILED " + ended[2]
                + "; calls refused after close " + ended[3] + "; handles " + before.handles() + " -> " + after.handles()
                + ", native blocks " + before.nativeBlocks() + " -> " + after.nativeBlocks();
        System.out.println("[ConcurrencyTest] " + figures);
        ProcessStats.record("concurrency.txt", figures);
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(before.nativeBlocks(), after.nativeBlocks());
        assertEquals(before.abandonedBlocks(), after.abandonedBlocks());
        // The process count also holds the JVM's own handles: under load it may start more compiler
        // threads (a few handles each). Every attached handle is checked above to have been closed once.
        int jvmGrowth = Math.max(0, after.nativeThreads() - before.nativeThreads());
        assertTrue(after.handles() - before.handles() <= 3 + 3 * jvmGrowth, before.handles() + " -> " + after.handles()
                + " handles, native threads " + before.nativeThreads() + " -> " + after.nativeThreads());
    }

    private static void closeRace(int round, ConcurrentLinkedQueue<String> problems, int[] ended) throws Exception {
        Net.TrackingWin32 win32 = new Net.TrackingWin32(); // records every CloseHandle the waiter makes
        MultiHandleWait wait = Waiters.create(win32, MultiHandleWait.DEFAULT_BATCH);
        MultiHandleWait writers = new MultiHandleWait();
        LoopThread loop = new LoopThread(wait);
        LoopThread writerLoop = new LoopThread(writers);
        List<Checked> listeners = new ArrayList<>();
        List<Registration> regs = new ArrayList<>();
        List<StreamHandle> writeEnds = new ArrayList<>();
        List<WinNT.HANDLE> events = new ArrayList<>();
        List<WinNT.HANDLE> serverEnds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            serverEnds.add(Handles.handle(p.server()));
            Checked c = new Checked("round " + round + " read " + i, loop.thread, problems);
            listeners.add(c);
            regs.add(wait.attach(p.server()).read(512, c));
            writeEnds.add(writers.attach(p.client()));
            WinNT.HANDLE e = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
            events.add(e);
            Checked w = new Checked("round " + round + " watch " + i, loop.thread, problems);
            listeners.add(w);
            regs.add(wait.watch(Handles.raw(e), true, w));
        }
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Runnable canceller = () -> {
            awaitQuietly(go);
            for (int i = regs.size() - 1; i >= 0; i -= 2) {
                regs.get(i).cancel(); // after close: a no-op, never an exception
            }
        };
        Runnable completer = () -> {
            awaitQuietly(go);
            for (int k = 0; k < 5; k++) {
                for (int i = 0; i < writeEnds.size(); i++) {
                    try {
                        writeEnds.get(i).write(ByteBuffer.wrap(new byte[700]), null);
                    } catch (IllegalStateException closedAlready) {
                        // the writer side's own waiter is not closed here; nothing should throw
                        failed.compareAndSet(null, closedAlready);
                    }
                    Kernel32.INSTANCE.SetEvent(events.get(i));
                }
            }
        };
        Runnable registrar = () -> {
            awaitQuietly(go);
            for (int i = 0; i < 10; i++) {
                try {
                    Checked c = new Checked("round " + round + " late watch " + i, loop.thread, problems);
                    wait.watch(Handles.raw(events.get(i)), false, c);
                    synchronized (listeners) {
                        listeners.add(c);
                    }
                } catch (IllegalStateException closed) {
                    refused.incrementAndGet(); // after close: refused with IllegalStateException, nothing registered
                } catch (Throwable t) {
                    failed.compareAndSet(null, t);
                }
            }
        };
        List<Thread> racers = new ArrayList<>();
        for (Runnable r : List.of(canceller, completer, registrar)) {
            Thread t = new Thread(r, "racer");
            racers.add(t);
            t.start();
        }
        go.countDown();
        Thread.sleep(Math.floorMod(round, 5));
        Checked.CLOSER.set(Thread.currentThread());
        try {
            wait.close(); // from this thread, while the loop thread runs and the racers race
        } finally {
            Checked.CLOSER.set(null);
        }
        loop.closedLatch.countDown();
        for (Thread t : racers) {
            t.join(30_000);
        }
        loop.stopAndJoin();
        writerLoop.stopAndJoin();
        assertNull(failed.get(), () -> "racer: " + failed.get());
        assertEquals(0, wait.registrationCount());
        synchronized (listeners) {
            for (Checked c : listeners) {
                if (c.closes != 1) {
                    problems.add(c.name + ": onClose " + c.closes + " times");
                } else {
                    ended[c.reason.ordinal()]++;
                    if (c.reason == CloseReason.FAILED) {
                        problems.add(c.name + ": FAILED " + c.error);
                    }
                }
            }
        }
        ended[3] += refused.get();
        // Closed by the waiter, exactly once. (Asking whether the handle value is still open would race:
        // once closed, the value may already name a handle some other thread of this JVM has opened since.)
        for (WinNT.HANDLE h : serverEnds) {
            int closes = java.util.Collections.frequency(win32.closedHandles, BridgeTestSupport.raw(h));
            if (closes != 1) {
                problems.add("round " + round + ": the closed waiter called CloseHandle " + closes + " times on "
                        + "an attached pipe end");
            }
        }
        events.forEach(Kernel32.INSTANCE::CloseHandle);
    }
}
