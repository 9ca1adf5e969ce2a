package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.ReadListener;
import dev.multiwait.ReadRegistration;
import dev.multiwait.Registration;
import dev.multiwait.WritabilityListener;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A handle attached to a waiter, as its user sees it: attaching, and the calls that start
 * operations on it (a read, queued writes, the half-close, a named-pipe connect). Each call is
 * checked on the caller's thread and started on the loop.
 */
public final class AttachedStream extends StreamEntry {
    private final StreamWriter writer;

    private AttachedStream(EventLoop loop, long handle, HandleKind kind, StreamWriter writer) {
        super(loop, handle, kind, writer);
        this.writer = writer;
        writer.attachTo(this);
    }

    /**
     * Binds {@code handle} to the loop's port. On failure the handle is left open and untouched
     * (it is still the caller's) and the exception names it and the Win32 error.
     */
    public static AttachedStream attach(EventLoop loop, long handle) {
        return attach(loop, handle, HandleKind.FILE, null);
    }

    /** As {@link #attach(EventLoop, long)}, for an overlapped socket. */
    public static AttachedStream attachSocket(EventLoop loop, long socket) {
        return attach(loop, socket, HandleKind.SOCKET, null);
    }

    /**
     * A socket the library itself created and accepted into (so the socket check is skipped), whose
     * provider is the listener's: per accept, two getsockopt calls fewer.
     */
    static AttachedStream attachAccepted(EventLoop loop, long socket, boolean ifsHandles) {
        return attach(loop, socket, HandleKind.SOCKET, ifsHandles);
    }

    /**
     * {@code ifsHandles}: for a socket the library accepted, its provider's XP1_IFS_HANDLES; null for a
     * caller's handle (checked to be a socket, and its provider asked).
     */
    private static AttachedStream attach(EventLoop loop, long handle, HandleKind requested, Boolean ifsHandles) {
        HandleKind kind = requested;
        boolean socket = kind == HandleKind.SOCKET;
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        if (handle <= 0) {
            // CreateIoCompletionPort would say 87 for INVALID_HANDLE_VALUE (-1 is also GetCurrentProcess()) and 6 for NULL
            throw new MultiWaitException(socket ? "attachSocket" : "attach", handle, Win32Errors.ERROR_INVALID_HANDLE,
                    "NULL, INVALID_HANDLE_VALUE (INVALID_SOCKET) or another pseudo-handle is not a "
                            + (socket ? "socket" : "handle") + " to attach");
        }
        if (socket && ifsHandles == null) {
            SocketSupport.checkSocket(loop.win32(), handle);
        }
        int pipeFlags = socket ? -1 : pipeFlags(loop.win32(), handle);
        if (!socket && pipeFlags < 0 && loop.win32().getFileType(handle) == Win32.FILE_TYPE_PIPE
                && SocketSupport.isSocket(loop.win32(), handle)) {
            // a socket given to attach(): GetNamedPipeInfo fails, GetFileType says pipe. Treated as one
            // (WSARecv/WSASend, its provider asked before skip-on-success, closesocket: Wine keeps socket
            // state per handle value that a CloseHandle leaves behind for the next handle of that value).
            kind = HandleKind.SOCKET;
        }
        AttachedStream entry = new AttachedStream(loop, handle, kind, new StreamWriter());
        entry.messagePipe = pipeFlags >= 0 && (pipeFlags & Layouts.PIPE_TYPE_MESSAGE) != 0;
        // native-probes/probe_zeroread.c: a zero-byte WSARecv or byte-pipe ReadFile pends until data is there
        entry.zeroReadWaits = kind == HandleKind.SOCKET || (pipeFlags >= 0 && !entry.messagePipe);
        // Bound under the loop's registration lock: a racing close() either refuses this or sees it whole.
        loop.register(entry, handle, () -> {
            // Where this fails (old systems, layered socket providers) every operation simply waits for its packet.
            entry.skipOnSuccess = entry.skipOnSuccessSafe(ifsHandles) && loop.win32().setFileCompletionNotificationModes(
                    handle, Layouts.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Layouts.FILE_SKIP_SET_EVENT_ON_HANDLE);
        });
        return entry;
    }

    /** GetNamedPipeInfo's flags (PIPE_TYPE_MESSAGE...), or -1 for a handle that is not a pipe. */
    private static int pipeFlags(Win32 win32, long handle) {
        try (Memory flags = new Memory(4)) {
            flags.setInt(0, 0);
            return win32.getNamedPipeInfo(handle, Pointer.nativeValue(flags)) ? flags.getInt(0) : -1;
        }
    }

    /**
     * Whether FILE_SKIP_COMPLETION_PORT_ON_SUCCESS may be set. Not on a message-mode pipe: a read shorter
     * than its message returns FALSE/234 with bytes copied, and with the flag Windows still queues a packet
     * for that warning while Wine 8 queues none (native-probes/probe_message.c), so nothing could tell
     * whether its OVERLAPPED is free again; without the flag both queue one. Not on a socket whose provider
     * is layered: such a provider may still queue a packet after an inline success.
     */
    private boolean skipOnSuccessSafe(Boolean ifsHandles) {
        if (kind == HandleKind.SOCKET) {
            return ifsHandles != null ? ifsHandles : SocketSupport.hasIfsHandles(loop.win32(), handle);
        }
        return !messagePipe;
    }

    @Override
    public ReadRegistration read(int bufferSize, ReadListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        StreamReader r;
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (busy(StreamOp.Role.READ)) {
                throw new IllegalStateException("a read is already active on handle 0x" + Long.toHexString(handle));
            }
            r = new StreamReader(this, bufferSize, listener);
            add(r);
        }
        startOrDiscard(r, r::start);
        return r;
    }

    @Override
    public Registration connect(ConnectListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (kind == HandleKind.SOCKET) {
            throw new IllegalStateException("handle 0x" + Long.toHexString(handle)
                    + " is a socket: connect() waits for a named-pipe client; use MultiHandleWait.connect for sockets");
        }
        PipeConnect c;
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (busy(StreamOp.Role.CONNECT)) {
                throw new IllegalStateException("a connect is already pending on handle 0x" + Long.toHexString(handle));
            }
            c = new PipeConnect(this, listener);
            add(c);
        }
        return startOrDiscard(c, c::start);
    }

    /** Starts {@code op} on the loop; if that fails, it never began: undone, and the failure thrown. */
    private Registration startOrDiscard(StreamOperation op, Runnable start) {
        try {
            loop.execute(start);
        } catch (IllegalStateException | MultiWaitException notHandedOver) {
            op.discardUnstarted();
            throw notHandedOver;
        }
        return op;
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        Objects.requireNonNull(data, "data");
        // Checked and queued under the lock claimForRelay takes, so a write either reaches the loop
        // before a relay's start (the relay then waits for it) or is refused.
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (outputShutRequested) {
                throw new IllegalStateException("output of handle 0x" + Long.toHexString(handle) + " is shut down");
            }
            StreamWriter.Pending w = writer.copy(data, listener);
            try {
                loop.execute(() -> writer.enqueue(w));
            } catch (IllegalStateException | MultiWaitException notHandedOver) {
                writer.discard(w);
                throw notHandedOver;
            }
        }
    }

    @Override
    public long pendingWriteBytes() {
        return writer.budget.pending();
    }

    @Override
    public boolean isWritable() {
        return writer.budget.writable();
    }

    @Override
    public void setWriteWaterMarks(long low, long high, WritabilityListener listener) {
        checkOpen();
        writer.budget.waterMarks(low, high, listener);
    }

    @Override
    public void setMaxPendingWriteBytes(long max) {
        checkOpen();
        writer.budget.limit(max);
    }

    @Override
    public void shutdownOutput(WriteListener listener) {
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (outputShutRequested) {
                return;
            }
            outputShutRequested = true;
        }
        queueHalfClose(listener, false);
    }

    @Override
    public void closeAfterWrites(Duration timeout, WriteListener listener) {
        long nanos = Durations.nanos(timeout, "timeout");
        boolean wasShut;
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            wasShut = outputShutRequested;
            outputShutRequested = true;
        }
        GracefulClose close = new GracefulClose(this, listener);
        queueHalfClose(close::halfClosed, wasShut); // behind every write so far, even after a shutdownOutput()
        close.startTimeout(nanos);
    }

    /** Queues the half-close marker; if it cannot reach the loop, undoes the request (unless it was already made). */
    private void queueHalfClose(WriteListener listener, boolean wasShut) {
        StreamWriter.Pending marker = writer.shutdownMarker(listener);
        try {
            loop.execute(() -> writer.enqueue(marker));
        } catch (IllegalStateException | MultiWaitException notHandedOver) {
            writer.discard(marker);
            synchronized (this) {
                outputShutRequested = wasShut;
            }
            throw notHandedOver;
        }
    }

    /** The user's attachment (StreamHandle#attach): a stream the user holds is always this class. */
    private final AtomicReference<Object> attachment = new AtomicReference<>();

    @Override
    public Object attach(Object newAttachment) {
        return attachment.getAndSet(newAttachment);
    }

    @Override
    public java.io.InputStream asInputStream(int bufferSize, int maxBuffered) {
        return new BlockingInput(this, loop, bufferSize, maxBuffered);
    }

    @Override
    public java.io.OutputStream asOutputStream(long lowWaterMark, long highWaterMark) {
        return new BlockingOutput(this, loop, lowWaterMark, highWaterMark);
    }

    @Override
    public Object attachment() {
        return attachment.get();
    }
}
