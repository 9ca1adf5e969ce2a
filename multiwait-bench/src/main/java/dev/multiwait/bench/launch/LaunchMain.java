package dev.multiwait.bench.launch;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.bench.Stats;
import dev.multiwait.internal.ProcessLaunch;
import dev.multiwait.internal.Waiters;
import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 6 (launch rate; run by scripts/bench.sh under Wine): in one JVM, rounds of N launches of
 * the same child ({@code mwchild exit 0}) by four contenders in rotating order: ChildProcess.start,
 * ProcessBuilder.start, a bare CreateProcessW through the same JNA seam (ProcessLaunch with NUL
 * handles: no pipes, job, attach or watch), and native-probes/bench_launch.c (the same launch in C,
 * run as its own process). Only the start call is timed; each child's exit and streams are then
 * collected untimed. Then launches/s of ChildProcess.start from 1 and 4 threads, and the waiter
 * loop's longest pause between 1 ms timer dispatches while another thread launches 200 children.
 * Prints raw LAUNCH lines, then the report.
 *
 * <p>Arguments: --child EXE --native BENCH_LAUNCH_EXE [--launches N] [--rounds R] [--pause-launches P]
 * [--rate-launches M]
 */
public final class LaunchMain {
    static final List<String> CONTENDERS = List.of("native", "multiwait", "processbuilder", "bare");

    private final String child;
    private final String nativeExe;
    private final PhaseTimer timer = new PhaseTimer();
    private final Map<String, List<Double>> ms = new LinkedHashMap<>();
    private final Map<String, List<Double>> phases = new LinkedHashMap<>();
    private final List<Map<String, Long>> calls = new ArrayList<>();

    private LaunchMain(String child, String nativeExe) {
        this.child = child;
        this.nativeExe = nativeExe;
        CONTENDERS.forEach(c -> ms.put(c, new ArrayList<>()));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        String child = Path.of(a.get("--child")).toAbsolutePath().toString();
        LaunchMain m = new LaunchMain(child, Path.of(a.get("--native")).toAbsolutePath().toString());
        int launches = Integer.parseInt(a.getOrDefault("--launches", "20"));
        int rounds = Integer.parseInt(a.getOrDefault("--rounds", "3"));
        int pauseLaunches = Integer.parseInt(a.getOrDefault("--pause-launches", "200"));
        int rateLaunches = Integer.parseInt(a.getOrDefault("--rate-launches", "40"));
        try (MultiHandleWait wait = Waiters.create(m.timer.wrap(), MultiHandleWait.DEFAULT_BATCH)) {
            Thread loop = new Thread(wait::runUntilCancelled, "loop");
            loop.start();
            for (String c : CONTENDERS) { // warmup: JIT, DLLs, the wineserver's caches; not recorded
                m.run(c, wait, 3, false);
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < CONTENDERS.size(); i++) {
                    m.run(CONTENDERS.get((i + r) % CONTENDERS.size()), wait, launches, true);
                }
            }
            Map<Integer, Double> rates = new LinkedHashMap<>();
            for (int threads : new int[] {1, 4, 1, 4}) { // twice each, interleaved: the machine's load drifts
                double rate = m.rate(wait, threads, rateLaunches);
                System.out.printf(Locale.ROOT, "LAUNCHRATE threads=%d launches=%d per_s=%.2f%n", threads, rateLaunches, rate);
                rates.merge(threads, rate, Math::max);
            }
            wait.cancel();
            loop.join();
            double[] quiet = Pauses.measure(m.timer.wrap(), () -> Thread.sleep(3000));
            double[] launching = Pauses.measure(m.timer.wrap(), w -> {
                for (int i = 0; i < pauseLaunches; i++) {
                    m.launchAndReap(w);
                }
            });
            m.report(launches, rounds, rates, quiet, launching, pauseLaunches);
        }
    }

    /** {@code n} launches by contender {@code c}; their start times recorded when {@code record}. */
    private void run(String c, MultiHandleWait wait, int n, boolean record) throws Exception {
        List<Double> times = new ArrayList<>();
        switch (c) {
            case "native" -> times.addAll(nativeRun(n));
            case "multiwait" -> {
                for (int i = 0; i < n; i++) {
                    timer.take();
                    long t0 = System.nanoTime();
                    ChildProcess p = ChildProcess.builder(child, "exit", "0").start(wait);
                    double total = (System.nanoTime() - t0) / 1e6;
                    Map<String, Long> spent = timer.take();
                    reap(p);
                    times.add(total);
                    if (record) {
                        recordPhases(total, spent);
                    }
                }
            }
            case "processbuilder" -> {
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder(child, "exit", "0").start();
                    times.add((System.nanoTime() - t0) / 1e6);
                    p.getOutputStream().close();
                    drain(p.getInputStream());
                    drain(p.getErrorStream());
                    p.waitFor();
                }
            }
            case "bare" -> times.addAll(bare(n));
            default -> throw new IllegalArgumentException(c);
        }
        if (record) {
            ms.get(c).addAll(times);
            times.forEach(t -> System.out.printf(Locale.ROOT, "LAUNCH contender=%s ms=%.3f%n", c, t));
        }
    }

    /** Not readAllBytes: under Wine it asks the pipe for its length, which fails (Invalid function). */
    private static void drain(java.io.InputStream in) throws java.io.IOException {
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
            // discard
        }
        in.close();
    }

    private static void reap(ChildProcess p) throws Exception {
        p.closeStdin();
        p.stdout().close();
        p.stderr().close();
        p.onExit().get(30, TimeUnit.SECONDS);
        p.close();
    }

    /** One ChildProcess launch whose streams and handle are released when it exits. */
    void launchAndReap(MultiHandleWait wait) {
        ChildProcess p = ChildProcess.builder(child, "exit", "0").start(wait);
        p.closeStdin();
        p.stdout().close();
        p.stderr().close();
        p.onExit().whenComplete((code, error) -> p.close());
    }

    /** Windows' share is the CreateProcessW call itself; the rest of start is the library's, by phase. */
    private void recordPhases(double total, Map<String, Long> spent) {
        Map<String, Double> p = new LinkedHashMap<>();
        double createProcess = spent.getOrDefault("createProcess", 0L) / 1e6;
        p.put("own", total - createProcess);
        p.put("pipes", sum(spent, "createNamedPipe", "createFile"));
        p.put("job+resume", sum(spent, "assignProcessToJobObject", "createJobObject", "setInformationJobObject",
                "queryInformationJobObject", "resumeThread"));
        p.put("attach", sum(spent, "createIoCompletionPort", "setFileCompletionNotificationModes"));
        p.put("watch", sum(spent, "registerWaitForSingleObject"));
        p.put("inherit+close", sum(spent, "setHandleInformation", "closeHandle"));
        double allNative = spent.values().stream().mapToLong(Long::longValue).sum() / 1e6;
        p.put("other native", allNative - createProcess - p.values().stream().skip(1).mapToDouble(Double::doubleValue).sum());
        p.put("java", total - allNative);
        p.forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        calls.add(spent);
    }

    private static double sum(Map<String, Long> spent, String... names) {
        long n = 0;
        for (String name : names) {
            n += spent.getOrDefault(name, 0L);
        }
        return n / 1e6;
    }

    /** CreateProcessW with the handle list, through the library's seam, on NUL handles: no pipes, job, attach or watch. */
    private List<Double> bare(int n) {
        Win32 w = JnaWin32.INSTANCE;
        long nul = w.createFile("NUL", 0xC0000000, 3, 0, 3, 0x80, 0);
        List<Double> times = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                ProcessLaunch.Started s = ProcessLaunch.start(w, List.of(child, "exit", "0"), null, null, nul, nul, nul);
                times.add((System.nanoTime() - t0) / 1e6);
                Kernel32.INSTANCE.WaitForSingleObject(new WinNT.HANDLE(new Pointer(s.process())), 30_000);
                w.closeHandle(s.process());
            }
        } finally {
            w.closeHandle(nul);
        }
        return times;
    }

    private List<Double> nativeRun(int n) throws Exception {
        Process p = new ProcessBuilder(nativeExe, "--child", child, "--launches", Integer.toString(n), "--warmup", "1",
                "exit", "0").redirectErrorStream(true).start();
        List<Double> times = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("LAUNCH ")) {
                    throw new IllegalStateException("bench_launch.exe: " + line);
                }
                times.add(Double.parseDouble(line.substring(line.indexOf("ms=") + 3).trim()));
            }
        }
        if (p.waitFor() != 0 || times.size() != n) {
            throw new IllegalStateException("bench_launch.exe exited " + p.exitValue() + " after " + times.size() + " launches");
        }
        return times;
    }

    /**
     * Launches/s of ChildProcess.start from {@code threads} threads, {@code total} launches in all
     * (each child reaped on the loop when it exits, so only the starts are timed).
     */
    private double rate(MultiHandleWait wait, int threads, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < total / threads; i++) {
                        launchAndReap(wait);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return (total / threads * threads) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private void report(int launches, int rounds, Map<Integer, Double> rates, double[] quiet, double[] launching,
                        int pauseLaunches) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Scenario 6: launch rate, child `mwchild exit 0`, %d rounds x %d launches per contender%n",
                rounds, launches);
        System.out.println("contender        median ms   q1-q3 ms        min-max ms       launches/s  vs native  vs ProcessBuilder");
        Stats pb = Stats.of(ms.get("processbuilder"));
        Stats nat = Stats.of(ms.get("native"));
        for (String c : CONTENDERS) {
            Stats s = Stats.of(ms.get(c));
            System.out.printf(Locale.ROOT, "%-15s %9.1f  %6.1f-%-7.1f  %7.1f-%-7.1f  %9.1f  %8.2fx  %8.2fx%n", c, s.median(),
                    s.q1(), s.q3(), s.min(), s.max(), 1000 / s.median(), nat.median() / s.median(), pb.median() / s.median());
        }
        System.out.println("(ratios are rates: >1 means faster than the reference)");
        System.out.println();
        System.out.println("ChildProcess.start, where its time goes (ms per launch; own = start minus CreateProcessW):");
        phases.forEach((k, v) -> {
            Stats s = Stats.of(v);
            System.out.printf(Locale.ROOT, "  %-14s median %6.2f  q1-q3 %6.2f-%-6.2f%n", k, s.median(), s.q1(), s.q3());
        });
        System.out.print("  per Win32 call (median ms per launch, over 0.05):");
        calls.stream().flatMap(c -> c.keySet().stream()).distinct().sorted().forEach(name -> {
            Stats s = Stats.of(calls.stream().map(c -> c.getOrDefault(name, 0L) / 1e6).toList());
            if (s.median() > 0.05) {
                System.out.printf(Locale.ROOT, " %s %.2f;", name, s.median());
            }
        });
        System.out.println();
        System.out.println();
        System.out.printf(Locale.ROOT, "launches/s from 1 thread %.2f, from 4 threads %.2f (%.2fx; best of two runs each)%n",
                rates.get(1), rates.get(4), rates.get(4) / rates.get(1));
        System.out.printf(Locale.ROOT, "loop pause (1 ms timer): quiet max %.1f ms (median gap %.2f ms); while launching %d: max %.1f ms "
                + "(median gap %.2f ms)%n", quiet[0], quiet[1], pauseLaunches, launching[0], launching[1]);
        Stats own = Stats.of(phases.get("own"));
        System.out.printf(Locale.ROOT, "targets: >= 1.0x ProcessBuilder: %s (%.2fx); own share < 5 ms: %s (%.2f ms)%n",
                pb.median() / Stats.of(ms.get("multiwait")).median() >= 1.0 ? "met" : "MISSED",
                pb.median() / Stats.of(ms.get("multiwait")).median(), own.median() < 5 ? "met" : "MISSED", own.median());
    }
}
