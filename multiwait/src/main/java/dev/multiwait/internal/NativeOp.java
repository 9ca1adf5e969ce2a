package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;

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
