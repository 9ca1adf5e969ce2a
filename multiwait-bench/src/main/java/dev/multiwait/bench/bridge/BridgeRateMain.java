package dev.multiwait.bench.bridge;

import dev.multiwait.internal.Waiters;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.SignalListener;
import dev.multiwait.bench.Stats;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wait bridge's signal rate (Windows JVM, under Wine on Linux): K auto-reset events, each watched
 * repeatedly; each listener sets its own event again, so K signals are always in flight and every
 * one goes through RegisterWaitForSingleObject, the pool's callback and a posted packet.
 * <pre>
 * BridgeRateMain [--events 16,256] [--seconds 4] [--reps 5]
 * </pre>
 * Compares, in one run, the bridge as shipped ({@code owned-threads}: the library's own threads in
 * WaitForMultipleObjects, 63 handles each) with the system's wait pool running the callback
 * ({@link PoolWin32}): {@code pool-attached}, the bridge as it was (threads left attached, which can
 * deadlock the JVM: JNA #1479), and {@code pool-detached} (detached after each callback).
 * Each measurement is a fresh JVM (a thread left attached stays attached for the JVM's life), the
 * contenders alternate, and the run prints one BENCH line per measurement and the median ratio.
 */
public final class BridgeRateMain {
    private static final String[] CONTENDERS = {"pool-attached", "pool-detached", "owned-threads"};

    private BridgeRateMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "4"));
        if (opt.containsKey("child")) {
            measure(opt.get("child"), Integer.parseInt(opt.get("events")), seconds);
            return;
        }
        int reps = Integer.parseInt(opt.getOrDefault("reps", "5"));
        for (String k : opt.getOrDefault("events", "16,256").split(",")) {
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            for (int r = 0; r < reps; r++) {
                for (String c : CONTENDERS) {
                    rates.computeIfAbsent(c, x -> new ArrayList<>()).add(child(c, Integer.parseInt(k), seconds));
                }
            }
            Stats before = Stats.of(rates.get("pool-attached"));
            for (String c : CONTENDERS) {
                Stats s = Stats.of(rates.get(c));
                System.out.printf(Locale.ROOT, "SUMMARY bridge events=%s contender=%s median=%.0f min=%.0f max=%.0f iqr=%.0f%%%n",
                        k, c, s.median(), s.min(), s.max(), s.iqrPercent());
            }
            for (String c : new String[] {"pool-detached", "owned-threads"}) {
                Stats s = Stats.of(rates.get(c));
                System.out.printf(Locale.ROOT, "RATIO bridge events=%s %s/pool-attached=%.2f%s%n", k, c,
                        s.median() / before.median(), s.overlaps(before) ? " (ranges overlap)" : "");
            }
        }
    }

    /** Runs one measurement in a fresh JVM (this one's runtime and class path) and returns its signals/s. */
    private static double child(String contender, int events, int seconds) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), BridgeRateMain.class.getName(),
                "--child", contender, "--events", Integer.toString(events), "--seconds", Integer.toString(seconds))
                .redirectErrorStream(true).start();
        double rate = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.out.println(line);
                int at = line.indexOf("signals_per_s=");
                if (line.startsWith("BENCH") && at >= 0) {
                    rate = Double.parseDouble(line.substring(at + 14).split(" ")[0]);
                }
            }
        }
        if (p.waitFor() != 0 || rate < 0) {
            throw new IllegalStateException(contender + " with " + events + " events failed (exit " + p.exitValue() + ")");
        }
        return rate;
    }

    private static void measure(String contender, int events, int seconds) throws Exception {
        Kernel32 k32 = Kernel32.INSTANCE;
        AtomicLong signals = new AtomicLong();
        List<WinNT.HANDLE> handles = new ArrayList<>();
        Win32 win32 = switch (contender) {
            case "pool-attached" -> new PoolWin32(false);
            case "pool-detached" -> new PoolWin32(true);
            default -> JnaWin32.INSTANCE;
        };
        try (MultiHandleWait wait = Waiters.create(win32, MultiHandleWait.DEFAULT_BATCH)) {
            for (int i = 0; i < events; i++) {
                WinNT.HANDLE h = k32.CreateEvent(null, false, false, null);
                handles.add(h);
                wait.watch(Pointer.nativeValue(h.getPointer()), true, new SignalListener() {
                    @Override
                    public void onSignal() {
                        signals.incrementAndGet();
                        k32.SetEvent(h);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                    }
                });
            }
            handles.forEach(k32::SetEvent);
            Thread loop = new Thread(wait::run, "loop");
            loop.start();
            Thread.sleep(1500); // warm-up: JIT, pool threads created
            long n0 = signals.get();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double rate = (signals.get() - n0) / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "BENCH name=bridge contender=%s events=%d seconds=%d signals_per_s=%.0f%n",
                    contender, events, seconds, rate);
            wait.cancel();
            loop.join();
        }
        handles.forEach(k32::CloseHandle);
    }
}
