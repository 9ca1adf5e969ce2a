package dev.multiwait.bench.pump;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/**
 * What the Java contenders need of kernel32 beyond jna-platform, direct-mapped with raw addresses
 * of native memory the caller owns (never heap arrays or auto-synced Structures for overlapped
 * I/O). Errors: {@code Native.getLastError()} right after the call.
 */
final class BenchKernel32 {
    static {
        Native.register(BenchKernel32.class, NativeLibrary.getInstance("kernel32"));
    }

    static final int GENERIC_READ = 0x80000000;
    static final int GENERIC_WRITE = 0x40000000;
    static final int OPEN_EXISTING = 3;
    static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    static final int INFINITE = -1;
    static final int WAIT_OBJECT_0 = 0;
    static final int WAIT_FAILED = -1;
    static final int ERROR_HANDLE_EOF = 38;
    static final int ERROR_BROKEN_PIPE = 109;
    static final int ERROR_PIPE_NOT_CONNECTED = 233;
    static final int ERROR_IO_PENDING = 997;
    static final byte FILE_SKIP_COMPLETION_PORT_ON_SUCCESS_AND_SET_EVENT = 0x3;
    /** OVERLAPPED_ENTRY: lpCompletionKey, lpOverlapped, Internal, dwNumberOfBytesTransferred; 32 bytes. */
    static final int ENTRY_SIZE = 32;
    static final long INVALID_HANDLE_VALUE = -1;
    /** OVERLAPPED: Internal, InternalHigh, Offset, OffsetHigh (24 bytes), then hEvent. */
    static final int OVERLAPPED_SIZE = 32;
    static final int OVERLAPPED_EVENT = 24;
    /** PROCESS_MEMORY_COUNTERS on x64: cb, PageFaultCount, then 8 SIZE_T; PeakWorkingSetSize first. */
    static final int PMC_SIZE = 72;
    static final int PMC_PEAK_WORKING_SET = 8;
    static final int PMC_WORKING_SET = 16;
    static final int PMC_PAGEFILE = 56;
    static final int PMC_PEAK_PAGEFILE = 64;

    private BenchKernel32() {
    }

    static native long CreateFileW(WString name, int access, int share, long securityAttributes, int disposition,
                                   int flags, long template);

    static native long CreateEventW(long securityAttributes, boolean manualReset, boolean initialState, long name);

    static native boolean ReadFile(long handle, long buffer, int length, long readOut, long overlapped);

    static native boolean GetOverlappedResult(long handle, long overlapped, long transferredOut, boolean wait);

    static native int WaitForMultipleObjects(int count, long handles, boolean waitAll, int millis);

    static native boolean CloseHandle(long handle);

    static native long CreateIoCompletionPort(long file, long existingPort, long key, int threads);

    static native boolean GetQueuedCompletionStatusEx(long port, long entries, int count, long removedOut, int millis,
                                                      boolean alertable);

    static native boolean SetFileCompletionNotificationModes(long handle, byte flags);

    static native long GetCurrentProcess();

    /** psapi's GetProcessMemoryInfo, exported by kernel32 since Windows 7 (and by Wine). */
    static native boolean K32GetProcessMemoryInfo(long process, long counters, int size);

    static boolean isEndOfStream(int error) {
        return error == ERROR_BROKEN_PIPE || error == ERROR_HANDLE_EOF || error == ERROR_PIPE_NOT_CONNECTED;
    }
}
