package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One overlapped operation's native memory: the OVERLAPPED followed by its data buffer, in one
 * block the library owns. It stays strongly reachable from its owner until the operation's
 * completion is consumed; {@link #release()} refuses to free while the kernel may still write.
 */
public final class NativeOp {
    /** Blocks that could not be proven idle at shutdown: kept forever rather than freed under the kernel. */
    private static final List<Memory> ABANDONED = new ArrayList<>();
    /** Blocks allocated and not yet freed (abandoned ones included): the leak tests' native-memory figure. */
    private static final AtomicLong LIVE = new AtomicLong();

    private final Memory memory;
    public final long overlapped;
    public final long buffer;
    public final int capacity;
    /**
     * Address of the small scratch area after the data buffer (0 if none was asked for): what a
     * call needs beside the buffer and must stay valid until its packet (WSABUF, recv flags,
     * AcceptEx's outputs).
     */
    public final long scratch;
    private final long scratchOffset;
    /** True from the moment a call returned ERROR_IO_PENDING (or queued a packet) until its packet is consumed. */
    private boolean packetPending;
    private ByteBuffer whole;
    private boolean released;

    public NativeOp(int capacity) {
        this(capacity, 0);
    }

    /** With {@code scratchBytes} of 8-aligned scratch after the buffer. */
    public NativeOp(int capacity, int scratchBytes) {
        long data = (Math.max(capacity, 1) + 7L) & ~7L;
        this.memory = new Memory(Layouts.OVERLAPPED_SIZE + data + scratchBytes);
        this.overlapped = Pointer.nativeValue(memory);
        this.buffer = overlapped + Layouts.OVERLAPPED_SIZE;
        this.capacity = capacity;
        this.scratchOffset = Layouts.OVERLAPPED_SIZE + data;
        this.scratch = scratchBytes > 0 ? overlapped + scratchOffset : 0;
        LIVE.incrementAndGet();
    }

    public void setScratchLong(int offset, long value) {
        memory.setLong(scratchOffset + offset, value);
    }

    public void setScratchInt(int offset, int value) {
        memory.setInt(scratchOffset + offset, value);
    }

    public long scratchLong(int offset) {
        return memory.getLong(scratchOffset + offset);
    }

    public int scratchInt(int offset) {
        return memory.getInt(scratchOffset + offset);
    }

    /** Zeroes the OVERLAPPED and sets the file offset (ignored by pipes and sockets). */
    public void prepare(long fileOffset) {
        memory.clear(Layouts.OVERLAPPED_SIZE);
        memory.setInt(16, (int) fileOffset);
        memory.setInt(20, (int) (fileOffset >>> 32));
    }

    public void markPending() {
        packetPending = true;
    }

    public void packetArrived() {
        packetPending = false;
    }

    public boolean isPending() {
        return packetPending;
    }

    /** The Win32 error of the finished operation (0 on success), read from OVERLAPPED.Internal. */
    public int error(Win32 win32) {
        int status = memory.getInt(Layouts.OVERLAPPED_INTERNAL);
        return status == 0 ? 0 : win32.ntStatusToWin32(status);
    }

    /** STATUS_PENDING: what OVERLAPPED.Internal holds until the kernel writes the result. */
    public static final int STATUS_PENDING = 0x103;

    /**
     * A packet came for this operation but its OVERLAPPED still says STATUS_PENDING: the result was
     * never written. Measured under Wine: I/O whose issuing thread exited before it completed
     * sometimes completes this way (OVERLAPPED_ENTRY status STATUS_ALERTED), its bytes lost.
     */
    public boolean resultMissing() {
        return status() == STATUS_PENDING;
    }

    /** The raw NTSTATUS in OVERLAPPED.Internal (Wine fills only its low 32 bits). */
    public int status() {
        return memory.getInt(Layouts.OVERLAPPED_INTERNAL);
    }

    /** Bytes moved, from OVERLAPPED.InternalHigh: valid for synchronous completions too. */
    public int transferred() {
        return (int) memory.getLong(Layouts.OVERLAPPED_INTERNAL_HIGH);
    }

    /** A view of {@code length} bytes of the data buffer starting at {@code offset}. */
    public ByteBuffer view(int offset, int length) {
        // One JNA buffer per block, sliced per call: Memory.getByteBuffer tracks every buffer it
        // makes with a weak reference, which cost microseconds per read completion.
        if (whole == null) {
            whole = memory.getByteBuffer(Layouts.OVERLAPPED_SIZE, Math.max(capacity, 1));
        }
        return whole.duplicate().limit(offset + length).position(offset).slice();
    }

    public void write(int offset, ByteBuffer src) {
        int n = src.remaining();
        byte[] tmp;
        if (src.hasArray()) {
            memory.write(Layouts.OVERLAPPED_SIZE + (long) offset, src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.position() + n);
        } else {
            tmp = new byte[n];
            src.get(tmp);
            memory.write(Layouts.OVERLAPPED_SIZE + (long) offset, tmp, 0, n);
        }
    }

    // ---- what every operation does with its result ----

    /** How a kind of handle reports a finished operation's status (Win32 errors, WSA errors). */
    public interface StatusDecoder {
        int decode(int ntStatus, Win32 win32);
    }

    /** How an operation learns its result: from its packet, or inline from a synchronous return. */
    public interface Result {
        void complete(int win32Error, int bytes);
    }

    public static final String RESULT_MISSING = "its completion packet came but the OVERLAPPED was never given a"
            + " result, so bytes may have been lost (Wine does this to I/O whose issuing thread has exited: run the"
            + " loop on a thread that outlives the I/O it issues)";

    /**
     * Interprets the immediate return of the overlapped call just made with this block. A packet will
     * come after ERROR_IO_PENDING, after a synchronous success unless skip-on-success is in effect, and
     * after an immediate warning status (see {@link #queuesPacket}); a real immediate failure queues
     * none. Results known now are dispatched later in this loop turn.
     */
    public void afterIssue(EventLoop loop, boolean skipOnSuccess, boolean returnedTrue, Result result) {
        if (returnedTrue) {
            if (skipOnSuccess) {
                loop.later(() -> result.complete(0, transferred()));
            } else {
                markPending();
            }
            return;
        }
        int error = loop.win32().lastError();
        if (error == Win32Errors.ERROR_IO_PENDING || queuesPacket(error)) {
            markPending();
        } else {
            loop.later(() -> result.complete(error, 0));
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
    boolean queuesPacket(int error) {
        return error == Win32Errors.ERROR_MORE_DATA || (status() & 0xC0000000) == 0x80000000;
    }

    /** This block's packet came: its status lives in the OVERLAPPED. */
    void packetFor(int bytes, StatusDecoder kind, Win32 win32, Result result) {
        packetArrived();
        if (resultMissing()) {
            result.complete(Win32Errors.ERROR_IO_INCOMPLETE, 0);
            return;
        }
        result.complete(completionError(kind, win32), bytes);
    }

    /** The error of the finished operation; {@link Win32Errors#ERROR_IO_INCOMPLETE} if it has none. */
    int completionError(StatusDecoder kind, Win32 win32) {
        return resultMissing() ? Win32Errors.ERROR_IO_INCOMPLETE : kind.decode(status(), win32);
    }

    /** Frees the block, unless the kernel may still write to it; then it is kept for the JVM's life. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        if (packetPending) {
            synchronized (ABANDONED) {
                ABANDONED.add(memory);
            }
            return;
        }
        memory.close();
        LIVE.decrementAndGet();
    }

    /** Blocks allocated minus blocks freed, process-wide (abandoned blocks count as live: they are never freed). */
    public static long liveBlocks() {
        return LIVE.get();
    }

    public static int abandonedCount() {
        synchronized (ABANDONED) {
            return ABANDONED.size();
        }
    }
}
