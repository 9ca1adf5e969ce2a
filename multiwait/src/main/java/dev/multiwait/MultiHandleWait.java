package dev.multiwait;

import dev.multiwait.internal.ChildJobs;
import dev.multiwait.internal.DuplexStream;
import dev.multiwait.internal.Durations;
import dev.multiwait.internal.EventLoop;
import dev.multiwait.internal.IocpPort;
import dev.multiwait.internal.Platform;
import dev.multiwait.internal.Relay;
import dev.multiwait.internal.SocketConnect;
import dev.multiwait.internal.SocketListener;
import dev.multiwait.internal.AttachedStream;
import dev.multiwait.internal.UnclosedLoops;
import dev.multiwait.internal.WaitBridge;
import dev.multiwait.internal.Waiters;
import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits on any number of Windows handles with one I/O completion port and one thread.
 *
 * <p>Overlapped pipes, files and sockets join the port directly ({@link #attach}; sockets also
 * through {@link #listen}, {@link #connect} and {@link #attachSocket}, and any two streams can be
 * joined with {@link #relay}); events,
 * processes, timers and console input are bridged into it ({@link #watch}, {@link #watchProcess},
 * {@link #watchConsoleInput}). Every listener runs on the thread inside {@link #run()} or
 * {@link #runOnce}; every other method may be called from any thread, also while the loop runs.
 */
public final class MultiHandleWait implements AutoCloseable {
    /** Packets taken per GetQueuedCompletionStatusEx call by default. */
    public static final int DEFAULT_BATCH = 128;
    /** AcceptEx operations a listening socket keeps pending by default. */
    public static final int DEFAULT_PENDING_ACCEPTS = 4;
    /** listen() backlog by default. */
    public static final int DEFAULT_BACKLOG = 128;
    /** Ring size per direction of a relay by default. */
    public static final int DEFAULT_RELAY_BUFFER = 64 * 1024;
    private static final long DRAIN_MILLIS = 30_000;

    private final EventLoop loop;
    private final Win32 win32;
    private final ChildJobs childJobs;

    static {
        Waiters.register(MultiHandleWait::new); // the test and bench seam, not public API
    }

    /**
     * A waiter with its own completion port.
     *
     * @throws UnsupportedOperationException off Windows or on a JVM that is not 64-bit x64 or arm64
     *         (see {@link #isSupported()}), before anything native is loaded
     */
    public MultiHandleWait() {
        this(supportedWin32(), DEFAULT_BATCH);
    }

    /**
     * Whether this JVM can use multiwait: Windows, and a 64-bit x64 or arm64 JVM. Elsewhere the
     * constructor and the entry points that reach the system ({@link ChildProcess.Builder#start}, {@link OverlappedPipe})
     * throw {@link UnsupportedOperationException} saying so.
     *
     * @return true on Windows with a 64-bit x64 or arm64 JVM
     */
    public static boolean isSupported() {
        return Platform.unsupportedReason() == null;
    }

    /** The real native layer, once the platform is known to be one it works on. */
    private static Win32 supportedWin32() {
        Platform.requireSupported();
        return JnaWin32.INSTANCE;
    }

    /** With a given native layer (fault injection, benchmarks): reached through {@link Waiters#create}. */
    private MultiHandleWait(Win32 win32, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        this.win32 = Objects.requireNonNull(win32, "win32");
        this.loop = new EventLoop(win32, new IocpPort(win32, batchSize), batchSize);
        this.childJobs = new ChildJobs(win32);
        UnclosedLoops.hold(this, loop); // until close(): a dropped waiter leaks rather than free kernel-owned memory
    }

    /** The native layer this waiter was made with: children launched on it use it too. */
    Win32 win32() {
        return win32;
    }

    /** The job objects of the children launched on this waiter. */
    ChildJobs childJobs() {
        return childJobs;
    }

    /**
     * Binds an overlapped handle (pipe, file, socket) to this waiter and takes ownership of it. A socket
     * is recognised (GetNamedPipeInfo fails, GetFileType says pipe, getsockopt works) and handled as by
     * {@link #attachSocket}.
     *
     * @throws MultiWaitException with error 87 for a synchronous handle (a {@code CreatePipe} end, a
     *         Java {@code Process} stream) or one already bound to a completion port; error 6 for a
     *         closed or invalid handle. The handle is then still the caller's, untouched.
     * @param handle the raw HANDLE value, opened with FILE_FLAG_OVERLAPPED
     * @return the stream, which now owns the handle
     */
    public StreamHandle attach(long handle) {
        return AttachedStream.attach(loop, handle);
    }

    /**
     * Binds an overlapped socket (made with WSA_FLAG_OVERLAPPED) to this waiter and takes ownership
     * of it: reads and writes use WSARecv/WSASend, close uses closesocket.
     *
     * @param socket the raw SOCKET value
     * @return the stream, which now owns the socket
     * @throws MultiWaitException as {@link #attach}; the socket is then still the caller's
     */
    public StreamHandle attachSocket(long socket) {
        return AttachedStream.attachSocket(loop, socket);
    }

    /**
     * Listens on {@code address} (IPv4 or IPv6; port 0 picks a free port, see
     * {@link SocketServer#localAddress()}) and keeps {@code pendingAccepts} AcceptEx operations
     * pending; each accepted connection is attached to this waiter and handed to {@code listener}
     * with its peer address, and another accept is posted in its place.
     *
     * @param address        where to listen
     * @param backlog        the listen() backlog
     * @param pendingAccepts AcceptEx operations kept pending
     * @param listener       gets each connection, on the loop thread
     * @return the server, to stop it
     * @throws MultiWaitException naming the address and the WSA error if the socket cannot be
     *         made, bound (10048: in use; 10049: not a local address) or put to listen; nothing is left open
     */
    public SocketServer listen(InetSocketAddress address, int backlog, int pendingAccepts, AcceptListener listener) {
        return SocketListener.open(loop, address, backlog, pendingAccepts, listener);
    }

    /**
     * {@link #listen(InetSocketAddress, int, int, AcceptListener)} with the default backlog and pending accepts.
     *
     * @param address  where to listen
     * @param listener gets each connection, on the loop thread
     * @return the server, to stop it
     */
    public SocketServer listen(InetSocketAddress address, AcceptListener listener) {
        return listen(address, DEFAULT_BACKLOG, DEFAULT_PENDING_ACCEPTS, listener);
    }

    /**
     * Connects a new socket to {@code remote} with ConnectEx. On success {@code listener.onConnected}
     * gets the socket, attached to this waiter and now the listener's; on failure {@code onClose}
     * gets FAILED and a {@link MultiWaitException} naming the address and the error (10061 refused,
     * 10060 timed out, 10051/10065 unreachable); cancelling closes the socket.
     *
     * @param remote   where to connect
     * @param listener told on the loop thread
     * @return the connect operation, to cancel it
     */
    public Registration connect(InetSocketAddress remote, ConnectListener listener) {
        Objects.requireNonNull(listener, "listener");
        return SocketConnect.open(loop, remote, listener);
    }

    /**
     * As {@link #connect(InetSocketAddress, ConnectListener)}, giving up after {@code timeout} (a timer on the
     * loop): the pending ConnectEx is cancelled (CancelIoEx), its socket closed, and once its packet is back
     * {@code onClose} gets {@link CloseReason#TIMED_OUT} with a {@link MultiWaitException} of error 10060
     * (WSAETIMEDOUT). A timeout longer than the system's own (about 21 s on Windows: 10060 as FAILED) has no
     * effect. Listener calls run on the loop thread.
     *
     * @throws IllegalArgumentException for a zero or negative timeout
     * @param remote   where to connect
     * @param timeout  how long to wait at most
     * @param listener told on the loop thread
     * @return the connect operation, to cancel it
     */
    public Registration connect(InetSocketAddress remote, Duration timeout, ConnectListener listener) {
        Objects.requireNonNull(listener, "listener");
        long nanos = Durations.nanos(timeout, "timeout");
        if (nanos == 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return SocketConnect.open(loop, remote, nanos, listener);
    }

    /**
     * Relays bytes both ways between {@code a} and {@code b} (sockets, pipes, {@link #duplex}
     * pairs) until both directions have ended, and owns both from now on (their own read, write
     * and shutdownOutput are refused; both are closed when the relay ends). Per direction a ring of
     * {@code bufferSize} bytes with one read and one write in flight; reading pauses while it is
     * full. A direction whose source ends half-closes its sink ({@link StreamHandle#shutdownOutput})
     * while the other goes on. An error in either direction, cancel() or close tears both down.
     *
     * @param a          one stream of this waiter
     * @param b          the other
     * @param bufferSize ring bytes per direction
     * @param listener   told on the loop thread
     * @return the relay, to cancel it
     */
    public Registration relay(StreamHandle a, StreamHandle b, int bufferSize, RelayListener listener) {
        return Relay.open(loop, a, b, bufferSize, listener);
    }

    /**
     * {@link #relay(StreamHandle, StreamHandle, int, RelayListener)} with {@link #DEFAULT_RELAY_BUFFER} per direction.
     *
     * @param a        one stream of this waiter
     * @param b        the other
     * @param listener told on the loop thread
     * @return the relay, to cancel it
     */
    public Registration relay(StreamHandle a, StreamHandle b, RelayListener listener) {
        return relay(a, b, DEFAULT_RELAY_BUFFER, listener);
    }

    /**
     * One stream made of two one-way handles of this waiter: reads from {@code readSide}, writes and
     * half-close to {@code writeSide} (so a relay can half-close a pair of pipes); close closes both.
     *
     * @param readSide  the stream read from
     * @param writeSide the stream written to
     * @return the combined stream
     */
    public StreamHandle duplex(StreamHandle readSide, StreamHandle writeSide) {
        return DuplexStream.of(loop, readSide, writeSide);
    }

    /**
     * Calls {@code listener} when {@code handle} is signalled; again after each signal if {@code repeat}.
     *
     * @param handle   the raw value of a waitable handle (event, timer, semaphore, mutex...); stays the caller's
     * @param repeat   true to keep watching after each signal
     * @param listener told on the loop thread
     * @return the watch, to cancel it
     */
    public Registration watch(long handle, boolean repeat, SignalListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, handle, WaitBridge.Kind.SIGNAL, repeat, listener).start();
    }

    /**
     * Calls {@code listener} with the exit code once the process has ended.
     *
     * @param process  the raw process handle (SYNCHRONIZE and PROCESS_QUERY_LIMITED_INFORMATION); stays the caller's
     * @param listener told on the loop thread
     * @return the watch, to cancel it
     */
    public Registration watchProcess(long process, ExitListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, process, WaitBridge.Kind.PROCESS_EXIT, false, listener).start();
    }

    /**
     * Delivers typed characters from a console input handle until cancelled.
     *
     * @param console  the raw console input handle; stays the caller's
     * @param listener told on the loop thread
     * @return the watch, to cancel it
     */
    public Registration watchConsoleInput(long console, ConsoleInputListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, console, WaitBridge.Kind.CONSOLE_INPUT, true, listener).start();
    }

    /**
     * Runs {@code task} on the loop thread (at once if called there).
     *
     * @param task what to run
     */
    public void execute(Runnable task) {
        loop.execute(Objects.requireNonNull(task, "task"));
    }

    /**
     * Runs {@code task} on the loop thread once {@code delay} has passed, without a thread or a waitable
     * timer of its own: pending timers sit in a heap on the loop (O(log n) to schedule, cancel and fire)
     * whose nearest deadline bounds the loop's GetQueuedCompletionStatusEx wait. Any thread.
     *
     * <p>The delay is measured on the monotonic clock ({@link System#nanoTime}), so wall-clock changes do
     * not move it; the task runs no earlier than the delay, later by however long the loop is busy or not
     * running (timers fire only inside {@link #run()}/{@link #runOnce}, after that turn's completions).
     * Tasks with the same deadline run in the order they were scheduled. A task that throws goes to the
     * {@link #setCallbackErrorHandler callback error handler}; the loop goes on. A pending timer keeps
     * {@link #run()} going, as a libuv timer does. {@link #close()} drops pending timers: they never run
     * and {@link Timeout#isPending()} turns false.
     *
     * @param delay zero or more ({@link Duration#ZERO}: at the next turn, after what is already due)
     * @throws IllegalArgumentException for a negative delay
     * @throws IllegalStateException after close()
     * @throws MultiWaitException called off the loop thread, if the loop could not be woken (not scheduled)
     * @param task  what to run on the loop thread
     * @return the timeout, to cancel it
     */
    public Timeout schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        return loop.schedule(Durations.nanos(delay, "delay"), task, true);
    }

    /**
     * As {@link #run()}, but does not return when nothing is left to wait for: dispatches until
     * {@link #cancel()} or {@link #close()} (from another thread), so registrations and tasks may come
     * and go, from any thread, between idle periods. {@link #run()} returns as soon as no registration,
     * no handed-over task and no pending timer is left (an attached stream with nothing pending on it
     * does not count).
     *
     * @throws MultiWaitException as {@link #run()}
     * @throws IllegalStateException as {@link #run()}
     */
    public void runUntilCancelled() {
        loop.runUntilStopped();
    }

    /**
     * Dispatches until {@link #cancel()} is called or nothing is left: no registration, no task handed
     * over by {@link #execute}, no pending {@link #schedule timer} (see {@link #runUntilCancelled()}).
     *
     * @throws MultiWaitException if GetQueuedCompletionStatusEx fails (other than timing out): no
     *         packet was taken, every registration is intact, and run() may be called again (or close())
     * @throws IllegalStateException if the loop already runs on another thread, if called from a listener
     *         (the loop already runs on this thread), or after close()
     */
    public void run() {
        loop.run();
    }

    /**
     * Waits up to {@code timeout} for completions and dispatches those that came; a timer due within
     * {@code timeout} ends the wait and runs (it counts as a completion).
     *
     * @param timeout how long to wait at most; zero polls
     * @return the number of completions dispatched
     * @throws MultiWaitException as {@link #run()}
     * @throws IllegalStateException as {@link #run()}
     * @throws IllegalArgumentException for a negative timeout
     */
    public int runOnce(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long ms = timeout.getSeconds() >= Integer.MAX_VALUE / 1000 ? Integer.MAX_VALUE : timeout.toMillis();
        return loop.runOnce(ms >= Integer.MAX_VALUE ? -1 : (int) ms);
    }

    /**
     * Makes the running (or next) {@link #run()} return soon. Any thread; wakes the loop with a posted
     * packet. A no-op after {@link #close()}. A {@link #runOnce} that runs meanwhile ends its turn
     * without waiting and uses the request up: a later run() runs on until the next cancel().
     *
     * @throws MultiWaitException if the wake packet could not be posted (PostQueuedCompletionStatus
     *         failed three times, 1 and 2 ms apart): the stop request stands, but a blocked run()
     *         returns only at its next packet
     */
    public void cancel() {
        loop.stop();
    }

    /**
     * What is still live.
     *
     * @return registrations (and queued writes) not yet ended
     */
    public int registrationCount() {
        return loop.liveCount();
    }

    /**
     * Where exceptions thrown by listeners go.
     *
     * @param handler called on the loop thread; null restores the default (System.Logger)
     */
    public void setCallbackErrorHandler(CallbackErrorHandler handler) {
        loop.setErrorHandler(handler);
    }

    /** Hands what a listener threw to the {@link CallbackErrorHandler}, for listeners called by the library's own ones. */
    void reportCallbackError(Registration registration, Throwable error) {
        loop.reportCallbackError(registration, error);
    }

    /**
     * Ends every child process launched on this waiter and every process those started (their job
     * object is closed), cancels all I/O, waits for every outstanding packet, unregisters every bridged wait, closes
     * every attached handle, frees native memory, then closes the port. From the loop thread (a
     * listener) it stops the loop and completes when {@link #run()} returns... so call it from
     * outside the loop; from another thread while the loop runs, it stops the loop first.
     *
     * @throws MultiWaitException if the running loop could not be woken within the drain time
     *         (PostQueuedCompletionStatus kept failing), or dequeuing kept failing while draining
     *         (the waiter is then closed; what was pending is abandoned, its memory kept)
     */
    @Override
    public void close() {
        if (loop.isClosed()) {
            return;
        }
        if (loop.inLoop()) {
            throw new IllegalStateException("close() from a listener: call cancel() and close after run() returns");
        }
        // Claim the close first: from here on other threads' run()/runOnce() are refused, so the
        // turn running now is the last one and the lock comes free. Another closer: wait for it.
        while (!loop.claimClose()) {
            if (loop.isClosed()) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        childJobs.close();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
            MultiWaitException wakeFailure = stopQuietly();
            while (true) {
                try {
                    loop.close(DRAIN_MILLIS);
                    return;
                } catch (IllegalStateException running) {
                    if (loop.isClosed()) {
                        return;
                    }
                    if (wakeFailure != null && System.nanoTime() - deadline > 0) {
                        throw wakeFailure;
                    }
                    // The loop's current turn is still running (a long listener, say). The stop request stands
                    // and its wake packet is queued (the claim keeps any new run()/runOnce() out): post again
                    // only if that post failed, not every 100 us.
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    if (wakeFailure != null) {
                        wakeFailure = stopQuietly();
                    }
                }
            }
        } finally {
            if (!loop.isClosed()) {
                loop.releaseClose();
            } else {
                UnclosedLoops.release(loop);
            }
        }
    }

    /** loop.stop(), returning its wake failure instead of throwing: close() works on a loop that is not running. */
    private MultiWaitException stopQuietly() {
        try {
            loop.stop();
            return null;
        } catch (MultiWaitException e) {
            return e;
        }
    }

    /** For launches that must not start anything once the waiter is closed. */
    void checkOpen() {
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
    }


    @Override
    public String toString() {
        return "MultiHandleWait[" + loop.liveCount() + " live]";
    }
}
