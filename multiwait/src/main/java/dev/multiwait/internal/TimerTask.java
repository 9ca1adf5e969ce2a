package dev.multiwait.internal;

import dev.multiwait.Timeout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One entry of a {@link TimerHeap}: a deadline on the monotonic clock, a sequence number (same deadline:
 * scheduled first runs first) and its slot in the heap, so cancel removes it in O(log n).
 */
public final class TimerTask implements Timeout {
    static final int PENDING = 0;
    static final int STARTED = 1;
    static final int CANCELLED = 2;

    final long deadline;
    final long seq;
    final Runnable task;
    /** Keeps run() going while pending (libuv's ref); internal timers watching a live registration do not. */
    final boolean keepsAlive;
    private final EventLoop loop;
    /** PENDING, STARTED or CANCELLED; a field with a VarHandle, not an AtomicInteger: one object per timer. */
    private volatile int state = PENDING;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TimerTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Slot in the heap's array, -1 when not in it. Loop thread. */
    int index = -1;

    TimerTask(EventLoop loop, long deadline, long seq, Runnable task, boolean keepsAlive) {
        this.loop = loop;
        this.deadline = deadline;
        this.seq = seq;
        this.task = task;
        this.keepsAlive = keepsAlive;
    }

    @Override
    public boolean cancel() {
        if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
            return false;
        }
        loop.timerCancelled(this);
        return true;
    }

    @Override
    public boolean isPending() {
        return state == PENDING;
    }

    /** The loop is about to run it: false if a cancel came first. */
    boolean start() {
        return STATE.compareAndSet(this, PENDING, STARTED);
    }

    /** close() drops it: it will never run. */
    void drop() {
        STATE.compareAndSet(this, PENDING, CANCELLED);
    }

    /** Earlier deadline first; the same deadline in schedule order. */
    boolean before(TimerTask o) {
        long d = deadline - o.deadline; // nanoTime values compare by difference (they may wrap)
        return d < 0 || (d == 0 && seq < o.seq);
    }

    @Override
    public String toString() {
        return "timeout #" + seq + (isPending() ? " pending" : state == STARTED ? " started" : " cancelled");
    }
}
