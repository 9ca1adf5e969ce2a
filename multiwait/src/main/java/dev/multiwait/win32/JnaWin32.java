package dev.multiwait.win32;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The real native layer: thin forwarding to {@link Kernel32Direct}. */
public class JnaWin32 implements Win32 {
    public static final JnaWin32 INSTANCE = new JnaWin32();

    protected JnaWin32() {
    }

    @Override
    public int lastError() {
        return Native.getLastError();
    }

    @Override
    public int ntStatusToWin32(int ntStatus) {
        return Kernel32Direct.Ntdll.RtlNtStatusToDosError(ntStatus);
    }

    @Override
    public long createIoCompletionPort(long file, long existingPort, long key, int concurrentThreads) {
        return Kernel32Direct.CreateIoCompletionPort(file, existingPort, key, concurrentThreads);
    }

    @Override
    public boolean getQueuedCompletionStatusEx(long port, long entries, int count, long removedOut, int timeoutMillis) {
        return Kernel32Direct.GetQueuedCompletionStatusEx(port, entries, count, removedOut, timeoutMillis, false);
    }

    @Override
    public boolean postQueuedCompletionStatus(long port, int bytes, long key, long overlapped) {
        return Kernel32Direct.PostQueuedCompletionStatus(port, bytes, key, overlapped);
    }

    @Override
    public boolean setFileCompletionNotificationModes(long handle, int flags) {
        return Kernel32Direct.SetFileCompletionNotificationModes(handle, (byte) flags);
    }

    @Override
    public boolean cancelIoEx(long handle, long overlapped) {
        return Kernel32Direct.CancelIoEx(handle, overlapped);
    }

    @Override
    public boolean readFile(long handle, long buffer, int length, long overlapped) {
        return Kernel32Direct.ReadFile(handle, buffer, length, 0L, overlapped);
    }

    @Override
    public boolean writeFile(long handle, long buffer, int length, long overlapped) {
        return Kernel32Direct.WriteFile(handle, buffer, length, 0L, overlapped);
    }

    @Override
    public boolean connectNamedPipe(long handle, long overlapped) {
        return Kernel32Direct.ConnectNamedPipe(handle, overlapped);
    }

    @Override
    public boolean closeHandle(long handle) {
        return Kernel32Direct.CloseHandle(handle);
    }

    @Override
    public boolean isHandleOpen(long handle) {
        try (Memory flags = new Memory(4)) {
            return Kernel32Direct.GetHandleInformation(handle, Pointer.nativeValue(flags));
        }
    }

    @Override
    public boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                               int timeoutMillis, int flags) {
        return Kernel32Direct.RegisterWaitForSingleObject(waitHandleOut, handle, callback, context, timeoutMillis, flags);
    }

    @Override
    public boolean unregisterWaitEx(long waitHandle, long completionEvent) {
        return Kernel32Direct.UnregisterWaitEx(waitHandle, completionEvent);
    }

    @Override
    public boolean getExitCodeProcess(long process, long exitCodeOut) {
        return Kernel32Direct.GetExitCodeProcess(process, exitCodeOut);
    }

    @Override
    public boolean getNumberOfConsoleInputEvents(long console, long countOut) {
        return Kernel32Direct.GetNumberOfConsoleInputEvents(console, countOut);
    }

    @Override
    public boolean readConsoleInput(long console, long records, int length, long readOut) {
        return Kernel32Direct.ReadConsoleInputW(console, records, length, readOut);
    }

    /** Handles open in this process, or -1 where the call is unsupported. For leak checks. */
    public static int processHandleCount() {
        try (Memory count = new Memory(4)) {
            if (!Kernel32Direct.GetProcessHandleCount(Kernel32Direct.GetCurrentProcess(), Pointer.nativeValue(count))) {
                return -1;
            }
            return count.getInt(0);
        }
    }
}
