package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stream's idle timeout ends its read TIMED_OUT once no byte moved for that long; bytes restart the clock. */
class IdleTimeoutTest {
    private static final long MS = 1_000_000L;
    private final Harness h = new Harness(false);
    private final AtomicLong now = new AtomicLong(7_000 * MS);

    IdleTimeoutTest() {
        h.loop.clock(now::get);
    }

    @Test
    void bytesRestartTheClockAndSilenceEndsTheReadTimedOutAfterItsPacket() {
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        s.setIdleTimeout(Duration.ofMillis(100));
        Registration reg = s.read(16, rec);
        h.settle();
        now.addAndGet(60 * MS);
        h.completeRead(h.lastRead(), 0, "tick");
        h.settle();
        now.addAndGet(60 * MS); // 120 ms since the start, 60 since the last byte
        h.settle();
        assertTrue(reg.isActive(), "bytes 60 ms ago: not idle");
        now.addAndGet(40 * MS);
        h.settle();
        assertEquals(1, h.reads.size() - 1, "one read re-issued after the data");
        assertTrue(reg.isActive(), "cancelled, waiting for the read's packet");
        h.completeRead(h.lastRead(), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertFalse(reg.isActive());
        assertEquals(List.of("data:tick", "close:TIMED_OUT"), rec.events);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, rec.error);
        assertEquals(10060, e.win32Error());
        assertTrue(e.getMessage().contains("for 100 ms"), e.getMessage());
        assertEquals(CloseReason.TIMED_OUT, rec.reason);
    }

    @Test
    void aTimeoutSetWhileTheStreamClosesArmsNoTimer() {
        StreamEntry s = h.attach();
        h.loop.execute(s::close); // runs first on the loop, after the setter passed its open check
        s.setIdleTimeout(Duration.ofMillis(100));
        h.settle();
        assertEquals(0, h.loop.timerCount(), "no timer left for a closed stream");
    }

    @Test
    void zeroTurnsItOffAndCloseStopsTheTimer() {
        StreamEntry s = h.attach();
        Recorder rec = new Recorder();
        s.setIdleTimeout(Duration.ofMillis(100));
        Registration reg = s.read(16, rec);
        h.settle();
        assertEquals(1, h.loop.timerCount());
        s.setIdleTimeout(Duration.ZERO);
        h.settle();
        assertEquals(0, h.loop.timerCount());
        now.addAndGet(1000 * MS);
        h.settle();
        assertTrue(reg.isActive());
        s.setIdleTimeout(Duration.ofMillis(100));
        s.close();
        h.completeRead(h.lastRead(), Win32Errors.ERROR_OPERATION_ABORTED, "");
        h.settle();
        assertEquals(List.of("close:CANCELLED"), rec.events);
        assertEquals(0, h.loop.timerCount(), "the closed stream's timer is gone");
    }
}
