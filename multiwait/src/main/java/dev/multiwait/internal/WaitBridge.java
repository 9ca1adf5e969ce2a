package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.CloseListener;
import dev.multiwait.CloseReason;
import dev.multiwait.ConsoleInputListener;
import dev.multiwait.ExitListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SignalListener;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;

/**
 * A waitable handle that cannot join a port (event, process, timer, console input) bridged into
 * it: RegisterWaitForSingleObject with WT_EXECUTEONLYONCE, whose callback posts this bridge's key.
 * Re-armed after each signal when repeating. The handle stays the caller's and must stay open
 * while watched.
 *
 * <p>Native failures end the registration visibly: a re-arm refused (RegisterWaitForSingleObject),
 * a wait that cannot be removed (UnregisterWaitEx: the callback is then pinned for the JVM's life,
 * since the pool may still call it) or a packet that cannot be posted (PostQueuedCompletionStatus,
 * after retries) each end it FAILED with a {@link MultiWaitException} naming the call and the handle.
 */
public final class WaitBridge extends RegistrationBase {
    /** What a signal means. */
    public enum Kind { SIGNAL, PROCESS_EXIT, CONSOLE_INPUT }

    private static final int CONSOLE_BATCH = 128;

    private final Kind kind;
    private final long handle;
    private final boolean repeat;
    private final Object listener;
    private final Bridge bridge = new Bridge();
    private final Memory scratch = new Memory(8 + 4);
    private Memory records;
    /** The registered wait, 0 when none. */
    private long waitHandle;
    /** Set by the callback before it posts: a packet for this bridge is (or is about to be) queued. */
    private volatile boolean posted;
    /** UnregisterWaitEx failed: the registration ends FAILED with this at its next end. */
    private MultiWaitException unregisterFailure;

    /** The key table entry; a separate object so the public registration has no packet method. */
    private final class Bridge extends PortEntry {
        @Override
        public void onPacket(long overlapped, int bytes) {
            signalled();
        }

        @Override
        public void aboutToPost() {
            posted = true;
        }

        @Override
        public void postFailed(MultiWaitException failure) {
            WaitBridge.this.postFailed(failure);
        }

        @Override
        public void cancelForClose() {
            requestCancel();
        }

        /** Close gave up on the packet a fired wait marked (the wait is unregistered): end it here. */
        @Override
        public void abandonAtClose() {
            synchronized (WaitBridge.this) {
                disarm();
                WaitBridge.this.abandonAtClose();
            }
        }
    }

    public WaitBridge(EventLoop loop, long handle, Kind kind, boolean repeat, CloseListener listener) {
        super(loop, listener);
        this.kind = kind;
        this.handle = handle;
        this.repeat = repeat;
        this.listener = listener;
    }

    /** Checks the handle and arms the first wait on the caller's thread, so bad input fails right here. */
    public WaitBridge start() {
        try {
            check();
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
        // Added and armed under this lock: a close on another thread that finds the entry in the table
        // cancels it (onCancel takes the lock) only once its wait is registered, never halfway.
        synchronized (this) {
            try {
                loop.register(bridge);
            } catch (IllegalStateException closedMeanwhile) {
                abandon();
                throw closedMeanwhile;
            }
            int error = arm();
            if (error != 0) {
                discardUnstarted(); // out of the table, freed, uncounted, and ended for a closer that found it
                throw new MultiWaitException("RegisterWaitForSingleObject", handle, error, null);
            }
        }
        return this;
    }

    private String call() {
        return switch (kind) {
            case SIGNAL -> "watch";
            case PROCESS_EXIT -> "watchProcess";
            case CONSOLE_INPUT -> "watchConsoleInput";
        };
    }

    /** Refuses a closed loop, NULL and pseudo-handles, closed handles, and handles of the wrong kind. */
    private void check() {
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        Win32 w = loop.win32();
        if (handle <= 0) {
            // -1 is INVALID_HANDLE_VALUE and also GetCurrentProcess(): "open", and never signalled while we run
            throw new MultiWaitException(call(), handle, Win32Errors.ERROR_INVALID_HANDLE,
                    "NULL, INVALID_HANDLE_VALUE or another pseudo-handle is not a handle to wait on");
        }
        if (!w.isHandleOpen(handle)) {
            int error = w.lastError();
            throw new MultiWaitException(call(), handle, error == 0 ? Win32Errors.ERROR_INVALID_HANDLE : error,
                    "the handle is closed or invalid");
        }
        switch (kind) {
            case SIGNAL, PROCESS_EXIT -> {
                int type = w.getFileType(handle);
                if (type == Win32.FILE_TYPE_DISK || type == Win32.FILE_TYPE_PIPE) {
                    throw new MultiWaitException(call(), handle, Win32Errors.ERROR_INVALID_HANDLE,
                            "a file, pipe or socket handle (signalled whenever any I/O on it completes): use attach()");
                }
                if (kind == Kind.PROCESS_EXIT && w.getProcessId(handle) == 0) {
                    int error = w.lastError();
                    throw new MultiWaitException(call(), handle, error == 0 ? Win32Errors.ERROR_INVALID_HANDLE : error,
                            "not a process handle (or one without PROCESS_QUERY_LIMITED_INFORMATION access)");
                }
            }
            case CONSOLE_INPUT -> {
                if (!w.getNumberOfConsoleInputEvents(handle, Pointer.nativeValue(scratch))) {
                    int error = w.lastError();
                    throw new MultiWaitException(call(), handle, error == 0 ? Win32Errors.ERROR_INVALID_HANDLE : error,
                            "not a console input handle");
                }
            }
        }
    }

    private void abandon() {
        scratch.close();
        loop.closedOne();
    }

    /** Returns 0 or the Win32 error. */
    private int arm() {
        posted = false;
        long out = Pointer.nativeValue(scratch);
        if (!loop.win32().registerWaitForSingleObject(out, handle, loop.bridgeCallback(), bridge.key(), Layouts.INFINITE,
                Layouts.WT_EXECUTEONLYONCE | Layouts.WT_EXECUTEINWAITTHREAD)) {
            return loop.win32().lastError();
        }
        waitHandle = scratch.getLong(0);
        return 0;
    }

    /**
     * Blocks until a running callback has returned; never call it from the callback. If the wait
     * cannot be removed it may still fire: the callback is pinned, and the registration will end FAILED.
     */
    private void disarm() {
        if (waitHandle != 0) {
            long w = waitHandle;
            waitHandle = 0;
            if (!loop.win32().unregisterWaitEx(w, Win32.INVALID_HANDLE_VALUE)) {
                int error = loop.win32().lastError();
                loop.pinBridgeCallback();
                if (unregisterFailure == null) {
                    unregisterFailure = new MultiWaitException("UnregisterWaitEx", handle, error,
                            "the wait on this handle could not be removed; the registration ends FAILED");
                }
            }
        }
    }

    /** Ends the registration: {@code reason}, unless a wait could not be removed (then FAILED with that). */
    private void end(CloseReason reason, Exception error) {
        if (unregisterFailure != null && reason != CloseReason.FAILED) {
            finish(CloseReason.FAILED, unregisterFailure);
        } else {
            finish(reason, error);
        }
    }

    /** The wait fired but its packet could not be posted (loop thread): none will come, end it here. */
    private synchronized void postFailed(MultiWaitException failure) {
        disarm();
        posted = false;
        if (isActive()) {
            finish(CloseReason.FAILED, failure);
        }
    }

    private synchronized void signalled() {
        disarm();
        // This is the one packet the fired (now unregistered) wait posted: none is queued any more, so
        // a cancel from here on (a listener cancelling or throwing) must finish the registration itself.
        posted = false;
        if (!isActive()) {
            return;
        }
        if (cancelRequested) {
            end(CloseReason.CANCELLED, null);
            return;
        }
        switch (kind) {
            case SIGNAL -> {
                if (!deliver(((SignalListener) listener)::onSignal)) {
                    return;
                }
                rearmOrFinish();
            }
            case PROCESS_EXIT -> {
                long out = Pointer.nativeValue(scratch);
                if (!loop.win32().getExitCodeProcess(handle, out)) {
                    finish(CloseReason.FAILED, new MultiWaitException("GetExitCodeProcess", handle, loop.win32().lastError(), null));
                    return;
                }
                int code = scratch.getInt(0);
                if (deliver(() -> ((ExitListener) listener).onExit(code))) {
                    end(CloseReason.COMPLETED, null);
                }
            }
            case CONSOLE_INPUT -> {
                String typed = drainConsole();
                if (typed == null || (!typed.isEmpty() && !deliver(() -> ((ConsoleInputListener) listener).onInput(typed)))) {
                    return;
                }
                rearmOrFinish();
            }
        }
    }

    private void rearmOrFinish() {
        if (!isActive()) {
            return; // the listener cancelled it (or threw) and it has ended: never re-arm freed state
        }
        if (!repeat || unregisterFailure != null) {
            end(CloseReason.COMPLETED, null);
            return;
        }
        int error = arm();
        if (error != 0) {
            finish(CloseReason.FAILED, new MultiWaitException("RegisterWaitForSingleObject", handle, error, null));
        }
    }

    /**
     * Reads every queued input record so the handle stops being signalled; keeps the characters of
     * key-down records. Null if reading failed (the registration has then ended).
     *
     * <p>Where ReadConsoleInputExW can read without waiting (Windows), it reads until nothing is left:
     * another reader of the console that empties it first can never block the loop. Otherwise (Wine 8)
     * it reads no more than GetNumberOfConsoleInputEvents counted; a competing reader that takes
     * those records in between still makes that read wait for the next input.
     */
    private String drainConsole() {
        if (records == null) {
            records = new Memory((long) CONSOLE_BATCH * Layouts.INPUT_RECORD_SIZE);
        }
        Win32 w = loop.win32();
        boolean noWait = w.hasReadConsoleInputNoWait();
        StringBuilder typed = new StringBuilder();
        long count = Pointer.nativeValue(scratch);
        while (true) {
            int want = CONSOLE_BATCH;
            if (!noWait) {
                if (!w.getNumberOfConsoleInputEvents(handle, count)) {
                    finish(CloseReason.FAILED, new MultiWaitException("GetNumberOfConsoleInputEvents", handle, w.lastError(), null));
                    return null;
                }
                want = Math.min(scratch.getInt(0), CONSOLE_BATCH);
                if (want <= 0) {
                    return typed.toString();
                }
            }
            boolean ok = noWait ? w.readConsoleInputNoWait(handle, Pointer.nativeValue(records), want, count)
                    : w.readConsoleInput(handle, Pointer.nativeValue(records), want, count);
            if (!ok) {
                finish(CloseReason.FAILED, new MultiWaitException(noWait ? "ReadConsoleInputExW" : "ReadConsoleInputW",
                        handle, w.lastError(), null));
                return null;
            }
            int read = scratch.getInt(0);
            appendKeys(read, typed);
            if (noWait && read == 0) {
                return typed.toString();
            }
        }
    }

    private void appendKeys(int read, StringBuilder typed) {
        for (int i = 0; i < read; i++) {
            long at = (long) i * Layouts.INPUT_RECORD_SIZE;
            if ((records.getShort(at) & 0xffff) != Layouts.KEY_EVENT || records.getInt(at + Layouts.KEY_DOWN) == 0) {
                continue;
            }
            char c = records.getChar(at + Layouts.KEY_CHAR);
            int repeatCount = Math.max(1, records.getShort(at + Layouts.KEY_REPEAT) & 0xffff);
            if (c != 0) {
                for (int r = 0; r < repeatCount; r++) {
                    typed.append(c);
                }
            }
        }
    }

    @Override
    protected synchronized void onCancel() {
        disarm();
        if (!posted) {
            end(CloseReason.CANCELLED, null);
        }
        // else a packet is queued: it finishes the registration when it is consumed
    }

    @Override
    protected void release() {
        loop.unregister(bridge);
        scratch.close();
        if (records != null) {
            records.close();
        }
    }

    @Override
    public String toString() {
        return kind + " watch on handle 0x" + Long.toHexString(handle);
    }
}
