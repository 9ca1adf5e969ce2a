package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An overlapped handle bound to the port under one key for life, and the operations in flight on it.
 * Packets for it go to the operation whose OVERLAPPED they carry; close cancels every operation and
 * closes the handle only once none is busy. What differs between a pipe or file and a socket is its
 * {@link HandleKind}. The calls that start operations ({@code read}, {@code write}...) are
 * {@link AttachedStream}'s.
 */
public abstract class StreamEntry extends PortEntry implements StreamHandle {
    final EventLoop loop;
    final long handle;
    final HandleKind kind;
    /** FILE_SKIP_COMPLETION_PORT_ON_SUCCESS took effect: synchronous successes queue no packet. */
    volatile boolean skipOnSuccess;
    /** A message-type pipe (GetNamedPipeInfo at attach): never skip-on-success, reads may end in 234. */
    volatile boolean messagePipe;
    /** A zero-byte read waits for data on it (a socket or byte pipe): an idle read holds no buffer (ReadBufferLease). */
    volatile boolean zeroReadWaits;
    /** In flight or able to issue; the write queue stays last, so it is cancelled after the others. */
    private final List<StreamOp> ops = new CopyOnWriteArrayList<>();
    /** Set (under this object's lock) when a relay takes the handle: user reads and writes are refused. */
    private volatile boolean relayed;
    volatile boolean closeRequested;
    /** shutdownOutput() was called: no more writes are accepted. */
    volatile boolean outputShutRequested;
    /** The half-close itself happened (loop thread). */
    private boolean outputShut;
    /** The key has left the table: this entry is done. */
    private boolean retired;
    /** The OS handle is closed (normally by closeIfIdle; earlier if a cancel failed during close). */
    private boolean osHandleClosed;
    /**
     * cancelForClose() has run (loop thread). From then on nothing issues I/O on this handle, so closing
     * it early is safe; before, a task queued ahead of the close may still issue some.
     */
    private boolean closing;
    /** Known addresses (AcceptEx's, ConnectEx's) or cached lookups; null until known. */
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;
    /** The idle timeout, made on first use. */
    private volatile IdleClock idle;

    StreamEntry(EventLoop loop, long handle, HandleKind kind, StreamOp writeQueue) {
        this.loop = loop;
        this.handle = handle;
        this.kind = kind;
        ops.add(writeQueue);
    }

    /** {@code h} as an entry of {@code loop}; refuses anything else, naming {@code what}. */
    static StreamEntry of(EventLoop loop, StreamHandle h, String what) {
        Objects.requireNonNull(h, what);
        if (!(h instanceof StreamEntry)) {
            throw new IllegalArgumentException(what + " is not a stream attached to a MultiHandleWait: " + h);
        }
        StreamEntry e = (StreamEntry) h;
        if (loop != null && e.loop != loop) {
            throw new IllegalArgumentException(what + " (" + h + ") belongs to another MultiHandleWait");
        }
        return e;
    }

    @Override
    public long handle() {
        return handle;
    }

    @Override
    public boolean isSocket() {
        return kind == HandleKind.SOCKET;
    }

    /** What the accept or connect already knows (either may be null): saves a getpeername/getsockname. */
    void knownAddresses(InetSocketAddress remoteAddress, InetSocketAddress localAddress) {
        remote = remoteAddress;
        local = localAddress;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        InetSocketAddress a = remote;
        return a != null || !isSocket() ? a : (remote = lookUp(true));
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress a = local;
        return a != null || !isSocket() ? a : (local = lookUp(false));
    }

    /** Under this object's lock, which closeOsHandle takes: never a lookup on a closed (maybe reused) handle value. */
    private synchronized InetSocketAddress lookUp(boolean peer) {
        if (isHandleClosed()) {
            throw new IllegalStateException("stream handle 0x" + Long.toHexString(handle) + " is closed");
        }
        return SocketSupport.socketAddress(loop.win32(), handle, peer, peer ? "getpeername" : "getsockname");
    }

    @Override
    public void setIdleTimeout(java.time.Duration timeout) {
        long nanos = Durations.nanos(timeout, "timeout");
        checkOpen();
        synchronized (this) {
            if (idle == null) {
                idle = new IdleClock(this);
            }
        }
        idle.set(nanos);
    }

    /** The idle timeout ran out: the read or relay on this stream ends TIMED_OUT. Loop thread. */
    void idleTimedOut(MultiWaitException error) {
        for (StreamOp op : ops) {
            op.idleTimedOut(error);
        }
    }

    private void moved() {
        IdleClock c = idle;
        if (c != null) {
            c.moved();
        }
    }

    // ---- operations ----

    /** An operation joins (ahead of the write queue). Any thread. */
    void add(StreamOp op) {
        ops.add(ops.size() - 1, op);
    }

    /** An operation has ended for good. */
    void remove(StreamOp op) {
        ops.remove(op);
    }

    /** Some operation of {@code role} is busy. Any thread. */
    boolean busy(StreamOp.Role role) {
        for (StreamOp op : ops) {
            if (op.role() == role && op.busy()) {
                return true;
            }
        }
        return false;
    }

    void checkOpen() {
        if (closeRequested) {
            throw new IllegalStateException("stream handle 0x" + Long.toHexString(handle) + " is closed");
        }
    }

    void checkNotRelayed() {
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
        if (asSource && busy(StreamOp.Role.READ)) {
            throw new IllegalStateException("a read is already active on handle 0x" + Long.toHexString(handle));
        }
        if (asSink && outputShutRequested) {
            throw new IllegalStateException("output of handle 0x" + Long.toHexString(handle) + " is shut down");
        }
        if (busy(StreamOp.Role.CONNECT)) {
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
        return closeRequested || retired || osHandleClosed;
    }

    boolean isHandleClosed() {
        return retired || osHandleClosed;
    }

    // ---- closing ----

    /**
     * CancelIoEx of one pending operation. 1168 (it has already completed) is normal: its packet is
     * queued. Any other failure is reported to the callback error handler, and if this stream is
     * closing (or {@code force}) the handle is closed now, which aborts the operation (its packet
     * still comes; the key stays until then). Loop thread.
     */
    void cancelIo(NativeOp op, Registration owner, boolean force) {
        if (osHandleClosed) {
            return; // closing the handle has aborted everything on it
        }
        if (loop.win32().cancelIoEx(handle, op.overlapped)) {
            return;
        }
        int error = loop.win32().lastError();
        if (error == Win32Errors.ERROR_NOT_FOUND) {
            return;
        }
        boolean closeNow = force || closing;
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
        boolean closed;
        synchronized (this) {
            if (osHandleClosed) {
                return;
            }
            osHandleClosed = true;
            closed = kind.close(loop.win32(), handle);
        }
        if (!closed) {
            loop.reportCallbackError(null, new MultiWaitException(kind.closeCall, handle, loop.win32().lastError(), null));
        }
    }

    /**
     * Set-up failed before anything was issued on this entry (caller's thread): drop its key and
     * close the handle, which it owns.
     */
    void discardUnused() {
        retired = true;
        closeRequested = true;
        loop.unregister(this);
        closeOsHandle();
    }

    @Override
    public void close() {
        closeRequested = true;
        loop.executeUnlessClosed(this::cancelForClose);
    }

    @Override
    public void cancelForClose() {
        closeRequested = true;
        closing = true;
        for (StreamOp op : ops) {
            op.cancelForClose();
        }
        closeIfIdle();
    }

    @Override
    public void abandonAtClose() {
        closeRequested = true;
        for (StreamOp op : ops) {
            op.abandonAtClose();
        }
        closeIfIdle();
    }

    /** The write queue has nothing queued or in flight: a relay waiting to write may go on. Loop thread. */
    void writerIdle() {
        for (StreamOp op : ops) {
            op.writerIdle();
        }
        closeIfIdle();
    }

    /**
     * An operation finished; the handle may now be closed if that was asked for, or (no half-close of
     * its own) if its output was shut and nothing reads from it any more. Loop thread.
     */
    void closeIfIdle() {
        if (retired || !(closeRequested || (outputShut && !kind.halfCloses()))) {
            return;
        }
        for (StreamOp op : ops) {
            if (op.busy()) {
                return;
            }
        }
        retired = true;
        closeRequested = true; // (after a pipe's half-close) later calls are told it is closed
        if (idle != null) {
            idle.stop();
        }
        loop.unregister(this);
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
        if (kind.halfCloses()) {
            return loop.win32().shutdown(handle, Winsock.SD_SEND) ? 0 : loop.win32().lastError();
        }
        // after the caller's own bookkeeping: it may be the writer, still busy with this very half-close
        loop.later(this::closeIfIdle);
        return 0;
    }

    // ---- issuing ----

    /** A read into one span, or two where the handle scatters; {@code op} carries the OVERLAPPED and scratch. */
    boolean issueRead(NativeOp op, long buffer, int length, long buffer2, int length2, long fileOffset) {
        op.prepare(fileOffset);
        return at(kind.issueRead(loop.win32(), handle, op, buffer, length, buffer2, length2));
    }

    /** A write from one span, or two where the handle gathers. */
    boolean issueWrite(NativeOp op, long buffer, int length, long buffer2, int length2, long fileOffset) {
        op.prepare(fileOffset);
        return at(kind.issueWrite(loop.win32(), handle, op, buffer, length, buffer2, length2));
    }

    /** A call that finished at once moved bytes (for the idle timeout). */
    private boolean at(boolean finishedAtOnce) {
        if (finishedAtOnce) {
            moved();
        }
        return finishedAtOnce;
    }

    /** The immediate return of a call just issued for {@code op}: see {@link NativeOp#afterIssue}. */
    void afterIssue(NativeOp op, boolean returnedTrue, NativeOp.Result result) {
        op.afterIssue(loop, skipOnSuccess, returnedTrue, result);
    }

    /** {@code op}'s packet: its result decoded as this handle's kind reports errors. */
    void packetFor(NativeOp op, int bytes, NativeOp.Result result) {
        if (bytes > 0) {
            moved();
        }
        op.packetFor(bytes, kind, loop.win32(), result);
    }

    /** True for a read result that means end of stream rather than failure. */
    boolean isEndOfStream(int error, int bytes) {
        return error == 0 ? bytes == 0 : kind.endsStream(error);
    }

    MultiWaitException error(String call, int win32Error) {
        return new MultiWaitException(call, handle, win32Error, win32Error == Win32Errors.ERROR_IO_INCOMPLETE
                ? NativeOp.RESULT_MISSING : kind.hint(win32Error));
    }

    // ---- dispatch ----

    @Override
    public void onPacket(long overlapped, int bytes) {
        for (StreamOp op : ops) {
            if (op.onPacket(overlapped, bytes)) {
                return;
            }
        }
        throw new IllegalStateException("packet for handle 0x" + Long.toHexString(handle)
                + " with an OVERLAPPED no operation owns: 0x" + Long.toHexString(overlapped));
    }

    @Override
    public String toString() {
        return kind.typeName + "[0x" + Long.toHexString(handle) + (skipOnSuccess ? ", skip-on-success" : "") + "]";
    }
}
