package dev.multiwait.demo;

import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.ReadListener;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hundreds of child processes alive at once, every stdout and stderr pumped by one waiter thread
 * into per-child sinks that check each byte against the stream the child was told to write. Each
 * child waits for end of file on its stdin before it streams, so every child's streams are open
 * together once all are launched (launched from several threads while the waiter thread pumps);
 * then every stdin is closed and all of them stream at once.
 */
final class ChildPumpDemo {
    private final int children;
    private final int bytes;
    private final int stderrBytes;
    private final int launchThreads;
    private final String exe;

    ChildPumpDemo(int children, int bytes, int stderrBytes, int launchThreads, String exe) {
        if (children < 1 || bytes < 0 || stderrBytes < 0 || launchThreads < 1) {
            throw new IllegalArgumentException("children and threads must be positive, bytes not negative");
        }
        this.children = children;
        this.bytes = bytes;
        this.stderrBytes = stderrBytes;
        this.launchThreads = launchThreads;
        this.exe = Path.of(exe).toAbsolutePath().toString();
    }

    /** A sink that checks what arrives against the seeded stream (loop thread only). */
    private final class Sink implements ReadListener {
        final SeededStream expected;
        long received;
        long mismatchAt = -1;
        CloseReason end;

        Sink(long seed) {
            expected = new SeededStream(seed);
        }

        @Override
        public void onData(ByteBuffer data) {
            int n = data.remaining();
            int at = mismatchAt < 0 ? expected.check(data) : -1;
            if (at >= 0) {
                mismatchAt = received + at;
            }
            received += n;
            moved += n;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            end = reason;
            openStreams--;
        }
    }

    private final Progress progress = new Progress();
    private Sink[] outs;
    private Sink[] errs;
    private ChildProcess[] procs;
    private int[] codes;
    /** Loop thread only: output streams whose read has not ended, and the most seen at once. */
    private int openStreams;
    private int peakStreams;
    private long moved;
    private int exited;
    private int attached;
    private int peakThreads;
    private int peakHandles;
    private long completions;

    /** One loop turn plus the bookkeeping for progress and peaks. */
    private void turn(MultiHandleWait wait, Duration timeout, int launched) {
        completions += wait.runOnce(timeout);
        peakStreams = Math.max(peakStreams, openStreams);
        peakThreads = Math.max(peakThreads, Thread.activeCount());
        peakHandles = Math.max(peakHandles, HandleCount.ofThisProcess());
        long total = (long) children * (bytes + stderrBytes);
        progress.update(String.format("%d/%d up, %d exited, %d streams", launched, children, exited, openStreams),
                launched, children, moved, total);
    }

    /** Runs on a launcher thread: the child, its two reads and its exit watch. */
    private void launch(MultiHandleWait wait, int i) {
        int exit = i % 200;
        ChildProcess c = ChildProcess.builder(exe, "gate", "stream", String.valueOf(i), String.valueOf(bytes),
                String.valueOf(stderrBytes), String.valueOf(exit)).start(wait);
        procs[i] = c;
        wait.execute(() -> {
            attached++;
            openStreams += 2;
            c.stdout().read(64 * 1024, outs[i]);
            c.stderr().read(16 * 1024, errs[i]);
            c.onExit(code -> {
                codes[i] = code;
                exited++;
            });
        });
    }

    boolean run() {
        long start = System.nanoTime();
        outs = new Sink[children];
        errs = new Sink[children];
        procs = new ChildProcess[children];
        codes = new int[children];
        for (int i = 0; i < children; i++) {
            outs[i] = new Sink(i);
            errs[i] = new Sink(i + 1);
            codes[i] = Integer.MIN_VALUE;
        }
        peakThreads = Thread.activeCount();
        peakHandles = HandleCount.ofThisProcess();
        System.out.printf("demo: %d children x (%d stdout + %d stderr bytes), all alive at once; one MultiHandleWait "
                + "thread, %d launching threads%n", children, bytes, stderrBytes, launchThreads);
        double launchSeconds;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            AtomicInteger next = new AtomicInteger();
            AtomicInteger launched = new AtomicInteger();
            ExecutorService launchers = Executors.newFixedThreadPool(launchThreads);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < launchThreads; t++) {
                jobs.add(launchers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < children; i = next.getAndIncrement()) {
                        launch(wait, i);
                        launched.incrementAndGet();
                    }
                }));
            }
            launchers.shutdown();
            while (!launchers.isTerminated()) {
                turn(wait, Duration.ofMillis(100), launched.get());
            }
            for (Future<?> f : jobs) {
                f.get(); // a failed launch fails the demo
            }
            launchSeconds = (System.nanoTime() - start) / 1e9;
            while (attached < children) { // the last reads are being posted
                turn(wait, Duration.ofMillis(10), children);
            }
            progress.println(String.format("launched %d children in %.2f s; %d streams open at once", children,
                    launchSeconds, peakStreams));
            for (ChildProcess c : procs) {
                c.closeStdin(); // the gate opens: every child streams now
            }
            while (wait.registrationCount() > 0) {
                turn(wait, Duration.ofMillis(200), children);
            }
            for (ChildProcess c : procs) {
                c.close();
            }
        } catch (Exception e) {
            progress.println("demo failed: " + e);
            return false;
        }
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        int good = 0;
        long total = 0;
        for (int i = 0; i < children; i++) {
            Sink o = outs[i];
            Sink e = errs[i];
            total += o.received + e.received;
            boolean ok = o.received == bytes && o.mismatchAt < 0 && o.end == CloseReason.COMPLETED
                    && e.received == stderrBytes && e.mismatchAt < 0 && e.end == CloseReason.COMPLETED
                    && codes[i] == i % 200;
            if (ok) {
                good++;
            } else {
                System.out.printf("child %d: BAD stdout %d bytes (mismatch at %d, %s), stderr %d bytes (mismatch at %d, %s), exit %d (expected %d)%n",
                        i, o.received, o.mismatchAt, o.end, e.received, e.mismatchAt, e.end, codes[i], i % 200);
            }
        }
        System.out.printf("summary: children=%d checksum_ok=%d exit_codes_ok=%d bytes=%d seconds=%.2f "
                        + "launch_seconds=%.2f MB/s=%.1f peak_streams=%d completions=%d dispatch_threads=1 "
                        + "peak_jvm_threads=%d peak_handles=%s%n",
                children, good, countExitOk(codes), total, seconds, launchSeconds, total / seconds / 1e6, peakStreams,
                completions, peakThreads, peakHandles >= 0 ? String.valueOf(peakHandles) : "n/a");
        return good == children;
    }

    private static int countExitOk(int[] codes) {
        int ok = 0;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == i % 200) {
                ok++;
            }
        }
        return ok;
    }
}
