package dev.multiwait.demo;

/**
 * The demo's progress: one line rewritten in place (carriage return) on a terminal, a plain line
 * per second otherwise; with MB/s over the last second and an ETA.
 */
final class Progress {
    /** A console line wider than the console wraps, and the carriage return then rewrites only its tail. */
    private static final int WIDTH = 79;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private long lastBytes;
    private int lastLength;

    /** Prints at most once a second: {@code counts}, MB/s, and an ETA from launches and bytes left. */
    void update(String counts, int launched, int toLaunch, long bytes, long totalBytes) {
        long now = System.nanoTime();
        if (now - lastPrint < 1_000_000_000L) {
            return;
        }
        double interval = (now - lastPrint) / 1e9;
        double elapsed = (now - start) / 1e9;
        double mbs = (bytes - lastBytes) / interval / 1e6;
        lastPrint = now;
        lastBytes = bytes;
        String eta;
        if (launched < toLaunch) {
            eta = launched == 0 ? "?" : String.format("%.0fs+ (launching)", elapsed / launched * (toLaunch - launched));
        } else if (bytes >= totalBytes) {
            eta = "0s";
        } else {
            eta = mbs > 0 ? String.format("%.0fs", (totalBytes - bytes) / (mbs * 1e6)) : "?";
        }
        show(String.format("%s, %.1f/%.1f MB, %.1f MB/s, eta %s", counts, bytes / 1e6, totalBytes / 1e6, mbs, eta));
    }

    private void show(String line) {
        if (terminal) {
            line = line.length() > WIDTH ? line.substring(0, WIDTH) : line;
            String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
            System.out.print("\r" + line + pad);
            System.out.flush();
            lastLength = line.length();
        } else {
            System.out.println("progress: " + line);
        }
    }

    /** A line of its own (ending the in-place line first). */
    void println(String line) {
        done();
        System.out.println(line);
    }

    /** Ends the in-place line, if any. */
    void done() {
        if (terminal && lastLength > 0) {
            System.out.println();
            lastLength = 0;
        }
    }
}
