package dev.multiwait.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.multiwait.internal.StreamWriterTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Water marks and the queued-write bound against the fake kernel: exact counts, one flip each way, nothing queued past the bound. */
class WriteBudgetTest {
    @ParameterizedTest(name = "skipOnSuccess={0}")
    @ValueSource(booleans = {true, false})
    void writabilityFlipsWithHysteresisAndTheBoundRefuses(boolean skip) {
        Harness h = new Harness(skip);
        StreamEntry s = h.attach();
        List<Boolean> flips = new ArrayList<>();
        s.setWriteWaterMarks(4, 10, (stream, writable) -> flips.add(writable));
        s.setMaxPendingWriteBytes(20);
        s.write(bytes("123456"), null);
        assertTrue(s.isWritable());
        s.write(bytes("abcdef"), null);
        assertEquals(12, s.pendingWriteBytes());
        assertFalse(s.isWritable(), "above the high mark");
        h.settle();
        assertEquals(List.of(false), flips);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> s.write(bytes("123456789"), null));
        assertTrue(refused.getMessage().contains("limit") && refused.getMessage().contains("20"), refused.getMessage());
        assertEquals(12, s.pendingWriteBytes(), "nothing queued past the bound");
        assertEquals(2, h.loop.liveCount(), "the refused write is not counted live");

        h.complete(h.write(0), 0, 6);
        h.settle();
        assertEquals(6, s.pendingWriteBytes());
        assertFalse(s.isWritable(), "not writable again until the low mark");
        h.complete(h.write(1), 0, 6);
        h.settle();
        assertEquals(0, s.pendingWriteBytes());
        assertTrue(s.isWritable());
        assertEquals(List.of(false, true), flips);
    }
}
