package dev.multiwait.examples;

import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;
import dev.multiwait.StreamHandle;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The README's log pump, written only against the README: starts child processes and copies their output
 * lines, whole and each prefixed with its child's pid, to one sink, pausing the reads while the sink is
 * above its high water mark; "done" is the last line, after every child's last byte.
 */
public final class LogPump {
    private LogPump() {
    }

    /**
     * Starts every command (stderr merged into stdout) and pumps their lines into {@code sink}; call it
     * before {@link MultiHandleWait#run()} (or on the loop thread). {@code run()} returns once every line
     * and "done" are written and the sink is closed.
     *
     * @param wait     the waiter
     * @param commands the children to start
     * @param sink     where the lines go, attached to {@code wait}; closed after "done"
     * @return the children, as started
     */
    public static List<ChildProcess> start(MultiHandleWait wait, List<List<String>> commands, StreamHandle sink) {
        // README-LOG-BEGIN
        List<ReadRegistration> reads = new ArrayList<>();                 // used on the loop thread only
        sink.setWriteWaterMarks(32 * 1024, 64 * 1024, (stream, writable) -> reads.stream()
                .filter(read -> writable && read.isPaused()).forEach(ReadRegistration::resume));
        List<ChildProcess> children = new ArrayList<>();
        for (List<String> command : commands) {
            ChildProcess child = ChildProcess.builder(command).redirectErrorStream(true).start(wait);
            String prefix = "[" + child.pid() + "] ";
            StringBuilder text = new StringBuilder();                     // one char per byte: UTF-8 stays intact
            reads.add(child.stdout().read(16 * 1024, ReadListener.of(data -> {
                text.append(StandardCharsets.ISO_8859_1.decode(data));
                int end = text.lastIndexOf("\n") + 1;                     // whole lines only; the rest waits
                if (end > 0) {
                    String lines = text.substring(0, end).replaceAll("(?m)^", prefix);  // each line prefixed
                    sink.write(StandardCharsets.ISO_8859_1.encode(lines), null);
                    text.delete(0, end);
                }
                if (!sink.isWritable()) {
                    ReadRegistration.current().pause();               // resumed at the low water mark
                }
            }, (reason, error) -> {
                if (text.length() > 0) {                                  // a last line without '\n'
                    sink.write(StandardCharsets.ISO_8859_1.encode(prefix + text + "\n"), null);
                }
            })));
            children.add(child);
        }
        // finished(): after the exit and the output's last onData and onClose, so "done" comes last
        CompletableFuture.allOf(children.stream().map(ChildProcess::finished).toArray(CompletableFuture[]::new))
                .whenComplete((ignored, failure) -> {
                    sink.write(StandardCharsets.UTF_8.encode("done\n"), null);
                    sink.closeAfterWrites(Duration.ofSeconds(30), null);
                });
        // README-LOG-END
        return children;
    }
}
