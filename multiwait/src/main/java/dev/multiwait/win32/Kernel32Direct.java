package dev.multiwait.win32;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * JNA direct-mapped kernel32/ntdll entry points, including those jna-platform lacks
 * (GetQueuedCompletionStatusEx, CancelIoEx, SetFileCompletionNotificationModes,
 * RegisterWaitForSingleObject, UnregisterWaitEx). Pointers are passed as raw addresses of
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

    static native boolean RegisterWaitForSingleObject(long waitOut, long handle, Win32.WaitCallback callback,
                                                      long context, int timeout, int flags);

    static native boolean UnregisterWaitEx(long wait, long completionEvent);

    static native boolean GetExitCodeProcess(long process, long exitCode);

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
