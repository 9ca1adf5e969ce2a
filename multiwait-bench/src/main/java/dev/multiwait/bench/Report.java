package dev.multiwait.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the {@code BENCH ...} lines scripts/bench.sh collected (from DispatchMain, PumpMain and the
 * native probe) and prints, per scenario, every contender side by side: median and spread of each
 * point, throughput and cost per completion, threads, peak memory, the ratio of multiwait to each,
 * and which targets were met. Warmup runs ({@code rep=warmup...}) are left out.
 *
 * <p>{@code Report FILE...}
 */
public final class Report {
    /** Scenario 2's contenders, in table order; multiwait first. */
    static final List<String> CONTENDERS = List.of("multiwait", "threads", "wfmo", "native-iocp", "jna-iocp",
            "aio", "selector", "nio2", "blocking");
    static final Map<String, String> CONTENDER_TEXT = Map.of(
            "multiwait", "multiwait (1 thread)",
            "threads", "thread per stream",
            "wfmo", "WaitForMultipleObjects",
            "native-iocp", "native C, IOCP",
            "jna-iocp", "ref: bare JNA IOCP loop",
            "aio", "JDK AsyncServerSocket",
            "selector", "java.nio Selector",
            "nio2", "JDK NIO.2 (AsyncSocket)",
            "blocking", "blocking, 2 thr/conn");
    /** Contenders that are context, not targets: the issue names the others. */
    static final Set<String> REFERENCES = Set.of("jna-iocp");
    static final List<String> PATHS = List.of("loop", "loop+iocpport", "loop+stream", "alt-chm", "floor-array");

    private final List<Map<String, String>> lines = new ArrayList<>();
    private final PrintStream out;
    private final List<String> verdicts = new ArrayList<>();
    /** BENCHFAIL lines: a contender that could not run (kept out of the tables, named in the report). */
    private final List<Map<String, String>> failures = new ArrayList<>();

    Report(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Report RESULT_FILE...");
            System.exit(2);
        }
        Report r = new Report(System.out);
        for (String a : args) {
            r.read(Files.readAllLines(Path.of(a)));
        }
        r.print();
    }

    /** Takes every BENCH line (other lines are ignored). */
    void read(List<String> text) {
        for (String line : text) {
            if (line.strip().startsWith("BENCHFAIL ")) {
                failures.add(parse("BENCH " + line.strip().substring(10)));
                continue;
            }
            Map<String, String> m = parse(line);
            if (m != null && !m.getOrDefault("rep", "").startsWith("warmup")) {
                lines.add(m);
            }
        }
    }

    static Map<String, String> parse(String line) {
        line = line.strip();
        if (!line.startsWith("BENCH ")) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String field : line.substring(6).trim().split("\\s+")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                m.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return m;
    }

    void print() {
        printDispatch();
        Set<String> names = new LinkedHashSet<>();
        lines.forEach(m -> names.add(m.get("name")));
        names.remove("dispatch");
        names.remove("fake_kernel");
        for (String name : names) { // scenario 2 ("pump"), and later ones that print the same fields
            printContenders(name);
        }
        for (Map<String, String> f : failures) {
            String head = HEADS.getOrDefault(f.get("name"), f.get("name"));
            verdicts.add(String.format(Locale.ROOT, "%s: %s COULD NOT RUN: %s", head,
                    CONTENDER_TEXT.getOrDefault(f.get("contender"), f.get("contender")), f.get("error").replace('_', ' ')));
        }
        if (!verdicts.isEmpty()) {
            out.println("Targets");
            verdicts.forEach(v -> out.println("  " + v));
        }
    }

    private List<Map<String, String>> select(String name, Map<String, String> match) {
        return lines.stream()
                .filter(m -> name.equals(m.get("name")))
                .filter(m -> match.entrySet().stream().allMatch(e -> e.getValue().equals(m.get(e.getKey()))))
                .collect(Collectors.toList());
    }

    private static Stats stats(List<Map<String, String>> rows, String key) {
        return Stats.of(rows.stream().map(m -> Double.parseDouble(m.get(key))).collect(Collectors.toList()));
    }

    private static Stats stats(List<Map<String, String>> rows, Function<Map<String, String>, Double> f) {
        return Stats.of(rows.stream().map(f).collect(Collectors.toList()));
    }

    // ---- scenario 1 ----

    private void printDispatch() {
        List<Map<String, String>> all = select("dispatch", Map.of());
        if (all.isEmpty()) {
            return;
        }
        Set<Integer> regs = new TreeSet<>();
        all.forEach(m -> regs.add(Integer.parseInt(m.get("registrations"))));
        out.println("Scenario 1: dispatch cost per completion, pure Java (Linux JVM, JMH)");
        out.println("  batch of 128 packets per loop turn, keys uniformly random over the live registrations");
        out.println("  each row: every measured JMH iteration of every fork; spread = min-max, IQR relative to the median");
        out.println();
        out.println(String.format(Locale.ROOT, "  %-14s %9s %6s %10s %17s %7s %12s %12s",
                "path", "regs", "n", "median ns", "min-max ns", "IQR", "Mcompl/s", "vs 10 regs"));
        Map<String, Map<Integer, Stats>> byPath = new LinkedHashMap<>();
        List<String> paths = new ArrayList<>(PATHS);
        all.forEach(m -> {
            if (!paths.contains(m.get("path"))) {
                paths.add(m.get("path"));
            }
        });
        for (String path : paths) {
            for (int r : regs) {
                List<Map<String, String>> rows = select("dispatch", Map.of("path", path, "registrations", Integer.toString(r)));
                if (rows.isEmpty()) {
                    continue;
                }
                Stats s = stats(rows, "ns_per_completion");
                byPath.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(r, s);
                Stats base = byPath.get(path).values().iterator().next();
                out.println(String.format(Locale.ROOT, "  %-14s %9d %6d %10.1f %17s %6.1f%% %12.2f %11.2fx",
                        path, r, s.n(), s.median(), range(s, "%.1f"), s.iqrPercent(), 1e3 / s.median(),
                        s.median() / base.median()));
            }
        }
        Map<Integer, Stats> loop = byPath.get("loop");
        Map<Integer, Stats> chm = byPath.get("alt-chm");
        if (loop != null && chm != null) {
            out.println();
            out.println("  multiwait's loop + KeyTable vs the Java alternative (ConcurrentHashMap<Long, entry>), cost ratio loop/alt:");
            for (int r : regs) {
                if (loop.containsKey(r) && chm.containsKey(r)) {
                    out.println(String.format(Locale.ROOT, "    %7d registrations: %.2fx (%.1f vs %.1f ns)", r,
                            loop.get(r).median() / chm.get(r).median(), loop.get(r).median(), chm.get(r).median()));
                }
            }
        }
        Map<Integer, Stats> floor = byPath.get("floor-array");
        if (loop != null && floor != null && loop.containsKey(10) && loop.containsKey(100000) && floor.containsKey(10)
                && floor.containsKey(100000)) {
            out.println(String.format(Locale.ROOT,
                    "  control (floor-array: a plain array, no key check): 100,000 vs 10 registrations = %.2fx (%.1f vs %.1f ns);"
                            + " the loop's growth beyond it: %.1f ns",
                    floor.get(100000).median() / floor.get(10).median(), floor.get(100000).median(), floor.get(10).median(),
                    (loop.get(100000).median() - loop.get(10).median()) - (floor.get(100000).median() - floor.get(10).median())));
        }
        List<Map<String, String>> fake = select("fake_kernel", Map.of());
        if (!fake.isEmpty()) {
            Stats f = stats(fake, "ns_per_call_pair");
            out.println(String.format(Locale.ROOT,
                    "  the fake kernel's two proxy calls per completion in loop+stream cost %.1f ns (min-max %s): subtract to get the library's share",
                    f.median(), range(f, "%.1f")));
        }
        out.println();
        for (Map.Entry<String, Map<Integer, Stats>> e : byPath.entrySet()) {
            if (e.getKey().startsWith("alt") || e.getKey().startsWith("floor")) {
                continue;
            }
            Map<Integer, Stats> m = e.getValue();
            double worst = m.values().stream().mapToDouble(Stats::median).max().orElse(0);
            String head = e.getKey().equals("loop") ? "scenario 1 (loop + key map, the target's subject)" : "scenario 1, " + e.getKey() + " (context)";
            verdicts.add(String.format(Locale.ROOT, "%s: under 200 ns per completion at every count: %s (worst median %.1f ns)",
                    head, worst < 200 ? "MET" : "MISSED", worst));
            if (m.containsKey(10) && m.containsKey(100000)) {
                double ratio = m.get(100000).median() / m.get(10).median();
                verdicts.add(String.format(Locale.ROOT, "%s: flat, 100,000 within 1.2x of 10: %s (%.2fx)",
                        head, ratio <= 1.2 ? "MET" : "MISSED", ratio));
            }
        }
    }

    // ---- scenario 2, and any later contender-vs-contender scenario ----

    /** Titles by BENCH name; a scenario without one gets a generic title. */
    static final Map<String, List<String>> TITLES = Map.of("pump", List.of(
            "Scenario 2: pipe pump under Wine, every contender reading the same pipes from the same writer process",
            "  throughput = bytes / (go .. last end of stream); cost per completion = that time / finished reads;"),
            "accept", List.of(
            "Scenario 3: accept rate over many loopback listeners under Wine, the same client load for every contender",
            "  client threads in the same JVM connect + close round-robin over the listeners; the server closes each accepted socket;",
            "  rate = connections / (clients' start .. the server's last accept); cost per accept = that time / connections;"),
            "relay", List.of(
            "Scenario 4: full-duplex relay under Wine: 32 KiB frames (seq, length, CRC32) both ways at once through one relayed connection",
            "  endpoints: one blocking thread per endpoint and direction in the same JVM, checking every frame (any error fails the run);",
            "  throughput = bytes both ways / (senders' start .. last end of stream); cost per completion = that time / frames received;"));
    static final Map<String, String> HEADS = Map.of("pump", "scenario 2", "accept", "scenario 3", "relay", "scenario 4");

    /**
     * One table per point (stream or connection count) of a scenario whose lines carry contender,
     * streams (or connections), bytes_per_stream, mb_per_s, ns_per_completion, completions,
     * io_threads, process_threads, peak_ws_kb and heap_peak_kb (-1: not a JVM), with the targets:
     * multiwait >= 0.8x a native-* contender and >= 1.0x every other one except references, and its
     * cost per completion at the largest point within 1.2x of the smallest.
     */
    private void printContenders(String name) {
        List<Map<String, String>> all = select(name, Map.of());
        if (all.isEmpty()) {
            return;
        }
        String pointKey = all.get(0).containsKey("streams") ? "streams"
                : all.get(0).containsKey("listeners") ? "listeners" : "connections";
        boolean accepts = all.get(0).containsKey("accepts_per_s");
        String rateKey = accepts ? "accepts_per_s" : "mb_per_s";
        Set<Integer> streamCounts = new TreeSet<>();
        all.forEach(m -> streamCounts.add(Integer.parseInt(m.get(pointKey))));
        Set<String> contenders = new LinkedHashSet<>(CONTENDERS);
        contenders.retainAll(all.stream().map(m -> m.get("contender")).collect(Collectors.toSet()));
        all.forEach(m -> contenders.add(m.get("contender")));
        String head = HEADS.getOrDefault(name, name);
        TITLES.getOrDefault(name, List.of("Scenario " + name + ": contenders side by side")).forEach(out::println);
        out.println(accepts ? "  ratio = multiwait's median accept rate / the contender's (>= 1 means multiwait accepted faster)"
                : "  ratio = multiwait's median throughput / the contender's (>= 1 means multiwait moved bytes faster)");
        out.println();
        Map<Integer, Map<String, Stats>> mbps = new LinkedHashMap<>();
        Map<Integer, Map<String, Stats>> cost = new LinkedHashMap<>();
        for (int n : streamCounts) {
            List<Map<String, String>> any = select(name, Map.of(pointKey, Integer.toString(n)));
            long bytes = Long.parseLong(any.get(0).getOrDefault("bytes_per_stream", "0"));
            if (accepts) {
                out.println(String.format(Locale.ROOT, "  %d %s, %s connections per run from %s client threads", n, pointKey,
                        any.get(0).get("connects"), any.get(0).getOrDefault("client_threads", "?")));
            } else if (name.equals("relay")) {
                out.println(String.format(Locale.ROOT, "  %d %s, %s frames = %.1f MB each way per run", n, pointKey,
                        any.get(0).get("frames"), n * (double) bytes / 1e6));
            } else {
                out.println(String.format(Locale.ROOT, "  %d %s x %s = %.1f MB per run", n, pointKey, size(bytes), n * (double) bytes / 1e6));
            }
            out.println(String.format(Locale.ROOT, "    %-24s %3s %8s %15s %6s %9s %17s %8s %10s %9s %9s %11s",
                    "contender", "n", accepts ? "acc/s" : "MB/s", "min-max", "IQR", accepts ? "us/acc" : "us/compl", "min-max",
                    accepts ? "accepts" : "compl", "io thr", "proc thr", "peak WS", "multiwait/x"));
            Map<String, Stats> tp = new LinkedHashMap<>();
            Map<String, Stats> us = new LinkedHashMap<>();
            for (String c : contenders) {
                List<Map<String, String>> rows = select(name, Map.of(pointKey, Integer.toString(n), "contender", c));
                if (rows.isEmpty()) {
                    continue;
                }
                tp.put(c, stats(rows, rateKey));
                us.put(c, stats(rows, m -> Double.parseDouble(m.get("ns_per_completion")) / 1000));
            }
            for (String c : tp.keySet()) {
                List<Map<String, String>> rows = select(name, Map.of(pointKey, Integer.toString(n), "contender", c));
                Stats t = tp.get(c);
                Stats u = us.get(c);
                Stats ws = stats(rows, m -> Double.parseDouble(m.get("peak_ws_kb")) / 1024);
                Stats heap = stats(rows, m -> Double.parseDouble(m.get("heap_peak_kb")) / 1024);
                Stats ioThreads = stats(rows, "io_threads");
                Stats procThreads = stats(rows, "process_threads");
                Stats compl = stats(rows, "completions");
                String ratio = "";
                if (tp.containsKey("multiwait") && !c.equals("multiwait")) {
                    ratio = String.format(Locale.ROOT, "%.2fx%s", tp.get("multiwait").median() / t.median(),
                            tp.get("multiwait").overlaps(t) ? "~" : "");
                }
                out.println(String.format(Locale.ROOT, "    %-24s %3d %8.1f %15s %5.1f%% %9.1f %17s %8.0f %10.0f %9.0f %6.0f MiB %11s",
                        CONTENDER_TEXT.getOrDefault(c, c), t.n(), t.median(), range(t, "%.1f"), t.iqrPercent(),
                        u.median(), range(u, "%.1f"), compl.median(), ioThreads.median(), procThreads.median(),
                        ws.max(), ratio));
                if (heap.max() >= 0) {
                    out.println(String.format(Locale.ROOT, "    %-24s peak Java heap in use %.1f MiB (sampled every 5 ms)", "", heap.max()));
                }
            }
            mbps.put(n, tp);
            cost.put(n, us);
            out.println();
        }
        out.println("  ~ after a ratio: the two contenders' min-max ranges overlap (the difference is within this machine's noise)");
        out.println("  peak WS = peak working set of the whole process (GetProcessMemoryInfo; Wine reports the peak resident set),");
        out.println("  JVM included for the Java contenders; proc thr = the process's Windows threads (Toolhelp) before go");
        out.println();
        for (int n : streamCounts) {
            Map<String, Stats> tp = mbps.get(n);
            Stats mw = tp.get("multiwait");
            if (mw == null) {
                continue;
            }
            for (String c : tp.keySet()) {
                if (c.equals("multiwait")) {
                    continue;
                }
                double ratio = mw.median() / tp.get(c).median();
                if (REFERENCES.contains(c)) {
                    verdicts.add(String.format(Locale.ROOT, "%s, %d %s: (no target) multiwait vs %s: %.2fx%s",
                            head, n, pointKey, CONTENDER_TEXT.getOrDefault(c, c), ratio, mw.overlaps(tp.get(c)) ? ", ranges overlap" : ""));
                    continue;
                }
                double want = c.startsWith("native") ? 0.8 : 1.0;
                verdicts.add(String.format(Locale.ROOT, "%s, %d %s: multiwait >= %.1fx %s: %s (%.2fx%s)",
                        head, n, pointKey, want, CONTENDER_TEXT.getOrDefault(c, c), ratio >= want ? "MET" : "MISSED", ratio,
                        mw.overlaps(tp.get(c)) ? ", ranges overlap" : ""));
            }
        }
        int lo = streamCounts.stream().min(Integer::compare).orElse(0);
        int hi = streamCounts.stream().max(Integer::compare).orElse(0);
        if (lo != hi && cost.get(lo).containsKey("multiwait") && cost.get(hi).containsKey("multiwait")) {
            double r = cost.get(hi).get("multiwait").median() / cost.get(lo).get("multiwait").median();
            verdicts.add(String.format(Locale.ROOT, "%s: multiwait cost per completion at %d %s within 1.2x of %d: %s (%.2fx)",
                    head, hi, pointKey, lo, r <= 1.2 ? "MET" : "MISSED", r));
        }
    }

    private static String range(Stats s, String fmt) {
        return String.format(Locale.ROOT, fmt + "-" + fmt, s.min(), s.max());
    }

    static String size(long bytes) {
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes % 1024 == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }
}
