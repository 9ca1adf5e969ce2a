package dev.multiwait.internal;

import dev.multiwait.ConnectListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An overlapped handle bound to the port under one key for life. Packets for it are routed to the
 * read, write, connect or relay operation whose OVERLAPPED they carry. The handle is closed only
 * after every operation on it has had its packet.
 *
 * <p>Two flavours, chosen at attach: a file/pipe handle (ReadFile/WriteFile/CloseHandle) and a
 * socket (WSARecv/WSASend/closesocket, with socket error codes). Everything above the issuing
 * calls is shared.
 */
public final class StreamEntry extends PortEntry implements StreamHandle {
    /** Where the WSARecv flags sit in an operation's scratch; the WSABUFs follow them. */
    private static final int FLAGS_AT = 0;
    private static final int WSABUFS_AT = 8;
    /** Scratch every read/write NativeOp carries: the WSARecv flags and one WSABUF. */
    static final int IO_SCRATCH = WSABUFS_AT + Winsock.WSABUF_SIZE;
    /** Scratch for an operation on two spans at once (a relay ring that wraps): flags and two WSABUFs. */
    static final int TWO_SPAN_SCRATCH = WSABUFS_AT + 2 * Winsock.WSABUF_SIZE;

    final EventLoop loop;
    final long handle;
    /** A socket: WSARecv/WSASend/closesocket and WSA error codes. */
    final boolean socket;
    /** FILE_SKIP_COMPLETION_PORT_ON_SUCCESS took effect: synchronous successes queue no packet. */
    volatile boolean skipOnSuccess;
    /** A message-type pipe (GetNamedPipeInfo at attach): never skip-on-success, reads may end in 234. */
    volatile boolean messagePipe;
    private final StreamWriter writer;
    private volatile StreamReader reader;
    private volatile PipeConnect connector;
    /** The ConnectEx that made this socket, until it has finished. */
    volatile SocketConnect socketConnect;
    /** The relay direction reading from this handle, while a relay owns it. */
    Relay.Pump inbound;
    /** The relay direction writing to this handle, while a relay owns it. */
    Relay.Pump outbound;
    /** Set (under this object's lock) when a relay takes the handle: user reads and writes are refused. */
    private volatile boolean relayed;
    private volatile boolean closeRequested;
    /** shutdownOutput() was called: no more writes are accepted. */
    private volatile boolean outputShutRequested;
    /** The half-close itself happened (loop thread). */
    private boolean outputShut;
    private boolean handleClosed;
    /** The OS handle is closed (normally by closeIfIdle; earlier if a cancel failed during close). */
    private boolean osHandleClosed;
    /**
     * shutdown() has run (loop thread). From then on nothing issues I/O on this handle (reads and
     * connects are cancelled, the writer fails what is queued), so closing it early is safe; before,
     * a task queued ahead of the close may still issue some.
     */
    private boolean shutdownRan;

    private StreamEntry(EventLoop loop, long handle, boolean socket) {
        this.loop = loop;
        this.handle = handle;
        this.socket = socket;
        this.writer = new StreamWriter(this);
    }

    /**
     * Binds {@code handle} to the loop's port. On failure the handle is left open and untouched
     * (it is still the caller's) and the exception names it and the Win32 error.
     */
    public static StreamEntry attach(EventLoop loop, long handle) {
        return attach(loop, handle, false, null);
    }

    /** As {@link #attach(EventLoop, long)}, for an overlapped socket. */
    public static StreamEntry attachSocket(EventLoop loop, long socket) {
        return attach(loop, socket, true, null);
    }

    /**
     * A socket the library itself created and accepted into (so the socket check is skipped), whose
     * provider is the listener's: per accept, two getsockopt calls fewer.
     */
    static StreamEntry attachAccepted(EventLoop loop, long socket, boolean ifsHandles) {
        return attach(loop, socket, true, ifsHandles);
    }

    /**
     * {@code ifsHandles}: for a socket the library accepted, its provider's XP1_IFS_HANDLES; null for a
     * caller's handle (checked to be a socket, and its provider asked).
     */
    private static StreamEntry attach(EventLoop loop, long handle, boolean socket, Boolean ifsHandles) {
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
            SocketSupport.checkSocket(loop.win32, handle);
        }
        StreamEntry entry = new StreamEntry(loop, handle, socket);
        // Bound under the loop's registration lock: a racing close() either refuses this or sees it whole.
        loop.register(entry, key -> {
            loop.port.associate(handle, key);
            // Where this fails (old systems, layered socket providers) every operation simply waits for its packet.
            entry.skipOnSuccess = entry.skipOnSuccessSafe(ifsHandles) && loop.win32.setFileCompletionNotificationModes(
                    handle, Layouts.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Layouts.FILE_SKIP_SET_EVENT_ON_HANDLE);
        });
        return entry;
    }

    /**
     * Whether FILE_SKIP_COMPLETION_PORT_ON_SUCCESS may be set. Not on a message-mode pipe: a read shorter
     * than its message returns FALSE/234 with bytes copied, and with the flag Windows still queues a packet
     * for that warning while Wine 8 queues none (native-probes/probe_message.c), so nothing could tell
     * whether its OVERLAPPED is free again; without the flag both queue one. Not on a socket (also one
     * given to attach(), where GetNamedPipeInfo fails but GetFileType says pipe) whose provider is layered:
     * such a provider may still queue a packet after an inline success.
     */
    private boolean skipOnSuccessSafe(Boolean ifsHandles) {
        if (socket) {
            return ifsHandles != null ? ifsHandles : SocketSupport.hasIfsHandles(loop.win32, handle);
        }
        try (Memory flags = new Memory(4)) {
            flags.setInt(0, 0);
            if (loop.win32.getNamedPipeInfo(handle, Pointer.nativeValue(flags))) {
                messagePipe = (flags.getInt(0) & Layouts.PIPE_TYPE_MESSAGE) != 0;
                return !messagePipe;
            }
        }
        return loop.win32.getFileType(handle) != Win32.FILE_TYPE_PIPE || SocketSupport.hasIfsHandles(loop.win32, handle);
    }

    @Override
    public long handle() {
        return handle;
    }

    @Override
    public boolean isSocket() {
        return socket;
    }

    @Override
    public Registration read(int bufferSize, ReadListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (reader != null && reader.isActive()) {
                throw new IllegalStateException("a read is already active on handle 0x" + Long.toHexString(handle));
            }
            reader = new StreamReader(this, bufferSize, listener);
        }
        StreamReader r = reader;
        try {
            loop.execute(r::start);
        } catch (IllegalStateException | MultiWaitException notHandedOver) {
            r.discardUnstarted();
            throw notHandedOver;
        }
        return r;
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
    public void shutdownOutput(WriteListener listener) {
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (outputShutRequested) {
                return;
            }
            outputShutRequested = true;
        }
        StreamWriter.Pending marker = writer.shutdownMarker(listener);
        try {
            loop.execute(() -> writer.enqueue(marker));
        } catch (IllegalStateException | MultiWaitException notHandedOver) {
            writer.discard(marker);
            synchronized (this) {
                outputShutRequested = false;
            }
            throw notHandedOver;
        }
    }

    @Override
    public Registration connect(ConnectListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (socket) {
            throw new IllegalStateException("handle 0x" + Long.toHexString(handle)
                    + " is a socket: connect() waits for a named-pipe client; use MultiHandleWait.connect for sockets");
        }
        synchronized (this) {
            checkOpen();
            checkNotRelayed();
            if (connector != null && connector.isActive()) {
                throw new IllegalStateException("a connect is already pending on handle 0x" + Long.toHexString(handle));
            }
            connector = new PipeConnect(this, listener);
        }
        PipeConnect c = connector;
        try {
            loop.execute(c::start);
        } catch (IllegalStateException | MultiWaitException notHandedOver) {
            c.discardUnstarted();
            throw notHandedOver;
        }
        return c;
    }

    private void checkOpen() {
        if (closeRequested) {
            throw new IllegalStateException("stream handle 0x" + Long.toHexString(handle) + " is closed");
        }
    }

    private void checkNotRelayed() {
        if (relayed) {
            throw new IllegalStateException("stream handle 0x" + Long.toHexString(handle) + " is owned by a relay");
        }
    }

    /**
     * A relay takes this handle (as a source, a sink, or both). Refused if it is closed, relayed
     * already, has a read active (as a source) or a half-close asked for (as a sink). Any thread.
     */
    synchronized void claimForRelay(boolean asSource, boolean asSink) {
        checkOpen();
        checkNotRelayed();
        if (asSource && reader != null && reader.isActive()) {
            throw new IllegalStateException("a read is already active on handle 0x" + Long.toHexString(handle));
        }
        if (asSink && outputShutRequested) {
            throw new IllegalStateException("output of handle 0x" + Long.toHexString(handle) + " is shut down");
        }
        if (connector != null && connector.isActive()) {
            throw new IllegalStateException("a connect is pending on handle 0x" + Long.toHexString(handle));
        }
        relayed = true;
    }

    /** Undoes {@link #claimForRelay} when a relay could not be set up. */
    synchronized void unclaim() {
        relayed = false;
    }

    /** close() was asked for (or the handle is closed): nothing new may be issued on it. */
    boolean isClosing() {
        return closeRequested || handleClosed || osHandleClosed;
    }

    /**
     * CancelIoEx of one pending operation. 1168 (it has already completed) is normal: its packet is
     * queued. Any other failure is reported to the callback error handler, and if this stream's
     * shutdown has run (or {@code force}) the handle is closed now, which aborts the operation (its
     * packet still comes; the key stays until then). Loop thread.
     */
    void cancelIo(NativeOp op, Registration owner, boolean force) {
        if (osHandleClosed) {
            return; // closing the handle has aborted everything on it
        }
        if (loop.win32.cancelIoEx(handle, op.overlapped)) {
            return;
        }
        int error = loop.win32.lastError();
        if (error == Win32Errors.ERROR_NOT_FOUND) {
            return;
        }
        boolean closeNow = force || shutdownRan;
        loop.reportCallbackError(owner, new MultiWaitException("CancelIoEx", handle, error, closeNow
                ? "closing the handle instead, which aborts the operation"
                : "the operation ends when it completes (closing the stream aborts it)"));
        if (closeNow) {
            closeRequested = true;
            closeOsHandle();
        }
    }

    /** Closes the OS handle once; the key stays in the table until {@link #closeIfIdle}. A failure is reported. */
    private void closeOsHandle() {
        if (osHandleClosed) {
            return;
        }
        osHandleClosed = true;
        boolean ok = socket ? loop.win32.closeSocket(handle) : loop.win32.closeHandle(handle);
        if (!ok) {
            loop.reportCallbackError(null, new MultiWaitException(socket ? "closesocket" : "CloseHandle", handle,
                    loop.win32.lastError(), null));
        }
    }

    /**
     * Set-up failed before anything was issued on this entry (caller's thread): drop its key and
     * close the handle, which it owns.
     */
    void discardUnused() {
        handleClosed = true;
        closeRequested = true;
        loop.table.remove(key());
        closeOsHandle();
    }

    @Override
    public void close() {
        closeRequested = true;
        loop.executeUnlessClosed(this::shutdown);
    }

    @Override
    public void shutdown() {
        closeRequested = true;
        shutdownRan = true;
        StreamReader r = reader;
        if (r != null) {
            r.cancelForClose();
        }
        PipeConnect c = connector;
        if (c != null) {
            c.cancelForClose();
        }
        SocketConnect sc = socketConnect;
        if (sc != null) {
            sc.requestCancel();
        }
        if (inbound != null) {
            inbound.relay().requestCancel();
        }
        if (outbound != null) {
            outbound.relay().requestCancel();
        }
        writer.cancelAll();
        closeIfIdle();
    }

    @Override
    public void abandonAtClose() {
        closeRequested = true;
        StreamReader r = reader;
        if (r != null) {
            r.abandonAtClose();
        }
        PipeConnect c = connector;
        if (c != null) {
            c.abandonAtClose();
        }
        SocketConnect sc = socketConnect;
        if (sc != null) {
            sc.abandonAtClose();
        }
        if (inbound != null) {
            inbound.relay().abandonAtClose();
        }
        if (outbound != null) {
            outbound.relay().abandonAtClose();
        }
        writer.abandonAll();
        closeIfIdle();
    }

    /** The writer has nothing queued or in flight: a relay waiting to write may go on. Loop thread. */
    void writerIdle() {
        if (outbound != null) {
            outbound.sinkReady();
        }
        closeIfIdle();
    }

    boolean writerBusy() {
        return writer.busy();
    }

    /**
     * An operation finished; the handle may now be closed if that was asked for, or (a pipe) if its
     * output was shut and nothing reads from it any more. Loop thread.
     */
    void closeIfIdle() {
        if (handleClosed || !(closeRequested || (outputShut && !socket))) {
            return;
        }
        StreamReader r = reader;
        PipeConnect c = connector;
        SocketConnect sc = socketConnect;
        if ((r != null && r.isActive()) || (c != null && c.isActive()) || (sc != null && sc.isActive())
                || writer.busy() || (inbound != null && inbound.sourceActive())
                || (outbound != null && outbound.sinkActive())) {
            return;
        }
        handleClosed = true;
        closeRequested = true; // (after a pipe's half-close) later calls are told it is closed
        loop.table.remove(key());
        closeOsHandle();
    }

    /**
     * The half-close, once every queued write is out: shutdown(SD_SEND) on a socket; on a pipe or
     * file, the handle is closed as soon as nothing reads from it (a duplex pipe has no half-close:
     * its handle closes when its read ends too). Returns 0 or the error. Loop thread.
     */
    int halfClose() {
        if (outputShut) {
            return 0;
        }
        outputShut = true;
        outputShutRequested = true;
        if (socket) {
            if (!loop.win32.shutdown(handle, Winsock.SD_SEND)) {
                return loop.win32.lastError();
            }
            return 0;
        }
        // after the caller's own bookkeeping: it may be the writer, still busy with this very half-close
        loop.later(this::closeIfIdle);
        return 0;
    }

    boolean isHandleClosed() {
        return handleClosed || osHandleClosed;
    }

    // ---- issuing: the one place the two flavours differ ----

    /** ReadFile or WSARecv of {@code length} bytes at {@code buffer}; {@code op} carries the OVERLAPPED and scratch. */
    boolean issueRead(NativeOp op, long buffer, int length, long fileOffset) {
        return issueRead(op, buffer, length, 0, 0, fileOffset);
    }

    /**
     * A read into two spans: a socket's WSARecv scatters into both ({@code op} needs
     * {@link #TWO_SPAN_SCRATCH}); ReadFile takes one buffer, so a pipe or file reads the first only.
     */
    boolean issueRead(NativeOp op, long buffer, int length, long buffer2, int length2, long fileOffset) {
        op.prepare(fileOffset);
        if (!socket) {
            return loop.win32.readFile(handle, buffer, length, op.overlapped);
        }
        op.setScratchInt(FLAGS_AT, 0);
        return loop.win32.wsaRecv(handle, op.scratch + WSABUFS_AT, spans(op, buffer, length, buffer2, length2),
                op.scratch + FLAGS_AT, op.overlapped);
    }

    /** WriteFile or WSASend of {@code length} bytes at {@code buffer}. */
    boolean issueWrite(NativeOp op, long buffer, int length, long fileOffset) {
        return issueWrite(op, buffer, length, 0, 0, fileOffset);
    }

    /** A write from two spans: a socket's WSASend gathers both; WriteFile sends the first only. */
    boolean issueWrite(NativeOp op, long buffer, int length, long buffer2, int length2, long fileOffset) {
        op.prepare(fileOffset);
        if (!socket) {
            return loop.win32.writeFile(handle, buffer, length, op.overlapped);
        }
        return loop.win32.wsaSend(handle, op.scratch + WSABUFS_AT, spans(op, buffer, length, buffer2, length2), 0,
                op.overlapped);
    }

    /** Fills the WSABUFs in {@code op}'s scratch: the second only if it is not empty. Returns their count. */
    private static int spans(NativeOp op, long buffer, int length, long buffer2, int length2) {
        op.setScratchInt(WSABUFS_AT + Winsock.WSABUF_LEN, length);
        op.setScratchLong(WSABUFS_AT + Winsock.WSABUF_BUF, buffer);
        if (length2 <= 0) {
            return 1;
        }
        op.setScratchInt(WSABUFS_AT + Winsock.WSABUF_SIZE + Winsock.WSABUF_LEN, length2);
        op.setScratchLong(WSABUFS_AT + Winsock.WSABUF_SIZE + Winsock.WSABUF_BUF, buffer2);
        return 2;
    }

    /** True if a read or write may span two buffers at once (WSARecv/WSASend scatter and gather). */
    boolean scatters() {
        return socket;
    }

    String readCall() {
        return socket ? "WSARecv" : "ReadFile";
    }

    String writeCall() {
        return socket ? "WSASend" : "WriteFile";
    }

    /** True for a read result that means end of stream rather than failure. */
    boolean isEndOfStream(int error, int bytes) {
        if (error == 0) {
            return bytes == 0;
        }
        return !socket && (error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_HANDLE_EOF
                || error == Win32Errors.ERROR_PIPE_NOT_CONNECTED);
    }

    // ---- dispatch ----

    @Override
    public void onPacket(long overlapped, int bytes) {
        StreamReader r = reader;
        if (r != null && r.owns(overlapped)) {
            r.onPacket(bytes);
            return;
        }
        if (writer.owns(overlapped)) {
            writer.onPacket(bytes);
            return;
        }
        if (inbound != null && inbound.ownsRead(overlapped)) {
            inbound.onReadPacket(bytes);
            return;
        }
        if (outbound != null && outbound.ownsWrite(overlapped)) {
            outbound.onWritePacket(bytes);
            return;
        }
        PipeConnect c = connector;
        if (c != null && c.owns(overlapped)) {
            c.onPacket();
            return;
        }
        SocketConnect sc = socketConnect;
        if (sc != null && sc.owns(overlapped)) {
            sc.onPacket();
            return;
        }
        throw new IllegalStateException("packet for handle 0x" + Long.toHexString(handle)
                + " with an OVERLAPPED no operation owns: 0x" + Long.toHexString(overlapped));
    }

    /** How an operation learns its result: from a packet, or inline from a synchronous return. */
    interface Completion {
        void complete(int win32Error, int bytes);
    }

    /**
     * Interprets the immediate return of an overlapped call. A packet will come after
     * ERROR_IO_PENDING, after a synchronous success unless skip-on-success is in effect, and after an
     * immediate warning status (see {@link #queuesPacket}); a real immediate failure queues none.
     * Results known now are dispatched later in this loop turn.
     */
    void afterIssue(NativeOp op, boolean returnedTrue, Completion completion) {
        afterIssue(loop, skipOnSuccess, op, returnedTrue, completion);
    }

    /** As above, for an operation on any handle whose skip-on-success state is {@code skipOnSuccess}. */
    static void afterIssue(EventLoop loop, boolean skipOnSuccess, NativeOp op, boolean returnedTrue,
                           Completion completion) {
        if (returnedTrue) {
            if (skipOnSuccess) {
                loop.later(() -> completion.complete(0, op.transferred()));
            } else {
                op.markPending();
            }
            return;
        }
        int error = loop.win32.lastError();
        if (error == Win32Errors.ERROR_IO_PENDING || queuesPacket(op, error)) {
            op.markPending();
        } else {
            loop.later(() -> completion.complete(error, 0));
        }
    }

    /**
     * FALSE with a warning status (NTSTATUS 0x8xxxxxxx in OVERLAPPED.Internal, e.g. 234 ERROR_MORE_DATA from
     * a message-mode pipe, STATUS_BUFFER_OVERFLOW) has moved bytes and still queues a packet, which brings
     * them: the OVERLAPPED is not free until then. Measured under Wine without skip-on-success; Windows
     * queues it with the flag too (a warning is not a success), Wine then none: the library never sets the
     * flag on a message pipe, and where it is set anyway this waits (it never frees or reuses the block).
     * Audit of the other calls: stream sockets (WSARecv, WSASend, ConnectEx, AcceptEx with no receive
     * data) and byte pipes (WriteFile, ConnectNamedPipe: 535 is an error status, no packet) give no warnings.
     */
    static boolean queuesPacket(NativeOp op, int error) {
        return error == Win32Errors.ERROR_MORE_DATA || (op.status() & 0xC0000000) == 0x80000000;
    }

    /** A packet for {@code op}: its status lives in the OVERLAPPED. */
    void packetFor(NativeOp op, int bytes, Completion completion) {
        op.packetArrived();
        if (op.resultMissing()) {
            completion.complete(Win32Errors.ERROR_IO_INCOMPLETE, 0);
            return;
        }
        completion.complete(completionError(op, socket, loop.win32), bytes);
    }

    /** The error of a finished operation from its OVERLAPPED; {@link Win32Errors#ERROR_IO_INCOMPLETE} if it has none. */
    static int completionError(NativeOp op, boolean socket, dev.multiwait.win32.Win32 win32) {
        if (op.resultMissing()) {
            return Win32Errors.ERROR_IO_INCOMPLETE;
        }
        return socket ? WsaErrors.fromNtStatus(op.status(), win32) : op.error(win32);
    }

    static final String RESULT_MISSING = "its completion packet came but the OVERLAPPED was never given a result, so"
            + " bytes may have been lost (Wine does this to I/O whose issuing thread has exited: run the loop on a"
            + " thread that outlives the I/O it issues)";

    MultiWaitException error(String call, int win32Error) {
        return new MultiWaitException(call, handle, win32Error, win32Error == Win32Errors.ERROR_IO_INCOMPLETE
                ? RESULT_MISSING : socket ? WsaErrors.hint(win32Error) : null);
    }

    @Override
    public String toString() {
        return (socket ? "SocketHandle[0x" : "StreamHandle[0x") + Long.toHexString(handle)
                + (skipOnSuccess ? ", skip-on-success" : "") + "]";
    }
}
