package dev.multiwait.bench.timer;

import dev.multiwait.internal.CompletionPort;
import dev.multiwait.internal.EventLoop;
import dev.multiwait.internal.PacketBatch;
import dev.multiwait.internal.TimerTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Timer cost at 1k, 10k and 100k pending timers (plain benchmark, Linux JVM): the loop's timer heap through
 * the real {@link EventLoop} on its own thread (schedule + cancel; fire + re-schedule, which keeps the heap at
 * its size) against java.util.PriorityQueue (add + remove(Object), which is O(n); poll + add) and
 * ScheduledThreadPoolExecutor's queue (schedule + cancel with remove-on-cancel, O(log n), behind a lock).
 * Each figure is the median of 5 runs after 2 warmups, in ns per operation. Run:
 * {@code java -cp multiwait-bench/target/classes:multiwait/target/classes:<jna jars> dev.multiwait.bench.timer.TimerBench}
 */
public final class TimerBench {
    private static final long WINDOW = 1_000_000_000L; // deadlines spread over 1 s (of the fake clock)
    private static final int OPS = 200_000;
    private static final int REPS = 5;
    private static final int WARMUPS = 2;

    /** A port that never has packets: runOnce(0) only runs tasks and timers. */
    private static final class NoPackets implements CompletionPort {
        @Override
        public void associate(long handle, long key) {
        }

        @Override
        public void dequeue(PacketBatch out, int timeoutMillis) {
            out.count = 0;
        }

        @Override
        public boolean post(long key, int bytes) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private TimerBench() {
    }

    public static void main(String[] args) {
        int[] sizes = {1_000, 10_000, 100_000};
        System.out.printf("%-8s | %-22s | %-22s | %-22s | %-22s | %-18s%n", "pending", "heap schedule+cancel",
                "PQ add+remove(Object)", "STPE schedule+cancel", "heap fire+reschedule", "PQ poll+add");
        for (int n : sizes) {
            System.out.printf("%-8d | %22.1f | %22.1f | %22.1f | %22.1f | %18.1f%n", n,
                    median(() -> heapScheduleCancel(n)), median(() -> pqAddRemove(n)), median(() -> stpeScheduleCancel(n)),
                    median(() -> heapFire(n)), median(() -> pqPollAdd(n)));
        }
    }

    private static double median(java.util.function.DoubleSupplier run) {
        for (int i = 0; i < WARMUPS; i++) {
            run.getAsDouble();
        }
        double[] r = new double[REPS];
        for (int i = 0; i < REPS; i++) {
            r[i] = run.getAsDouble();
        }
        Arrays.sort(r);
        return r[REPS / 2];
    }

    /** Runs {@code body} on the loop thread (inside runOnce) and returns what it returns. */
    private static double onLoop(EventLoop loop, java.util.function.DoubleSupplier body) {
        double[] out = new double[1];
        loop.execute(() -> out[0] = body.getAsDouble());
        loop.runOnce(0);
        return out[0];
    }

    private static EventLoop loop(long[] now) {
        EventLoop loop = new EventLoop(null, new NoPackets(), 64);
        LongSupplier clock = () -> now[0];
        loop.clock(clock);
        return loop;
    }

    private static void fill(EventLoop loop, int n, Random random, Runnable task) {
        for (int i = 0; i < n; i++) {
            loop.schedule(WINDOW + (long) (random.nextDouble() * WINDOW), task, false);
        }
    }

    static double heapScheduleCancel(int n) {
        long[] now = {0};
        EventLoop loop = loop(now);
        Random random = new Random(1);
        return onLoop(loop, () -> {
            fill(loop, n, random, () -> { });
            long start = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                TimerTask t = loop.schedule(WINDOW + (long) (random.nextDouble() * WINDOW), () -> { }, false);
                t.cancel();
            }
            return (System.nanoTime() - start) / (double) OPS;
        });
    }

    static double heapFire(int n) {
        long[] now = {0};
        EventLoop loop = loop(now);
        Random random = new Random(2);
        int[] fired = {0};
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            fired[0]++;
            loop.schedule(WINDOW + (long) (random.nextDouble() * WINDOW), again[0], false);
        };
        onLoop(loop, () -> {
            fill(loop, n, random, again[0]);
            return 0;
        });
        // advance the clock so that about 64 timers are due per turn; each re-schedules itself 1..2 s ahead
        long step = Math.max(1, 64 * WINDOW / n);
        now[0] = WINDOW; // the first deadlines
        long start = System.nanoTime();
        while (fired[0] < OPS) {
            now[0] += step;
            loop.runOnce(0);
        }
        return (System.nanoTime() - start) / (double) fired[0];
    }

    private record Entry(long deadline, long seq) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** A queue of {@code n} entries with deadlines 1-2 s ahead, sequence numbers 0..n-1. */
    private static PriorityQueue<Entry> filled(int n, Random random) {
        PriorityQueue<Entry> q = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            q.add(new Entry(WINDOW + (long) (random.nextDouble() * WINDOW), i));
        }
        return q;
    }

    static double pqAddRemove(int n) {
        Random random = new Random(1);
        PriorityQueue<Entry> q = filled(n, random);
        long seq = n;
        int ops = (int) Math.min(OPS, 200_000_000L / n); // remove(Object) scans: fewer rounds at large n
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            Entry e = new Entry(WINDOW + (long) (random.nextDouble() * WINDOW), seq++);
            q.add(e);
            q.remove(e);
        }
        return (System.nanoTime() - start) / (double) ops;
    }

    static double pqPollAdd(int n) {
        Random random = new Random(2);
        PriorityQueue<Entry> q = filled(n, random);
        long seq = n;
        long start = System.nanoTime();
        for (int i = 0; i < OPS; i++) {
            Entry e = q.poll();
            q.add(new Entry(e.deadline + WINDOW + (long) (random.nextDouble() * WINDOW), seq++));
        }
        return (System.nanoTime() - start) / (double) OPS;
    }

    static double stpeScheduleCancel(int n) {
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1);
        stpe.setRemoveOnCancelPolicy(true);
        try {
            Random random = new Random(1);
            List<ScheduledFuture<?>> background = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                background.add(stpe.schedule(() -> { }, 3600 + random.nextInt(3600), TimeUnit.SECONDS));
            }
            long start = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                stpe.schedule(() -> { }, 3600 + random.nextInt(3600), TimeUnit.SECONDS).cancel(false);
            }
            return (System.nanoTime() - start) / (double) OPS;
        } finally {
            stpe.shutdownNow();
        }
    }
}
