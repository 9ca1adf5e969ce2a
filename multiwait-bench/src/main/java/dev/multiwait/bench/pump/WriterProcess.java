package dev.multiwait.bench.pump;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The producer, native-probes/pump_writer.exe: creates the pipes, says "ready", waits for a client
 * on each, and on "go" writes the same bytes to every pipe, then closes them (readers see end of
 * stream). The same program feeds every contender, including the native one.
 */
final class WriterProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    private WriterProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.in = process.getOutputStream();
    }

    static WriterProcess start(String exe, String prefix, int streams, long bytes) throws IOException {
        Process p = new ProcessBuilder(exe, prefix, Integer.toString(streams), Long.toString(bytes))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        WriterProcess w = new WriterProcess(p);
        String line = w.out.readLine();
        if (line == null || !line.trim().equals("ready")) {
            w.close();
            throw new IOException("pump_writer did not say ready: " + line);
        }
        return w;
    }

    void go() throws IOException {
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Its summary line, once it has written everything and exited with 0. */
    String finish(long timeoutMillis) throws IOException, InterruptedException {
        String line = out.readLine();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IOException("pump_writer did not exit");
        }
        if (line == null || !line.startsWith("WRITER ") || process.exitValue() != 0) {
            throw new IOException("pump_writer failed (exit " + process.exitValue() + "): " + line);
        }
        return line.trim();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
