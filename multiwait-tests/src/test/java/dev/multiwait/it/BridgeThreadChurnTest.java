package dev.multiwait.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bridged signals arriving in rounds on many wait threads, while other threads start Java threads
 * and ProcessBuilder children, must never stall the JVM. When the bridge ran on the system's wait
 * pool with its threads left attached to the JVM (JNA #1479), this deadlocked every run under Wine
 * within about 12-22 s: a retiring pool thread, detached by JNA inside DLL_THREAD_DETACH, held the
 * loader lock and waited for the JVM's thread lock, held by a Thread.start() waiting for the loader
 * lock (Wine named both: "loader_section ... blocked by" the wait-queue thread).
 * The load runs in a child JVM, since a deadlocked JVM cannot report its own failure.
 */
class BridgeThreadChurnTest {
    private static final int SECONDS = 40;

    @Test
    void threadAndProcessChurnWhileBridgedSignalsArriveNeverStallsTheJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BridgeChurnStress.class.getName(), Integer.toString(SECONDS)).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        }, "stress-output");
        reader.setDaemon(true);
        reader.start();
        // The stress prints a line a second: 30 s of silence, or no exit well after its run, is a stall.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS + 60);
        int seen = -1;
        long quietSince = System.nanoTime();
        while (!child.waitFor(1, TimeUnit.SECONDS)) {
            if (lines.size() != seen) {
                seen = lines.size();
                quietSince = System.nanoTime();
            }
            if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(30) || System.nanoTime() > deadline) {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                fail("the stress JVM stalled (silent for 30 s, or still running " + (SECONDS + 60) + " s after a "
                        + SECONDS + " s run); its output ended with: " + tail(lines));
            }
        }
        reader.join(10_000);
        assertEquals(0, child.exitValue(), () -> "stress JVM failed: " + tail(lines));
        String done = lines.stream().filter(l -> l.startsWith("done ")).findFirst().orElse("");
        assertTrue(done.matches("done signals=[1-9]\\d* threads=[1-9]\\d* children=[1-9]\\d*"),
                () -> "the stress made no progress in some part: " + tail(lines));
    }

    private static String tail(List<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        }
    }
}
