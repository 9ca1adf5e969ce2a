package dev.multiwait.bench.launch;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.bench.Stats;
import dev.multiwait.internal.Waiters;
import dev.multiwait.win32.Win32;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The waiter loop's longest pause: a 1 ms timer re-arms itself on the loop while {@code work} runs
 * on another thread; the gaps between consecutive timer dispatches are the loop's responsiveness.
 */
final class Pauses {
    private Pauses() {
    }

    /** What runs beside the loop (it may launch children on the waiter it gets). */
    interface Work {
        void run(MultiHandleWait wait) throws Exception;
    }

    /** Sleeps or other work that needs no waiter. */
    interface Plain {
        void run() throws Exception;
    }

    static double[] measure(Win32 win32, Plain work) throws Exception {
        return measure(win32, w -> work.run());
    }

    /** @return {max gap ms, median gap ms} */
    static double[] measure(Win32 win32, Work work) throws Exception {
        List<Double> gaps = new ArrayList<>();
        try (MultiHandleWait wait = Waiters.create(win32, MultiHandleWait.DEFAULT_BATCH)) {
            long[] last = {0};
            boolean[] stop = {false};
            Runnable tick = new Runnable() {
                @Override
                public void run() {
                    long now = System.nanoTime();
                    if (last[0] != 0) {
                        gaps.add((now - last[0]) / 1e6);
                    }
                    last[0] = now;
                    if (!stop[0]) {
                        wait.schedule(Duration.ofMillis(1), this);
                    }
                }
            };
            wait.schedule(Duration.ofMillis(1), tick);
            Thread loop = new Thread(wait::runUntilCancelled, "loop");
            loop.start();
            try {
                work.run(wait);
                Thread.sleep(500); // the last children's exits and closes
            } finally {
                wait.schedule(Duration.ZERO, () -> stop[0] = true);
                Thread.sleep(50);
                wait.cancel();
                loop.join();
            }
        }
        Stats s = Stats.of(gaps);
        return new double[] {s.max(), s.median()};
    }
}
