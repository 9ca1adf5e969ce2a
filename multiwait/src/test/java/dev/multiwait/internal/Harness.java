package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * A loop over a {@link MemoryPort} with a Mockito {@link Win32} that plays the kernel's part for
 * overlapped calls: ReadFile/WriteFile/ConnectNamedPipe are recorded and answered from a script
 * (default: ERROR_IO_PENDING), and {@link #complete} finishes a pending call the way the kernel
 * does: status and byte count into the OVERLAPPED, data into the buffer, then a packet.
 *
 * <p>NTSTATUS encoding used here: {@code 0xC0000000 | win32Error}; the mock's ntStatusToWin32
 * undoes it, so a test states the Win32 error it means.
 */
final class Harness {
    static final long H = 0x1a4L;

    /** One overlapped call as the library made it. */
    record Io(long handle, long buffer, int length, long overlapped) {
        /** The bytes the library handed to WriteFile, read at call time. */
        String text() {
            return new String(new Pointer(buffer).getByteArray(0, length), StandardCharsets.ISO_8859_1);
        }
    }

    /** One WSARecv/WSASend as the library made it: its WSABUFs, decoded at call time. Always pending. */
    record SocketIo(long handle, long[] buffers, int[] lengths, long overlapped) {
        static SocketIo decode(long handle, long wsabufs, int count, long overlapped) {
            long[] buffers = new long[count];
            int[] lengths = new int[count];
            Pointer p = new Pointer(wsabufs);
            for (int i = 0; i < count; i++) {
                lengths[i] = p.getInt(16L * i);
                buffers[i] = p.getLong(16L * i + 8);
            }
            return new SocketIo(handle, buffers, lengths, overlapped);
        }

        /** The bytes the spans hold, in order (for a send: what goes out). */
        String text() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < buffers.length; i++) {
                b.append(new String(new Pointer(buffers[i]).getByteArray(0, lengths[i]), StandardCharsets.ISO_8859_1));
            }
            return b.toString();
        }
    }

    /** What one scripted call does; returns the BOOL the call returns. */
    @FunctionalInterface
    interface Script {
        boolean run(Harness h, Io io);
    }

    final Win32 win32 = mock(Win32.class);
    final MemoryPort port = new MemoryPort(win32);
    final EventLoop loop = new EventLoop(win32, port, 64);
    volatile int lastError;

    final List<Io> reads = Collections.synchronizedList(new ArrayList<>());
    final List<Io> writes = Collections.synchronizedList(new ArrayList<>());
    /** WriteFile data, captured when the call is made (the block may be freed later). */
    final List<String> written = Collections.synchronizedList(new ArrayList<>());
    final List<Io> connects = Collections.synchronizedList(new ArrayList<>());
    /** WSARecv and WSASend calls (each left pending until the test completes it). */
    final List<SocketIo> recvs = Collections.synchronizedList(new ArrayList<>());
    final List<SocketIo> sends = Collections.synchronizedList(new ArrayList<>());
    private final ArrayDeque<Script> readScript = new ArrayDeque<>();
    private final ArrayDeque<Script> writeScript = new ArrayDeque<>();
    private final ArrayDeque<Script> connectScript = new ArrayDeque<>();

    Harness(boolean skipOnSuccess) {
        when(win32.lastError()).thenAnswer(i -> lastError);
        when(win32.ntStatusToWin32(anyInt())).thenAnswer(i -> ((int) i.getArgument(0)) & 0x0FFFFFFF);
        when(win32.createIoCompletionPort(anyLong(), anyLong(), anyLong(), anyInt())).thenReturn(MemoryPort.PORT_HANDLE);
        when(win32.setFileCompletionNotificationModes(anyLong(), anyInt())).thenReturn(skipOnSuccess);
        when(win32.closeHandle(anyLong())).thenReturn(true);
        when(win32.cancelIoEx(anyLong(), anyLong())).thenReturn(true);
        // attachSocket's check that the handle is a socket
        when(win32.getSockOpt(anyLong(), anyInt(), org.mockito.ArgumentMatchers.eq(dev.multiwait.win32.Winsock.SO_TYPE),
                anyLong(), anyLong())).thenReturn(true);
        doAnswer(i -> {
            Io io = new Io(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(3));
            reads.add(io);
            return next(readScript).run(this, io);
        }).when(win32).readFile(anyLong(), anyLong(), anyInt(), anyLong());
        doAnswer(i -> {
            Io io = new Io(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(3));
            writes.add(io);
            written.add(io.text());
            return next(writeScript).run(this, io);
        }).when(win32).writeFile(anyLong(), anyLong(), anyInt(), anyLong());
        doAnswer(i -> {
            recvs.add(SocketIo.decode(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(4)));
            lastError = Win32Errors.ERROR_IO_PENDING;
            return false;
        }).when(win32).wsaRecv(anyLong(), anyLong(), anyInt(), anyLong(), anyLong());
        doAnswer(i -> {
            SocketIo io = SocketIo.decode(i.getArgument(0), i.getArgument(1), i.getArgument(2), i.getArgument(4));
            sends.add(io);
            written.add(io.text());
            lastError = Win32Errors.ERROR_IO_PENDING;
            return false;
        }).when(win32).wsaSend(anyLong(), anyLong(), anyInt(), anyInt(), anyLong());
        doAnswer(i -> {
            Io io = new Io(i.getArgument(0), 0, 0, i.getArgument(1));
            connects.add(io);
            return next(connectScript).run(this, io);
        }).when(win32).connectNamedPipe(anyLong(), anyLong());
    }

    private static synchronized Script next(ArrayDeque<Script> script) {
        Script s = script.poll();
        return s != null ? s : PENDING;
    }

    Harness onRead(Script... s) {
        synchronized (Harness.class) {
            Collections.addAll(readScript, s);
        }
        return this;
    }

    Harness onWrite(Script... s) {
        synchronized (Harness.class) {
            Collections.addAll(writeScript, s);
        }
        return this;
    }

    Harness onConnect(Script... s) {
        synchronized (Harness.class) {
            Collections.addAll(connectScript, s);
        }
        return this;
    }

    StreamEntry attach() {
        return attach(H);
    }

    StreamEntry attach(long handle) {
        return AttachedStream.attach(loop, handle);
    }

    // ---- scripts ----

    static int ntStatus(int win32Error) {
        return win32Error == 0 ? 0 : 0xC0000000 | win32Error;
    }

    /** FALSE + ERROR_IO_PENDING: a packet will come. */
    static final Script PENDING = (h, io) -> {
        h.lastError = Win32Errors.ERROR_IO_PENDING;
        return false;
    };

    /** FALSE with an immediate error: no packet comes. */
    static Script failNow(int error) {
        return (h, io) -> {
            h.lastError = error;
            return false;
        };
    }

    /**
     * TRUE: finished synchronously, moving {@code data} (a read) or {@code bytes} of the buffer (a write).
     * The kernel queues a packet too unless skip-on-success is in effect: {@code queuePacket} says
     * whether this fake kernel does.
     */
    static Script syncRead(String data, boolean queuePacket) {
        return (h, io) -> {
            byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
            if (b.length > io.length()) {
                throw new AssertionError("test bug: " + b.length + " bytes do not fit a " + io.length() + "-byte read");
            }
            new Pointer(io.buffer()).write(0, b, 0, b.length);
            h.setResult(io.overlapped(), 0, b.length);
            if (queuePacket) {
                h.port.push(h.port.keyOf(io.handle()), io.overlapped(), b.length);
            }
            return true;
        };
    }

    static Script syncWrote(int bytes, boolean queuePacket) {
        return (h, io) -> {
            h.setResult(io.overlapped(), 0, bytes);
            if (queuePacket) {
                h.port.push(h.port.keyOf(io.handle()), io.overlapped(), bytes);
            }
            return true;
        };
    }

    // ---- the kernel finishing a pending call ----

    void setResult(long overlapped, int win32Error, int bytes) {
        Pointer ov = new Pointer(overlapped);
        ov.setInt(Layouts.OVERLAPPED_INTERNAL, ntStatus(win32Error));
        ov.setLong(Layouts.OVERLAPPED_INTERNAL_HIGH, bytes);
    }

    /** A pending read finishes with {@code data} (possibly empty) and {@code win32Error}: OVERLAPPED, buffer, packet. */
    void completeRead(Io io, int win32Error, String data) {
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > io.length()) {
            throw new AssertionError("test bug: " + b.length + " bytes do not fit a " + io.length() + "-byte read");
        }
        if (b.length > 0) {
            new Pointer(io.buffer()).write(0, b, 0, b.length);
        }
        complete(io, win32Error, b.length);
    }

    /** A pending WSARecv finishes with {@code data}, filling its spans in order. */
    void completeRecv(SocketIo io, String data) {
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        int at = 0;
        for (int i = 0; i < io.buffers().length && at < b.length; i++) {
            int n = Math.min(io.lengths()[i], b.length - at);
            new Pointer(io.buffers()[i]).write(0, b, at, n);
            at += n;
        }
        if (at < b.length) {
            throw new AssertionError("test bug: " + b.length + " bytes do not fit the receive's spans");
        }
        setResult(io.overlapped(), 0, b.length);
        port.push(port.keyOf(io.handle()), io.overlapped(), b.length);
    }

    /** A pending WSASend finishes having sent {@code bytes}. */
    void completeSend(SocketIo io, int bytes) {
        setResult(io.overlapped(), 0, bytes);
        port.push(port.keyOf(io.handle()), io.overlapped(), bytes);
    }

    /** A pending call finishes with {@code win32Error} having moved {@code bytes}. */
    void complete(Io io, int win32Error, int bytes) {
        setResult(io.overlapped(), win32Error, bytes);
        port.push(port.keyOf(io.handle()), io.overlapped(), bytes);
    }

    Io read(int i) {
        return reads.get(i);
    }

    Io lastRead() {
        return reads.get(reads.size() - 1);
    }

    Io write(int i) {
        return writes.get(i);
    }

    // ---- white-box access to native blocks ----

    static Memory memoryOf(NativeOp op) {
        return (Memory) field(op, "memory");
    }

    static NativeOp opOf(Object registration) {
        return (NativeOp) field(registration, "op");
    }

    /** True while the registration's native block is still allocated. */
    static boolean opAllocated(Object registration) {
        return memoryOf(opOf(registration)).valid();
    }

    /** A private field of {@code target}, declared by its class or any superclass. */
    static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // declared higher up
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no field " + name + " in " + target.getClass().getName() + " or its superclasses");
    }

    /** Turns the loop without blocking until it dispatches nothing more (bounded). */
    int settle() {
        int total = 0;
        for (int i = 0; i < 50; i++) {
            int n = loop.runOnce(0);
            total += n;
            if (n == 0 && port.queued() == 0) {
                return total;
            }
        }
        return total;
    }
}
