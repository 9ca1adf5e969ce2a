package dev.multiwait.bench.dispatch;

import com.sun.jna.Pointer;
import dev.multiwait.win32.Win32;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The kernel's part in the dispatch benchmark, as a {@link Win32} that answers only what the
 * measured paths call: every overlapped ReadFile is "pending" (ERROR_IO_PENDING), skip-on-success
 * is granted, and GetQueuedCompletionStatusEx copies the next batch of a scripted OVERLAPPED_ENTRY
 * array into the caller's native memory with one bulk copy. Anything else throws.
 *
 * <p>It is a dynamic proxy rather than a class implementing {@code Win32}, so the benchmark keeps
 * compiling while that interface grows. The proxy's own cost (boxing, one reflective dispatch per
 * call) lands in the "stream" variant, which makes two such calls per completion;
 * {@code DispatchBenchmark.fakeKernelCalls} measures exactly those two calls so it can be told apart.
 */
public final class FakeKernel implements InvocationHandler {
    public static final int ERROR_IO_PENDING = 997;
    public static final long PORT_HANDLE = 0x7770;

    /** OVERLAPPED_ENTRY script for getQueuedCompletionStatusEx: 4 longs per entry (key, overlapped, internal, bytes). */
    private long[] entries = new long[0];
    private int position;
    private final Long portHandle = PORT_HANDLE;
    private final Integer ioPending = ERROR_IO_PENDING;
    /** Every ReadFile seen, by handle: the first OVERLAPPED each handle used. */
    private final java.util.Map<Long, Long> firstOverlapped = new java.util.HashMap<>();
    private boolean recordReads = true;

    public static Win32 create(FakeKernel handler) {
        return (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {Win32.class}, handler);
    }

    /** Scripts the entries GetQueuedCompletionStatusEx hands out, {@code count} per call, wrapping around. */
    public void scriptEntries(long[] keys, long[] overlapped, int[] bytes) {
        entries = new long[keys.length * 4];
        for (int i = 0; i < keys.length; i++) {
            entries[4 * i] = keys[i];
            entries[4 * i + 1] = overlapped[i];
            entries[4 * i + 2] = 0;
            entries[4 * i + 3] = bytes[i] & 0xFFFFFFFFL;
        }
        position = 0;
    }

    public Long firstOverlappedOf(long handle) {
        return firstOverlapped.get(handle);
    }

    /** Stops recording ReadFile calls (setup is over; the hot path must not grow a map). */
    public void stopRecording() {
        recordReads = false;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "readFile":
                if (recordReads) {
                    firstOverlapped.putIfAbsent((Long) args[0], (Long) args[3]);
                }
                return Boolean.FALSE;
            case "lastError":
                return ioPending;
            case "setFileCompletionNotificationModes":
                return Boolean.TRUE;
            case "getNamedPipeInfo": // a disk file, not a pipe: the plain read path (no zero-byte waits), the one measured here
                return Boolean.FALSE;
            case "getFileType":
                return 1; // FILE_TYPE_DISK
            case "createIoCompletionPort":
                return portHandle;
            case "getQueuedCompletionStatusEx":
                return dequeue((Long) args[1], (Integer) args[2], (Long) args[3]);
            case "postQueuedCompletionStatus":
                throw new UnsupportedOperationException("the iocp variant posts nothing once running");
            case "closeHandle":
                return Boolean.TRUE;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            case "toString":
                return "FakeKernel";
            default:
                throw new UnsupportedOperationException("FakeKernel does not do " + method.getName());
        }
    }

    private Boolean dequeue(long entriesAddress, int count, long removedAddress) {
        int longs = count * 4;
        if (entries.length == 0 || entries.length % longs != 0) {
            throw new IllegalStateException("entry script is empty or not a multiple of " + count);
        }
        new Pointer(entriesAddress).write(0, entries, position, longs);
        new Pointer(removedAddress).setInt(0, count);
        position += longs;
        if (position == entries.length) {
            position = 0;
        }
        return Boolean.TRUE;
    }
}
