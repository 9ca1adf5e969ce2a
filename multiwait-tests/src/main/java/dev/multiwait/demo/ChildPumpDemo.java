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

/**
 * Hundreds of child processes, every stdout and stderr pumped by one waiter thread into per-child
 * sinks that check each byte against the stream the child was told to write.
 */
final class ChildPumpDemo {
    private final int children;
    private final int bytes;
    private final int stderrBytes;
    private final String exe;

    ChildPumpDemo(int children, int bytes, int stderrBytes, String exe) {
        this.children = children;
        this.bytes = bytes;
        this.stderrBytes = stderrBytes;
        this.exe = Path.of(exe).toAbsolutePath().toString();
    }

    /** A sink that checks what arrives against the seeded stream. */
    private static final class Sink implements ReadListener {
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
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            end = reason;
        }
    }

    private final List<Sink> outs = new ArrayList<>();
    private final List<Sink> errs = new ArrayList<>();
    private int peakThreads;
    private int peakHandles;
    private long completions;
    private long lastPrint;
    private long lastCompletions;

    /** One loop turn plus the bookkeeping for progress and peaks. */
    private void turn(MultiHandleWait wait, Duration timeout) {
        completions += wait.runOnce(timeout);
        peakThreads = Math.max(peakThreads, Thread.activeCount());
        peakHandles = Math.max(peakHandles, HandleCount.ofThisProcess());
        long now = System.nanoTime();
        if (now - lastPrint >= 1_000_000_000L) {
            long open = outs.stream().filter(s -> s.end == null).count() + errs.stream().filter(s -> s.end == null).count();
            long moved = outs.stream().mapToLong(s -> s.received).sum() + errs.stream().mapToLong(s -> s.received).sum();
            System.out.printf("progress: children started %d, streams open %d, bytes %d, completions/s %.0f%n",
                    outs.size(), open, moved, (completions - lastCompletions) * 1e9 / (now - lastPrint));
            lastPrint = now;
            lastCompletions = completions;
        }
    }

    boolean run() {
        long start = System.nanoTime();
        lastPrint = start;
        int[] codes = new int[children];
        peakThreads = Thread.activeCount();
        peakHandles = HandleCount.ofThisProcess();
        System.out.printf("demo: %d children x (%d stdout + %d stderr bytes), one MultiHandleWait thread%n",
                children, bytes, stderrBytes);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<ChildProcess> procs = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                int exit = i % 200;
                ChildProcess c = ChildProcess.builder(exe, "stream", String.valueOf(i), String.valueOf(bytes),
                        String.valueOf(stderrBytes), String.valueOf(exit)).start(wait);
                Sink out = new Sink(i);
                Sink err = new Sink(i + 1);
                outs.add(out);
                errs.add(err);
                c.stdout().read(64 * 1024, out);
                c.stderr().read(16 * 1024, err);
                int index = i;
                codes[i] = Integer.MIN_VALUE;
                c.onExit(code -> codes[index] = code);
                procs.add(c);
                turn(wait, Duration.ZERO); // pump while launching: children block once a pipe buffer is full
            }
            double launched = (System.nanoTime() - start) / 1e9;
            System.out.printf("launched %d children in %.2f s%n", children, launched);
            while (wait.registrationCount() > 0) {
                turn(wait, Duration.ofMillis(200));
            }
            procs.forEach(ChildProcess::close);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int good = 0;
        long total = 0;
        for (int i = 0; i < children; i++) {
            Sink o = outs.get(i);
            Sink e = errs.get(i);
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
        System.out.printf("summary: children=%d checksum_ok=%d exit_codes_ok=%d bytes=%d seconds=%.2f MB/s=%.1f "
                        + "completions=%d dispatch_threads=1 peak_jvm_threads=%d peak_handles=%s%n",
                children, good, countExitOk(codes), total, seconds, total / seconds / 1e6, completions, peakThreads,
                peakHandles >= 0 ? String.valueOf(peakHandles) : "n/a");
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
