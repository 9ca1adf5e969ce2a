package dev.multiwait.internal;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import dev.multiwait.CallbackErrorHandler;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The loop: dequeues packets in batches, finds each key's entry in O(1), and dispatches. Every
 * registration's state is touched only by the thread running the loop; other threads hand work
 * over through {@link #execute} (a task queue plus one wake packet), so no lock sits on the hot path.
 */
public final class EventLoop {
    static final long WAKE_KEY = 0;
    /** Tries a wake post gets (1 ms, 2 ms apart) before execute()/stop() report the failure. */
    static final int WAKE_POST_ATTEMPTS = 3;
    /** Tries a wait bridge's post gets (1, 2, 4, 8 ms apart) before its registration is failed. */
    static final int BRIDGE_POST_ATTEMPTS = 5;
    /** Consecutive dequeue failures close() tolerates while draining before it gives up. */
    static final int DRAIN_DEQUEUE_ATTEMPTS = 5;
    private static final System.Logger LOG = System.getLogger("dev.multiwait");
    /**
     * Bridge callbacks a wait may still call although unregistering it failed: kept reachable for
     * the JVM's life, since the wait pool would otherwise call freed code.
     */
    private static final List<Win32.WaitCallback> PINNED = new ArrayList<>();

    private final Win32 win32;
    private final CompletionPort port;
    private final KeyTable<PortEntry> table = new KeyTable<>();

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePosted = new AtomicBoolean();
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PacketBatch batch;
    private final ReentrantLock owner = new ReentrantLock();
    private final AtomicInteger live = new AtomicInteger();
    private volatile Thread loopThread;
    /** The thread closing this loop: from the moment it claims the close, no other thread may enter. */
    private volatile Thread closer;
    private volatile boolean stopRequested;
    private volatile boolean closed;
    /** Taken to set {@link #closed} and to register: an entry joins the table only while the loop is open. */
    private final Object registrations = new Object();
    private volatile CallbackErrorHandler errorHandler = EventLoop::logCallbackError;
    private long dispatched;
    /** Pending timers; loop thread only (other threads hand theirs over through {@link #execute}). */
    private final TimerHeap timers = new TimerHeap();
    private final AtomicLong timerSeq = new AtomicLong();
    /** Monotonic nanoseconds (System.nanoTime); a test may drive it by hand. */
    private volatile LongSupplier clock = System::nanoTime;
    private Win32.WaitCallback bridgeCallback;

    public EventLoop(Win32 win32, CompletionPort port, int batchSize) {
        this.win32 = win32;
        this.port = port;
        this.batch = new PacketBatch(batchSize);
    }

    // ---- handing work to the loop thread ----

    public boolean inLoop() {
        return Thread.currentThread() == loopThread;
    }

    /**
     * Runs {@code task} on the loop thread: now if called there, else at the loop's next turn.
     *
     * @throws IllegalStateException if the loop is closed (the task is not run)
     * @throws MultiWaitException if the loop could not be woken (PostQueuedCompletionStatus failed
     *         {@value #WAKE_POST_ATTEMPTS} times): the task was withdrawn and will not run
     */
    public void execute(Runnable task) {
        if (closed) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        if (inLoop()) {
            task.run();
        } else {
            tasks.add(task);
            if (closed) {
                // close() ran meanwhile: its drain ran the task, or it never will (then say so; never post to a
                // port that may be closed, its handle value reused)
                if (tasks.remove(task)) {
                    throw new IllegalStateException("MultiHandleWait is closed");
                }
                return;
            }
            MultiWaitException failed = wake("the call was not made");
            // If the loop has taken the task meanwhile, it runs (or ran): the call was made after all.
            if (failed != null && tasks.remove(task)) {
                throw failed;
            }
        }
    }

    /**
     * As {@link #execute}, but does nothing once the loop is closed (for cancel paths, where close
     * cancels everything anyway). A wake failure still throws.
     *
     * @return false if the loop was closed and the task not run
     */
    public boolean executeUnlessClosed(Runnable task) {
        if (closed) {
            return false;
        }
        try {
            execute(task);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        }
    }

    /** A completion that finished synchronously: dispatched later in this turn, never re-entrantly. */
    public void later(Runnable completion) {
        ready.add(completion);
    }

    /**
     * Makes sure a wake packet is queued. Null, or the failure (after {@value #WAKE_POST_ATTEMPTS}
     * attempts) with {@code consequence} as its hint.
     */
    private MultiWaitException wake(String consequence) {
        if (!wakePosted.compareAndSet(false, true)) {
            return null;
        }
        int error = post(WAKE_KEY, WAKE_POST_ATTEMPTS);
        if (error == POSTED) {
            return null;
        }
        wakePosted.set(false);
        return new MultiWaitException("PostQueuedCompletionStatus(wake)", port.handle(), error,
                "could not wake the loop after " + WAKE_POST_ATTEMPTS + " attempts; " + consequence);
    }

    private static final int POSTED = Integer.MIN_VALUE;

    /** Posts a packet for {@code key}, retrying with 1, 2, 4... ms pauses: {@link #POSTED} or the last Win32 error. */
    private int post(long key, int attempts) {
        int error = 0;
        for (int i = 0; i < attempts; i++) {
            if (port.post(key, 0)) {
                return POSTED;
            }
            error = win32.lastError();
            if (i + 1 < attempts) {
                LockSupport.parkNanos(1_000_000L << i);
            }
        }
        return error;
    }

    /**
     * The callback every wait bridge of this loop registers; its context is the bridge's key. It runs
     * on a wait thread ({@code JnaWin32} uses the library's own) and only marks and posts. Should a
     * native layer hand it to the system's wait pool, JNA detaches the pool thread after each call: a
     * pool thread left attached is detached when the pool retires it, inside DLL_THREAD_DETACH under
     * the loader lock, which deadlocks the JVM against a Thread.start() (JNA #1479, BridgeThreadChurnTest).
     * Created on first use, kept reachable.
     */
    synchronized Win32.WaitCallback bridgeCallback() {
        if (bridgeCallback == null) {
            bridgeCallback = (key, timedOut) -> {
                PortEntry entry = table.get(key);
                if (entry != null) {
                    entry.aboutToPost();
                }
                int error = post(key, BRIDGE_POST_ATTEMPTS);
                if (error == POSTED) {
                    return;
                }
                // The signal cannot reach the loop as a packet: fail that registration through the task
                // queue instead, at the loop's next turn (now, if a wake can still be posted).
                MultiWaitException failure = new MultiWaitException("PostQueuedCompletionStatus", port.handle(), error,
                        "a bridged wait fired but its packet could not be posted after " + BRIDGE_POST_ATTEMPTS
                                + " attempts; the registration ends FAILED");
                LOG.log(System.Logger.Level.ERROR, failure.getMessage() + " (key 0x" + Long.toHexString(key) + ")");
                if (entry != null) {
                    tasks.add(() -> entry.postFailed(failure));
                    wake("the failure is delivered at the loop's next turn");
                }
            };
            Native.setCallbackThreadInitializer(bridgeCallback,
                    new CallbackThreadInitializer(true, true, "multiwait-wait"));
        }
        return bridgeCallback;
    }

    /** Unregistering a wait failed: it may still call the bridge callback, which must outlive this loop. */
    synchronized void pinBridgeCallback() {
        if (bridgeCallback != null) {
            synchronized (PINNED) {
                if (!PINNED.contains(bridgeCallback)) {
                    PINNED.add(bridgeCallback);
                }
            }
        }
    }

    // ---- the front door: the native layer, registering, starting work ----

    public Win32 win32() {
        return win32;
    }

    /** The key table, for tests and the close sweep; entries join it through {@link #register}. */
    KeyTable<PortEntry> table() {
        return table;
    }

    /**
     * Hands {@code start} to the loop thread. If the loop is closed, or cannot be woken, nothing will run
     * it: {@code discard} undoes the caller's set-up (on this thread) and the call throws.
     *
     * @throws IllegalStateException if the loop is closed
     * @throws MultiWaitException if the wake packet could not be posted
     */
    public void start(Runnable start, Runnable discard) {
        boolean handedOver;
        try {
            handedOver = executeUnlessClosed(start);
        } catch (MultiWaitException e) {
            discard.run();
            throw e;
        }
        if (!handedOver) {
            discard.run();
            throw new IllegalStateException("MultiHandleWait is closed");
        }
    }

    /** As {@link #register(PortEntry, java.util.function.LongConsumer)}, associating {@code handle} with the port. */
    public long register(PortEntry entry, long handle, Runnable setUp) {
        return register(entry, key -> {
            port.associate(handle, key);
            setUp.run();
        });
    }

    /** As {@link #register(PortEntry, java.util.function.LongConsumer)} for an entry with no handle of its own. */
    public long register(PortEntry entry) {
        return register(entry, key -> { });
    }

    /** The entry's key leaves the table: packets still carrying it are dropped (logged). */
    public void unregister(PortEntry entry) {
        table.remove(entry.key());
    }

    /**
     * Adds {@code entry} to the key table and runs {@code bind} with its key (associating its handle,
     * setting its modes), all or nothing against {@link #close}: an entry registered is one close() sweeps,
     * and once the loop is closed nothing is added or bound. If {@code bind} throws, the key is removed.
     *
     * @throws IllegalStateException if the loop is closed (nothing was added or bound)
     */
    public long register(PortEntry entry, java.util.function.LongConsumer bind) {
        synchronized (registrations) {
            if (closed) {
                throw new IllegalStateException("MultiHandleWait is closed");
            }
            long key = table.add(entry);
            try {
                bind.accept(key);
            } catch (RuntimeException | Error e) {
                table.remove(key);
                throw e;
            }
            return key;
        }
    }

    // ---- time ----

    /** Longest delay taken as is (about 146 years): deadlines stay comparable by difference. */
    static final long MAX_DELAY_NANOS = 1L << 62;

    /**
     * Runs {@code task} on the loop thread once {@code delayNanos} have passed on the monotonic clock (never
     * earlier); same deadline: in schedule order. Any thread.
     *
     * @param keepsAlive whether it keeps {@link #run()} going while pending
     * @throws IllegalStateException if the loop is closed
     * @throws MultiWaitException if called off the loop thread and the loop could not be woken (not scheduled)
     */
    public TimerTask schedule(long delayNanos, Runnable task, boolean keepsAlive) {
        if (closed) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        long deadline = clock.getAsLong() + Math.min(Math.max(delayNanos, 0), MAX_DELAY_NANOS);
        TimerTask t = new TimerTask(this, deadline, timerSeq.getAndIncrement(), task, keepsAlive);
        if (inLoop()) {
            timers.add(t); // no hand-over closure on the loop thread's hot path (a timer re-arming itself)
            return t;
        }
        try {
            execute(() -> {
                if (t.isPending()) {
                    timers.add(t);
                }
            });
        } catch (RuntimeException notScheduled) {
            t.drop();
            throw notScheduled;
        }
        return t;
    }

    /** A timer was cancelled (its state says so already): take it out of the heap, on the loop thread. */
    void timerCancelled(TimerTask t) {
        if (inLoop()) {
            timers.remove(t);
            return;
        }
        try {
            executeUnlessClosed(() -> timers.remove(t));
        } catch (MultiWaitException wakeFailed) {
            // it stays in the heap until its deadline, where it is skipped as cancelled
        }
    }

    /** Pending timers (loop thread, or tests while the loop is not running). */
    int timerCount() {
        return timers.size();
    }

    /** For tests and the timer benchmark: the monotonic clock the timers read (System.nanoTime by default). */
    public void clock(LongSupplier nanoTime) {
        this.clock = nanoTime;
    }

    long nanoTime() {
        return clock.getAsLong();
    }

    /** How long the next dequeue may block: {@code timeoutMillis} (-1 forever), shortened to the nearest timer. */
    private int waitMillis(int timeoutMillis) {
        TimerTask next = timers.peek();
        if (next == null) {
            return timeoutMillis;
        }
        long left = next.deadline - clock.getAsLong();
        // rounded up: a wake before the deadline would only turn round again
        long ms = left <= 0 ? 0 : Math.min((left + 999_999) / 1_000_000, Integer.MAX_VALUE - 1);
        return timeoutMillis < 0 ? (int) ms : (int) Math.min(ms, timeoutMillis);
    }

    /**
     * Runs the timers due now, nearest first; not those scheduled meanwhile (a zero delay waits for the next
     * turn), so a timer re-scheduling itself cannot hold the loop.
     */
    private int runTimers() {
        if (timers.size() == 0 || closed) {
            return 0;
        }
        long now = clock.getAsLong();
        long newer = timerSeq.get();
        int n = 0;
        TimerTask t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0 && t.seq < newer) {
            timers.remove(t);
            if (!t.start()) {
                continue;
            }
            n++;
            try {
                t.task.run();
            } catch (Throwable e) {
                reportCallbackError(null, e);
            }
        }
        return n;
    }

    /** close(): pending timers will never run. */
    private void dropTimers() {
        for (TimerTask t : timers.clear()) {
            t.drop();
        }
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
     * Runs until {@link #stop()} or until nothing keeps it alive: no registration, no task handed over, no
     * pending timer that keeps it alive.
     */
    public void run() {
        run(false);
    }

    /** As {@link #run()}, also while nothing keeps it alive: until {@link #stop()}. */
    public void runUntilStopped() {
        run(true);
    }

    private void run(boolean untilStopped) {
        enter();
        try {
            while (!stopRequested && (untilStopped || keptAlive())) {
                turn(-1);
            }
        } finally {
            stopRequested = false;
            leave();
        }
    }

    private boolean keptAlive() {
        return live.get() > 0 || !tasks.isEmpty() || !ready.isEmpty() || timers.keepsLoopAlive();
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

    /**
     * Wakes the loop and makes the current (or next) run() return. Any thread.
     *
     * @throws MultiWaitException if the wake packet could not be posted: the stop request stands,
     *         and a blocked run() returns at its next packet
     */
    public void stop() {
        if (closed) {
            return; // nothing runs any more, and the port may be gone
        }
        stopRequested = true;
        wakePosted.set(false);
        MultiWaitException failed = wake("the stop request stands, but a blocked run() returns only at its next packet");
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Claims the close for the calling thread; from now on run()/runOnce() on any other thread are
     * refused, so a thread calling runOnce() in a loop cannot starve the closer. False if another
     * thread holds the claim.
     */
    public synchronized boolean claimClose() {
        Thread me = Thread.currentThread();
        if (closer != null && closer != me) {
            return false;
        }
        closer = me;
        return true;
    }

    /** Gives a claim back (the close failed before the loop was closed). */
    public synchronized void releaseClose() {
        if (closer == Thread.currentThread()) {
            closer = null;
        }
    }

    private void enter() {
        // The lock is re-entrant: without this a listener's run() would nest for ever, its runOnce()
        // dispatch other listeners inside it, and the nested leave() would clear the loop thread.
        if (owner.isHeldByCurrentThread()) {
            throw new IllegalStateException("run()/runOnce() from a listener: the loop is already running on this"
                    + " thread; return from the listener instead (cancel() makes run() return)");
        }
        Thread c = closer;
        if (c != null && c != Thread.currentThread()) {
            throw new IllegalStateException("MultiHandleWait is closed (being closed by " + c.getName() + ")");
        }
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
        port.dequeue(batch, mustNotBlock ? 0 : waitMillis(timeoutMillis));
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
        handled += runTimers();
        handled += runReady();
        handled += runTasks();
        dispatched += handled;
        return handled;
    }

    /**
     * Shuts down every entry of the table not shut down yet, if any was added since {@code sweptAdds}
     * (-1: the first sweep). Returns the table's add count it looked at.
     */
    private long shutDownNewEntries(Set<PortEntry> shutDown, long sweptAdds) {
        long adds = table.adds();
        if (adds == sweptAdds) {
            return adds;
        }
        for (PortEntry entry : table.snapshot()) {
            if (shutDown.add(entry)) {
                try {
                    entry.cancelForClose();
                } catch (Throwable t) {
                    reportCallbackError(null, t);
                }
            }
        }
        return adds;
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
     * @throws MultiWaitException if dequeuing kept failing ({@value #DRAIN_DEQUEUE_ATTEMPTS} times in a row)
     *         while draining: the loop is closed, what was pending is abandoned (its memory kept), the port left open
     */
    public boolean close(long drainMillis) {
        enter();
        boolean drained;
        MultiWaitException dequeueFailure = null;
        int dequeueFailures = 0;
        try {
            // a stop() meant for run() (MultiHandleWait.close() sends one) must not turn the drain into a busy poll
            stopRequested = false;
            runTasks();
            runReady();
            synchronized (registrations) {
                closed = true;
            }
            dropTimers();
            Set<PortEntry> shutDown = Collections.newSetFromMap(new IdentityHashMap<>());
            long swept = shutDownNewEntries(shutDown, -1);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
            while (live.get() > 0 || !ready.isEmpty() || !tasks.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                // A registration made on another thread that had passed its closed check (a watch arms on
                // the caller's thread) may have joined the table after the sweep: shut it down too.
                swept = shutDownNewEntries(shutDown, swept);
                try {
                    turn((int) Math.min(left, 100));
                    dequeueFailures = 0;
                } catch (MultiWaitException e) {
                    // a failed dequeue took no packet: try again shortly, but not forever
                    dequeueFailure = e;
                    if (++dequeueFailures >= DRAIN_DEQUEUE_ATTEMPTS) {
                        break;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
            drained = live.get() == 0;
            if (!drained) {
                LOG.log(System.Logger.Level.ERROR, live.get() + " operations still pending after "
                        + drainMillis + " ms at close; their native memory is kept, not freed");
            }
            dropTimers(); // scheduled by a task the drain ran
            for (PortEntry entry : table.snapshot()) {
                entry.abandonAtClose();
            }
        } finally {
            leave();
        }
        if (drained) {
            port.close();
        } else if (dequeueFailures >= DRAIN_DEQUEUE_ATTEMPTS) {
            throw new MultiWaitException("GetQueuedCompletionStatusEx", port.handle(), dequeueFailure.win32Error(),
                    "close() could not drain: dequeuing failed " + DRAIN_DEQUEUE_ATTEMPTS + " times in a row; "
                            + "the memory of what was pending is kept, the port left open");
        }
        return drained;
    }
}
