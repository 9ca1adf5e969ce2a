package dev.multiwait.internal;

import dev.multiwait.StreamHandle;
import dev.multiwait.WritabilityListener;

/**
 * What a stream's queued writes hold: counted when a write is copied (caller's thread), released when
 * its listener is told (loop thread). Above the high water mark the stream turns unwritable, at the
 * low mark writable again (netty's hysteresis); beyond the limit a write is refused before any copy.
 */
final class WriteBudget {
    private final StreamEntry stream;
    private long pending;
    private long low = StreamHandle.DEFAULT_LOW_WATER_MARK;
    private long high = StreamHandle.DEFAULT_HIGH_WATER_MARK;
    private long limit = StreamHandle.DEFAULT_MAX_PENDING_WRITE_BYTES;
    private boolean writable = true;
    private WritabilityListener listener;
    /** The state the listener was last told (loop thread). */
    private boolean reported = true;

    WriteBudget(StreamEntry stream) {
        this.stream = stream;
    }

    synchronized long pending() {
        return pending;
    }

    synchronized boolean writable() {
        return writable;
    }

    /** Counts {@code n} bytes about to be queued, or refuses them (nothing counted) beyond the limit. */
    void reserve(long n) {
        synchronized (this) {
            if (pending + n > limit) {
                throw new IllegalStateException("write of " + n + " bytes refused on handle 0x" + Long.toHexString(stream.handle)
                        + ": " + pending + " bytes are already queued and the limit (maxPendingWriteBytes) is " + limit
                        + "; wait until the stream is writable again");
            }
            pending += n;
        }
        update();
    }

    /** {@code n} bytes left the queue (written, failed or never handed over). */
    void release(long n) {
        synchronized (this) {
            pending -= n;
        }
        update();
    }

    void waterMarks(long lowMark, long highMark, WritabilityListener l) {
        if (lowMark < 0 || highMark < lowMark) {
            throw new IllegalArgumentException("water marks must satisfy 0 <= low <= high: low " + lowMark + ", high " + highMark);
        }
        synchronized (this) {
            low = lowMark;
            high = highMark;
            listener = l;
        }
        update();
    }

    void limit(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxPendingWriteBytes must be positive: " + max);
        }
        synchronized (this) {
            limit = max;
        }
    }

    /** Applies the hysteresis; a change is reported on the loop, never inside the caller's write(). */
    private void update() {
        boolean changed;
        synchronized (this) {
            boolean now = writable ? pending <= high : pending <= low;
            changed = now != writable;
            writable = now;
            if (!changed || listener == null) {
                return;
            }
        }
        if (stream.loop.inLoop()) {
            stream.loop.later(this::report);
            return;
        }
        try {
            stream.loop.executeUnlessClosed(this::report);
        } catch (RuntimeException wakeFailed) {
            stream.loop.reportCallbackError(null, wakeFailed); // the write itself is queued; only this report is lost
        }
    }

    /** Loop thread: tells the listener the current state if it differs from what it was last told. */
    private void report() {
        boolean now;
        WritabilityListener l;
        synchronized (this) {
            now = writable;
            l = listener;
        }
        if (l == null || now == reported) {
            return;
        }
        reported = now;
        try {
            l.onWritabilityChanged(stream, now);
        } catch (Throwable t) {
            stream.loop.reportCallbackError(null, t);
        }
    }
}
