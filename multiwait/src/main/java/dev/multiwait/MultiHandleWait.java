package dev.multiwait;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.internal.EventLoop;
import dev.multiwait.internal.IocpPort;
import dev.multiwait.internal.StreamEntry;
import dev.multiwait.internal.WaitBridge;
import dev.multiwait.win32.JnaWin32;
import dev.multiwait.win32.Win32;

import java.time.Duration;
import java.util.Objects;

/**
 * Waits on any number of Windows handles with one I/O completion port and one thread.
 *
 * <p>Overlapped pipes, files and sockets join the port directly ({@link #attach}); events,
 * processes, timers and console input are bridged into it ({@link #watch}, {@link #watchProcess},
 * {@link #watchConsoleInput}). Every listener runs on the thread inside {@link #run()} or
 * {@link #runOnce}; every other method may be called from any thread, also while the loop runs.
 */
public final class MultiHandleWait implements AutoCloseable {
    /** Packets taken per GetQueuedCompletionStatusEx call by default. */
    public static final int DEFAULT_BATCH = 128;
    private static final long DRAIN_MILLIS = 30_000;

    private final EventLoop loop;

    public MultiHandleWait() {
        this(JnaWin32.INSTANCE, DEFAULT_BATCH);
    }

    /**
     * With a given native layer: for fault injection (a spy over {@link JnaWin32}) and benchmarks.
     */
    public MultiHandleWait(Win32 win32, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        this.loop = new EventLoop(Objects.requireNonNull(win32, "win32"), new IocpPort(win32, batchSize), batchSize);
    }

    /**
     * Binds an overlapped handle (pipe, file, socket) to this waiter and takes ownership of it.
     *
     * @throws MultiWaitException with error 87 for a synchronous handle (a {@code CreatePipe} end, a
     *         Java {@code Process} stream) or one already bound to a completion port; error 6 for a
     *         closed or invalid handle. The handle is then still the caller's, untouched.
     */
    public StreamHandle attach(WinNT.HANDLE handle) {
        return StreamEntry.attach(loop, raw(handle, "handle"));
    }

    /** Calls {@code listener} when {@code handle} is signalled; again after each signal if {@code repeat}. */
    public Registration watch(WinNT.HANDLE handle, boolean repeat, SignalListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, raw(handle, "handle"), WaitBridge.Kind.SIGNAL, repeat, listener).start();
    }

    /** Calls {@code listener} with the exit code once the process has ended. */
    public Registration watchProcess(WinNT.HANDLE process, ExitListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, raw(process, "process"), WaitBridge.Kind.PROCESS_EXIT, false, listener).start();
    }

    /** Delivers typed characters from a console input handle until cancelled. */
    public Registration watchConsoleInput(WinNT.HANDLE console, ConsoleInputListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new WaitBridge(loop, raw(console, "console"), WaitBridge.Kind.CONSOLE_INPUT, true, listener).start();
    }

    /** Runs {@code task} on the loop thread (at once if called there). */
    public void execute(Runnable task) {
        loop.execute(Objects.requireNonNull(task, "task"));
    }

    /** Dispatches until {@link #cancel()} is called or no registration is left. */
    public void run() {
        loop.run();
    }

    /**
     * Waits up to {@code timeout} for completions and dispatches those that came.
     *
     * @return the number of completions dispatched
     */
    public int runOnce(Duration timeout) {
        long ms = timeout.toMillis();
        return loop.runOnce(ms >= Integer.MAX_VALUE ? -1 : (int) ms);
    }

    /** Makes the running (or next) {@link #run()} return soon. Any thread; wakes the loop with a posted packet. */
    public void cancel() {
        loop.stop();
    }

    /** Registrations (and queued writes) not yet ended. */
    public int registrationCount() {
        return loop.liveCount();
    }

    /** Where exceptions thrown by listeners go; null restores the default (System.Logger). */
    public void setCallbackErrorHandler(CallbackErrorHandler handler) {
        loop.setErrorHandler(handler);
    }

    /**
     * Cancels all I/O, waits for every outstanding packet, unregisters every bridged wait, closes
     * every attached handle, frees native memory, then closes the port. From the loop thread (a
     * listener) it stops the loop and completes when {@link #run()} returns... so call it from
     * outside the loop; from another thread while the loop runs, it stops the loop first.
     */
    @Override
    public void close() {
        if (loop.isClosed()) {
            return;
        }
        if (loop.inLoop()) {
            throw new IllegalStateException("close() from a listener: call cancel() and close after run() returns");
        }
        loop.stop();
        while (true) {
            try {
                loop.close(DRAIN_MILLIS);
                return;
            } catch (IllegalStateException running) {
                if (loop.isClosed()) {
                    return;
                }
                loop.stop();
                Thread.onSpinWait();
            }
        }
    }

    private static long raw(WinNT.HANDLE handle, String what) {
        Objects.requireNonNull(handle, what);
        return Pointer.nativeValue(handle.getPointer());
    }

    @Override
    public String toString() {
        return "MultiHandleWait[" + loop.liveCount() + " live]";
    }
}
