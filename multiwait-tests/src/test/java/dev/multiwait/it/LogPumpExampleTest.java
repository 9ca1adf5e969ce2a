package dev.multiwait.it;

import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.StreamHandle;
import dev.multiwait.examples.LogPump;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's log pump with real children into a slow reader: every line of every child arrives whole
 * and in order, "done" is the last line, and the reads pause so the sink never holds much more than its
 * high water mark.
 */
class LogPumpExampleTest {
    private static final int CHILDREN = 4;
    private static final int LINES = 20_000;
    private static final long HIGH_WATER_MARK = 64 * 1024;

    @Test
    void everyLineOfEveryChildArrivesInOrderAndDoneIsLast() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (int c = 0; c < CHILDREN; c++) {
            commands.add(List.of(Children.exe(), "cat"));
        }
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        AtomicLong maxPending = new AtomicLong();
        List<ChildProcess> children;
        Thread reader;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            OverlappedPipe.Pair pipe = OverlappedPipe.create();
            StreamHandle sink = recordingPending(wait.attach(pipe.server()), maxPending);
            InputStream consumer = wait.attach(pipe.client()).asInputStream(4096, 8192);
            reader = new Thread(() -> readSlowly(consumer, received), "slow-reader");
            reader.start();
            children = LogPump.start(wait, commands, sink);
            for (int c = 0; c < CHILDREN; c++) { // each child copies its lines from stdin to stdout
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < LINES; i++) {
                    lines.append(line(c, i)).append('\n');
                }
                if (c == 0) {
                    lines.setLength(lines.length() - 1); // a last line without '\n' arrives whole too
                }
                children.get(c).writeStdin(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)), null);
                children.get(c).closeStdin();
            }
            wait.run(); // returns once "done" is written and the sink closed
            reader.join(60_000);
        }
        assertTrue(maxPending.get() > HIGH_WATER_MARK, "the slow reader held the sink up: " + maxPending);
        // after the mark each child's read may still deliver the chunk in flight: 16 KiB, prefixed
        assertTrue(maxPending.get() <= HIGH_WATER_MARK + CHILDREN * 24 * 1024L, "reads paused: " + maxPending);
        Map<String, Integer> childOfPid = new HashMap<>();
        for (int c = 0; c < CHILDREN; c++) {
            assertEquals(0, children.get(c).finished().get());
            childOfPid.put("[" + children.get(c).pid() + "]", c);
        }
        assertEquals("done", received.get(received.size() - 1), "done is the last line");
        int[] next = new int[CHILDREN];
        for (String got : received.subList(0, received.size() - 1)) {
            String[] parts = got.split(" ", 2);
            int c = childOfPid.get(parts[0]);
            assertEquals(line(c, next[c]++), parts[1].strip(), "child " + c + ", in order, whole");
        }
        for (int c = 0; c < CHILDREN; c++) {
            assertEquals(LINES, next[c], "every line of child " + c);
        }
    }

    private static String line(int child, int index) {
        return "child-" + child + "-line-" + index + "-\u00e9\u4e2d-" + "x".repeat(index % 13); // UTF-8 passes intact
    }

    /** Sleeps before reading and now and then, so the pump runs into its water marks. */
    private static void readSlowly(InputStream in, List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Thread.sleep(1000);
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
                if (lines.size() % 5000 == 0) {
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            lines.add("reader failed: " + e);
        }
    }

    /** The sink, noting the most bytes its queued writes held right after each write. */
    private static StreamHandle recordingPending(StreamHandle sink, AtomicLong maxPending) {
        return (StreamHandle) Proxy.newProxyInstance(StreamHandle.class.getClassLoader(),
                new Class<?>[] {StreamHandle.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(sink, args);
                        if (method.getName().equals("write")) {
                            maxPending.accumulateAndGet(sink.pendingWriteBytes(), Math::max);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
