package dev.multiwait.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A write listener that writes again (on the loop thread) must only queue behind the writes
 * already queued: never start a second write in flight or lose one's completion. Before the fix
 * the queue moved on twice and a sender with several writes queued stalled under Wine.
 */
class StreamWriterReentryTest {
    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void writingFromAWriteListenerKeepsOneWriteInFlight(boolean skip) {
        Harness h = new Harness(skip);
        StreamEntry s = h.attach();
        List<String> done = new ArrayList<>();
        int[] next = {3};
        for (int i = 0; i < 3; i++) {
            String name = "w" + i;
            s.write(StreamWriterTest.bytes(name), new Rewriter(s, done, next, name));
        }
        h.settle();
        for (int round = 0; round < 6; round++) {
            assertEquals(round + 1, h.writes.size(), "one write in flight at a time");
            h.complete(h.write(round), 0, 2);
            h.settle();
        }
        assertEquals(List.of("w0", "w1", "w2", "w3", "w4", "w5"), h.written);
        assertEquals(List.of("w0", "w1", "w2", "w3", "w4", "w5"), done);
    }

    /** Writes one more (up to w5) each time a write completes. */
    private record Rewriter(StreamEntry s, List<String> done, int[] next, String name)
            implements dev.multiwait.WriteListener {
        @Override
        public void onWritten(int written, dev.multiwait.MultiWaitException error) {
            done.add(name);
            if (next[0] < 6) {
                String n = "w" + next[0]++;
                s.write(StreamWriterTest.bytes(n), new Rewriter(s, done, next, n));
            }
        }
    }
}
