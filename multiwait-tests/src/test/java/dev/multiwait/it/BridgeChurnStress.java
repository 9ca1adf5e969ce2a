package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.SignalListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.multiwait.it.BridgeTestSupport.K32;

/**
 * A JVM that keeps bridged signals arriving on many wait threads (rounds of 1 to 600 one-shot event
 * watches with pauses, so a wait pool grows and retires its threads) while other threads start Java
 * threads and ProcessBuilder children: the load that stalled a whole process when the bridge ran on
 * the system's wait pool and left Java attached to its threads (JNA #1479). Prints a line per
 * second; exits 0 after the given seconds.
 * Run in its own JVM (a stalled JVM cannot report itself): {@link BridgeThreadChurnTest}.
 */
public final class BridgeChurnStress {
    private static final AtomicLong SIGNALS = new AtomicLong();
    private static final AtomicLong THREADS = new AtomicLong();
    private static final AtomicLong CHILDREN = new AtomicLong();
    private static volatile boolean stopping;

    private BridgeChurnStress() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        WinNT.HANDLE never = K32.CreateEvent(null, true, false, null);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.watch(Handles.raw(never), true, new SignalListener() { // keeps run() running between rounds
                @Override
                public void onSignal() {
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                }
            });
            Thread loop = new Thread(wait::run, "loop");
            loop.start();
            List<Thread> churners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                churners.add(start("thread-churn-" + i, BridgeChurnStress::churnThreads));
            }
            churners.add(start("process-churn", BridgeChurnStress::churnProcesses));
            Thread signaller = start("signaller", () -> signalRounds(wait));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long lastThreads = -1;
            int still = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                System.out.println("progress signals=" + SIGNALS.get() + " threads=" + THREADS.get()
                        + " children=" + CHILDREN.get());
                still = THREADS.get() == lastThreads ? still + 1 : 0;
                lastThreads = THREADS.get();
                if (still == 8) {
                    dumpThreads();
                }
            }
            stopping = true;
            signaller.join();
            for (Thread t : churners) {
                t.join();
            }
            wait.cancel();
            loop.join();
        }
        K32.CloseHandle(never);
        System.out.println("done signals=" + SIGNALS.get() + " threads=" + THREADS.get() + " children=" + CHILDREN.get());
    }

    /** What the JVM can still tell about its threads (it needs a safepoint: a fully stalled VM prints nothing). */
    private static void dumpThreads() {
        StringBuilder sb = new StringBuilder("stall: no thread started for 8 s; threads:\n");
        for (var e : Thread.getAllStackTraces().entrySet()) {
            sb.append("  \"").append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement el : e.getValue()) {
                sb.append("      at ").append(el).append('\n');
            }
        }
        System.out.println(sb);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(3);
            }
        }, name);
        t.start();
        return t;
    }

    private static void churnThreads() throws InterruptedException {
        while (!stopping) {
            Thread t = new Thread(THREADS::incrementAndGet);
            t.start();
            t.join();
        }
    }

    /** Launches retried: Wine's CreateProcessW fails now and then with 1359 under load (as SoakTest's do). */
    private static void churnProcesses() throws Exception {
        int failedInARow = 0;
        while (!stopping) {
            Process p;
            try {
                p = new ProcessBuilder("cmd.exe", "/c", "exit 0")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (java.io.IOException e) {
                if (!String.valueOf(e.getMessage()).contains("error=1359") || ++failedInARow == 3) {
                    throw e;
                }
                continue;
            }
            failedInARow = 0;
            p.waitFor();
            CHILDREN.incrementAndGet();
        }
    }

    /**
     * Rounds alternate between many watches (up to ten pool wait threads) and a few, with pauses past
     * the pool's idle timeout (5 s under Wine), so pool threads keep retiring while Java runs elsewhere.
     */
    private static void signalRounds(MultiHandleWait wait) throws Exception {
        Random random = new Random(7);
        while (!stopping) {
            int n = random.nextBoolean() ? 300 + random.nextInt(300) : 1 + random.nextInt(20);
            round(wait, n);
            if (random.nextInt(4) == 0) {
                Thread.sleep(5000 + random.nextInt(1500));
            }
        }
    }

    private static void round(MultiHandleWait wait, int n) throws InterruptedException {
        List<WinNT.HANDLE> events = new ArrayList<>(n);
        CountDownLatch fired = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            WinNT.HANDLE h = K32.CreateEvent(null, false, false, null);
            events.add(h);
            wait.watch(Handles.raw(h), false, new SignalListener() {
                @Override
                public void onSignal() {
                    SIGNALS.incrementAndGet();
                    fired.countDown();
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                }
            });
        }
        for (WinNT.HANDLE h : events) {
            K32.SetEvent(h);
        }
        if (!fired.await(60, TimeUnit.SECONDS)) {
            System.out.println("round of " + n + ": only " + (n - fired.getCount()) + " signals in 60 s");
            System.exit(4);
        }
        for (WinNT.HANDLE h : events) {
            K32.CloseHandle(h);
        }
    }
}
