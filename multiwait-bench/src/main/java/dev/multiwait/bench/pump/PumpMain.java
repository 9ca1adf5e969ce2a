package dev.multiwait.bench.pump;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 2, one contender on the Windows JVM (under Wine on Linux):
 * <pre>
 * PumpMain --contender multiwait|threads|wfmo|jna-iocp --writer PUMP_WRITER_EXE --streams N --bytes B
 *          [--reps R] [--warmup W] [--warmup-streams WN] [--warmup-bytes WB] [--read-size 65536] [--timeout-ms 300000]
 *          [--trace-calls true]
 * </pre>
 * Each run starts a fresh writer process with N pipes, opens and arms the contender (not timed),
 * then times from "go" to the contender's last end of stream, checks every stream got exactly B
 * bytes, and prints one line:
 * <pre>
 * BENCH name=pump contender=C streams=N bytes_per_stream=B rep=R seconds=S mb_per_s=M
 *       ns_per_completion=X completions=K io_threads=T process_threads=P peak_ws_kb=W heap_peak_kb=H
 *       writer_seconds=WS (the writer's own time from reading "go" to its last write completing)
 * </pre>
 * W warmup runs (rep=warmupI, WN streams x WB bytes: enough completions for the JIT, whatever N is)
 * come first; the report skips them.
 * Exits 1 on any failure.
 */
public final class PumpMain {
    private PumpMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage();
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0 || !opt.containsKey("contender") || !opt.containsKey("writer") || !opt.containsKey("streams")
                || !opt.containsKey("bytes")) {
            usage();
        }
        String contender = opt.get("contender");
        String writer = opt.get("writer");
        int streams = Integer.parseInt(opt.get("streams"));
        long bytes = Long.parseLong(opt.get("bytes"));
        int reps = Integer.parseInt(opt.getOrDefault("reps", "1"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "1"));
        long warmupBytes = Long.parseLong(opt.getOrDefault("warmup-bytes", Long.toString(bytes)));
        int warmupStreams = Integer.parseInt(opt.getOrDefault("warmup-streams", Integer.toString(streams)));
        int readSize = Integer.parseInt(opt.getOrDefault("read-size", "65536"));
        long timeout = Long.parseLong(opt.getOrDefault("timeout-ms", "300000"));
        if (Boolean.parseBoolean(opt.getOrDefault("trace-calls", "false"))) {
            calls = new CallCounter();
        }
        ProcessStats.startHeapSampler();
        try {
            for (int r = 1; r <= warmup + reps; r++) {
                String rep = r <= warmup ? "warmup" + r : Integer.toString(r - warmup);
                boolean warm = r <= warmup;
                System.out.println(runOnce(contender, writer, warm ? warmupStreams : streams, warm ? warmupBytes : bytes,
                        readSize, timeout, rep));
                System.out.flush();
            }
        } catch (Exception | Error e) {
            System.out.println("ERROR pump contender=" + contender + " streams=" + streams + ": " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Set by --trace-calls true: the multiwait contender counts its Win32 calls (slower; diagnostics only). */
    private static CallCounter calls;

    static Contender create(String name, int readSize) {
        switch (name) {
            case "multiwait":
                return new MultiwaitContender(readSize, calls);
            case "threads":
                return new ThreadPerStreamContender(readSize);
            case "wfmo":
                return new WfmoContender(readSize);
            case "jna-iocp":
                return new JnaIocpContender(readSize);
            default:
                throw new IllegalArgumentException("unknown contender " + name + " (multiwait, threads, wfmo, jna-iocp)");
        }
    }

    private static String runOnce(String name, String writerExe, int streams, long bytes, int readSize, long timeout,
                                  String rep) throws Exception {
        String prefix = "mwbench-" + name + "-" + ProcessHandle.current().pid() + "-" + rep;
        String[] names = new String[streams];
        for (int i = 0; i < streams; i++) {
            names[i] = "\\\\.\\pipe\\" + prefix + "-" + i;
        }
        System.gc();
        ProcessStats.resetHeapPeak();
        try (WriterProcess writer = WriterProcess.start(writerExe, prefix, streams, bytes);
             Contender c = create(name, readSize)) {
            c.open(names);
            int threads = ProcessStats.processThreads();
            long t0 = System.nanoTime();
            if (calls != null) {
                calls.reset();
            }
            writer.go();
            if (!c.pump(timeout)) {
                throw new IllegalStateException("not finished after " + timeout + " ms");
            }
            long t1 = c.endNanos();
            if (c.failure() != null) {
                throw new IllegalStateException(c.failure());
            }
            if (calls != null) {
                System.out.println(calls.summary());
            }
            String writerLine = writer.finish(60_000);
            String writerSeconds = writerLine.replaceAll(".*seconds=([0-9.]+).*", "$1");
            long[] got = c.received();
            long total = 0;
            for (int i = 0; i < streams; i++) {
                if (got[i] != bytes) {
                    throw new IllegalStateException("stream " + i + " delivered " + got[i] + " of " + bytes + " bytes");
                }
                total += got[i];
            }
            double seconds = (t1 - t0) / 1e9;
            long completions = c.completions();
            return String.format(Locale.ROOT,
                    "BENCH name=pump contender=%s streams=%d bytes_per_stream=%d rep=%s seconds=%.4f mb_per_s=%.1f "
                            + "ns_per_completion=%.1f completions=%d io_threads=%d process_threads=%d peak_ws_kb=%d heap_peak_kb=%d"
                            + " writer_seconds=%s",
                    name, streams, bytes, rep, seconds, total / 1e6 / seconds, seconds * 1e9 / completions, completions,
                    c.ioThreads(), threads, ProcessStats.peakWorkingSetKb(), ProcessStats.heapPeakKb(), writerSeconds);
        }
    }

    private static void usage() {
        System.err.println("usage: PumpMain --contender multiwait|threads|wfmo|jna-iocp --writer EXE --streams N --bytes B"
                + " [--reps R] [--warmup W] [--warmup-streams WN] [--warmup-bytes WB] [--read-size S] [--timeout-ms T] [--trace-calls true]");
        System.exit(2);
    }
}
