package dev.multiwait.internal;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import dev.multiwait.CallbackErrorHandler;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The loop: dequeues packets in batches, finds each key's entry in O(1), and dispatches. Every
 * registration's state is touched only by the thread running the loop; other threads hand work
 * over through {@link #execute} (a task queue plus one wake packet), so no lock sits on the hot path.
 */
public final class EventLoop {
    static final long WAKE_KEY = 0;
    private static final System.Logger LOG = System.getLogger("dev.multiwait");

    public final Win32 win32;
    public final CompletionPort port;
    public final KeyTable<PortEntry> table = new KeyTable<>();

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePosted = new AtomicBoolean();
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final Completions batch;
    private final ReentrantLock owner = new ReentrantLock();
    private final AtomicInteger live = new AtomicInteger();
    private volatile Thread loopThread;
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private volatile CallbackErrorHandler errorHandler = EventLoop::logCallbackError;
    private long dispatched;
    private Win32.WaitCallback bridgeCallback;

    public EventLoop(Win32 win32, CompletionPort port, int batchSize) {
        this.win32 = win32;
        this.port = port;
        this.batch = new Completions(batchSize);
    }

    // ---- handing work to the loop thread ----

    public boolean inLoop() {
        return Thread.currentThread() == loopThread;
    }

    /** Runs {@code task} on the loop thread: now if called there, else at the loop's next turn. */
    public void execute(Runnable task) {
        if (closed) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        if (inLoop()) {
            task.run();
        } else {
            tasks.add(task);
            wake();
        }
    }

    /** As {@link #execute}, but silently does nothing once the loop is closed (for cancel paths). */
    public void executeUnlessClosed(Runnable task) {
        if (!closed) {
            try {
                execute(task);
            } catch (IllegalStateException closedMeanwhile) {
                // close() cancels everything anyway
            }
        }
    }

    /** A completion that finished synchronously: dispatched later in this turn, never re-entrantly. */
    public void later(Runnable completion) {
        ready.add(completion);
    }

    private void wake() {
        if (wakePosted.compareAndSet(false, true) && !port.post(WAKE_KEY, 0)) {
            wakePosted.set(false);
            LOG.log(System.Logger.Level.ERROR, "PostQueuedCompletionStatus failed: Win32 error " + win32.lastError());
        }
    }

    /**
     * The callback every wait bridge of this loop registers; its context is the bridge's key. It runs
     * on a wait-pool thread and only marks and posts. That thread stays attached to the JVM, so a
     * signal does not pay for an attach each time. Created on first use, kept reachable by this loop.
     */
    synchronized Win32.WaitCallback bridgeCallback() {
        if (bridgeCallback == null) {
            bridgeCallback = (key, timedOut) -> {
                PortEntry entry = table.get(key);
                if (entry != null) {
                    entry.aboutToPost();
                }
                if (!port.post(key, 0)) {
                    LOG.log(System.Logger.Level.ERROR, "wait bridge could not post key 0x" + Long.toHexString(key)
                            + ": Win32 error " + win32.lastError());
                }
            };
            Native.setCallbackThreadInitializer(bridgeCallback,
                    new CallbackThreadInitializer(true, false, "multiwait-wait"));
        }
        return bridgeCallback;
    }

    // ---- bookkeeping ----

    public void opened() {
        live.incrementAndGet();
    }

    public void closedOne() {
        live.decrementAndGet();
    }

    /** Registrations (and queued writes) not yet finished. */
    public int liveCount() {
        return live.get();
    }

    public long dispatchedCount() {
        return dispatched;
    }

    public boolean isClosed() {
        return closed;
    }

    public void setErrorHandler(CallbackErrorHandler handler) {
        this.errorHandler = handler == null ? EventLoop::logCallbackError : handler;
    }

    /** A listener threw: tell the handler, which must not take the loop down either. */
    public void reportCallbackError(Registration registration, Throwable error) {
        try {
            errorHandler.onCallbackError(registration, error);
        } catch (Throwable handlerFailed) {
            logCallbackError(registration, handlerFailed);
        }
    }

    private static void logCallbackError(Registration registration, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, "multiwait listener threw (" + registration + ")", error);
    }

    // ---- running ----

    /**
     * Runs until {@link #stop()} or until no registration is left.
     */
    public void run() {
        enter();
        try {
            while (!stopRequested && (live.get() > 0 || !tasks.isEmpty() || !ready.isEmpty())) {
                turn(-1);
            }
        } finally {
            stopRequested = false;
            leave();
        }
    }

    /** One turn: waits up to {@code timeoutMillis} (-1 forever) for packets and dispatches them. */
    public int runOnce(int timeoutMillis) {
        enter();
        try {
            return turn(timeoutMillis);
        } finally {
            stopRequested = false;
            leave();
        }
    }

    /** Wakes the loop and makes the current (or next) run() return. Any thread. */
    public void stop() {
        stopRequested = true;
        wakePosted.set(false);
        wake();
    }

    private void enter() {
        if (!owner.tryLock()) {
            throw new IllegalStateException("the loop is already running on " + loopThread);
        }
        if (closed) {
            owner.unlock();
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        loopThread = Thread.currentThread();
    }

    private void leave() {
        loopThread = null;
        owner.unlock();
    }

    private int turn(int timeoutMillis) {
        // Work found before waiting (tasks, synchronous completions) means this turn must not block:
        // it may have ended the last registration, or be exactly what runOnce's caller waits for.
        int early = runTasks() + runReady();
        boolean mustNotBlock = early > 0 || stopRequested || !ready.isEmpty() || !tasks.isEmpty();
        port.dequeue(batch, mustNotBlock ? 0 : timeoutMillis);
        int n = batch.count;
        int handled = early;
        for (int i = 0; i < n; i++) {
            long key = batch.keys[i];
            if (key == WAKE_KEY) {
                wakePosted.set(false);
                continue;
            }
            PortEntry entry = table.get(key);
            if (entry == null) {
                LOG.log(System.Logger.Level.WARNING, "packet for unknown completion key 0x" + Long.toHexString(key));
                continue;
            }
            try {
                entry.onPacket(batch.overlapped[i], batch.bytes[i]);
            } catch (Throwable t) {
                reportCallbackError(null, t);
            }
            handled++;
        }
        handled += runReady();
        handled += runTasks();
        dispatched += handled;
        return handled;
    }

    private int runReady() {
        int n = ready.size();
        for (int i = 0; i < n; i++) {
            Runnable r = ready.poll();
            try {
                r.run();
            } catch (Throwable t) {
                reportCallbackError(null, t);
            }
        }
        return n;
    }

    private int runTasks() {
        int n = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            n++;
            try {
                task.run();
            } catch (Throwable t) {
                reportCallbackError(null, t);
            }
        }
        return n;
    }

    // ---- shutdown ----

    /**
     * Cancels everything, consumes every outstanding packet (so no native block is freed while the
     * kernel may still write it), then closes the port. Must not be called while another thread runs
     * the loop; {@code MultiHandleWait.close()} arranges that.
     *
     * @return false if some operation's packet never came within {@code drainMillis} (its memory is then kept, not freed)
     */
    public boolean close(long drainMillis) {
        enter();
        boolean drained;
        try {
            // a stop() meant for run() (MultiHandleWait.close() sends one) must not turn the drain into a busy poll
            stopRequested = false;
            runTasks();
            runReady();
            closed = true;
            for (PortEntry entry : table.snapshot()) {
                try {
                    entry.shutdown();
                } catch (Throwable t) {
                    reportCallbackError(null, t);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
            while (live.get() > 0 || !ready.isEmpty() || !tasks.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                turn((int) Math.min(left, 100));
            }
            drained = live.get() == 0;
            if (!drained) {
                LOG.log(System.Logger.Level.ERROR, live.get() + " operations still pending after "
                        + drainMillis + " ms at close; their native memory is kept, not freed");
            }
            for (PortEntry entry : table.snapshot()) {
                entry.abandonAtClose();
            }
        } finally {
            leave();
        }
        if (drained) {
            port.close();
        }
        return drained;
    }
}
