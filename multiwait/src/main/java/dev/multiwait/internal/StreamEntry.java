package dev.multiwait.internal;

import dev.multiwait.ConnectListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.WriteListener;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32Errors;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An overlapped handle bound to the port under one key for life. Packets for it are routed to the
 * read, write or connect operation whose OVERLAPPED they carry. The handle is closed only after
 * every operation on it has had its packet.
 */
public final class StreamEntry extends PortEntry implements StreamHandle {
    final EventLoop loop;
    final long handle;
    /** FILE_SKIP_COMPLETION_PORT_ON_SUCCESS took effect: synchronous successes queue no packet. */
    volatile boolean skipOnSuccess;
    private final StreamWriter writer;
    private volatile StreamReader reader;
    private volatile PipeConnect connector;
    private volatile boolean closeRequested;
    private boolean handleClosed;

    private StreamEntry(EventLoop loop, long handle) {
        this.loop = loop;
        this.handle = handle;
        this.writer = new StreamWriter(this);
    }

    /**
     * Binds {@code handle} to the loop's port. On failure the handle is left open and untouched
     * (it is still the caller's) and the exception names it and the Win32 error.
     */
    public static StreamEntry attach(EventLoop loop, long handle) {
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        StreamEntry entry = new StreamEntry(loop, handle);
        long key = loop.table.add(entry);
        try {
            loop.port.associate(handle, key);
        } catch (RuntimeException e) {
            loop.table.remove(key);
            throw e;
        }
        // Where this fails (old systems, some handle kinds) every operation simply waits for its packet.
        entry.skipOnSuccess = loop.win32.setFileCompletionNotificationModes(handle,
                Layouts.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Layouts.FILE_SKIP_SET_EVENT_ON_HANDLE);
        return entry;
    }

    @Override
    public long handle() {
        return handle;
    }

    @Override
    public Registration read(int bufferSize, ReadListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        synchronized (this) {
            checkOpen();
            if (reader != null && reader.isActive()) {
                throw new IllegalStateException("a read is already active on handle 0x" + Long.toHexString(handle));
            }
            reader = new StreamReader(this, bufferSize, listener);
        }
        StreamReader r = reader;
        loop.execute(r::start);
        return r;
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        Objects.requireNonNull(data, "data");
        checkOpen();
        StreamWriter.Pending w = writer.copy(data, listener);
        loop.execute(() -> writer.enqueue(w));
    }

    @Override
    public Registration connect(ConnectListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            checkOpen();
            if (connector != null && connector.isActive()) {
                throw new IllegalStateException("a connect is already pending on handle 0x" + Long.toHexString(handle));
            }
            connector = new PipeConnect(this, listener);
        }
        PipeConnect c = connector;
        loop.execute(c::start);
        return c;
    }

    private void checkOpen() {
        if (closeRequested) {
            throw new IllegalStateException("stream handle 0x" + Long.toHexString(handle) + " is closed");
        }
    }

    @Override
    public void close() {
        closeRequested = true;
        loop.executeUnlessClosed(this::shutdown);
    }

    @Override
    public void shutdown() {
        closeRequested = true;
        StreamReader r = reader;
        if (r != null) {
            r.requestCancel();
        }
        PipeConnect c = connector;
        if (c != null) {
            c.requestCancel();
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
        writer.abandonAll();
        closeIfIdle();
    }

    /** An operation finished; the handle may now be closed if that was asked for. Loop thread. */
    void closeIfIdle() {
        if (!closeRequested || handleClosed) {
            return;
        }
        StreamReader r = reader;
        PipeConnect c = connector;
        if ((r != null && r.isActive()) || (c != null && c.isActive()) || writer.busy()) {
            return;
        }
        handleClosed = true;
        loop.table.remove(key());
        loop.win32.closeHandle(handle);
    }

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
        PipeConnect c = connector;
        if (c != null && c.owns(overlapped)) {
            c.onPacket();
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
     * ERROR_IO_PENDING, and after a synchronous success unless skip-on-success is in effect; an
     * immediate failure queues none. Results known now are dispatched later in this loop turn.
     */
    void afterIssue(NativeOp op, boolean returnedTrue, Completion completion) {
        if (returnedTrue) {
            if (skipOnSuccess) {
                loop.later(() -> completion.complete(0, op.transferred()));
            } else {
                op.markPending();
            }
            return;
        }
        int error = loop.win32.lastError();
        if (error == Win32Errors.ERROR_IO_PENDING) {
            op.markPending();
        } else {
            loop.later(() -> completion.complete(error, 0));
        }
    }

    /** A packet for {@code op}: its status lives in the OVERLAPPED. */
    void packetFor(NativeOp op, int bytes, Completion completion) {
        op.packetArrived();
        completion.complete(op.error(loop.win32), bytes);
    }

    MultiWaitException error(String call, int win32Error) {
        return new MultiWaitException(call, handle, win32Error, null);
    }

    @Override
    public String toString() {
        return "StreamHandle[0x" + Long.toHexString(handle) + (skipOnSuccess ? ", skip-on-success" : "") + "]";
    }
}
