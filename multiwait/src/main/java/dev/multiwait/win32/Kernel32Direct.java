package dev.multiwait.win32;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * JNA direct-mapped kernel32/ntdll entry points, including those jna-platform lacks
 * (GetQueuedCompletionStatusEx, CancelIoEx, SetFileCompletionNotificationModes). Pointers are passed as raw addresses of
 * native memory the library owns; heap arrays are never handed to the kernel.
 */
final class Kernel32Direct {
    static {
        Native.register(Kernel32Direct.class, NativeLibrary.getInstance("kernel32"));
    }

    private Kernel32Direct() {
    }

    static native long CreateIoCompletionPort(long file, long existingPort, long key, int threads);

    static native boolean GetQueuedCompletionStatusEx(long port, long entries, int count, long removed,
                                                      int timeout, boolean alertable);

    static native boolean PostQueuedCompletionStatus(long port, int bytes, long key, long overlapped);

    static native boolean SetFileCompletionNotificationModes(long handle, byte flags);

    static native boolean CancelIoEx(long handle, long overlapped);

    static native boolean ReadFile(long handle, long buffer, int length, long read, long overlapped);

    static native boolean WriteFile(long handle, long buffer, int length, long written, long overlapped);

    static native boolean ConnectNamedPipe(long handle, long overlapped);

    static native boolean CloseHandle(long handle);

    static native boolean GetHandleInformation(long handle, long flags);

    static native int GetFileType(long handle);

    static native int GetProcessId(long process);

    static native boolean GetNamedPipeInfo(long pipe, long flags, long outSize, long inSize, long maxInstances);

    static native boolean GetExitCodeProcess(long process, long exitCode);

    static native long CreateEventW(long attributes, boolean manualReset, boolean initialState, long name);

    static native boolean SetEvent(long event);

    static native int WaitForMultipleObjects(int count, long handles, boolean waitAll, int timeout);

    static native int WaitForSingleObject(long handle, int timeout);

    static native boolean GetNumberOfConsoleInputEvents(long console, long count);

    static native boolean ReadConsoleInputW(long console, long records, int length, long read);

    static native boolean GetProcessHandleCount(long process, long count);

    static native long GetCurrentProcess();

    /** ntdll, registered separately because direct mapping binds one library per class. */
    static final class Ntdll {
        static {
            Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
        }

        private Ntdll() {
        }

        static native int RtlNtStatusToDosError(int status);
    }
}
