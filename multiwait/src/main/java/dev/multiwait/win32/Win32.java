package dev.multiwait.win32;

import com.sun.jna.Callback;

/**
 * The narrow native layer: every Win32 call the library makes goes through this interface, so
 * tests can inject a failure into any one of them (Mockito spy over {@link JnaWin32}) and the
 * dispatch benchmark can drive the real loop from memory. Handles and addresses are raw
 * {@code long}s; out-parameters are addresses of native memory the caller owns.
 * Every method returning {@code boolean} follows the Win32 BOOL convention and leaves the
 * error for {@link #lastError()}.
 */
public interface Win32 {
    long INVALID_HANDLE_VALUE = -1L;

    /** WAITORTIMERCALLBACK; x64 has one calling convention, so a plain Callback is right. */
    interface WaitCallback extends Callback {
        void invoke(long context, byte timedOut);
    }

    int lastError();

    /** Translates an OVERLAPPED.Internal NTSTATUS into the Win32 error GetLastError would give. */
    int ntStatusToWin32(int ntStatus);

    long createIoCompletionPort(long file, long existingPort, long key, int concurrentThreads);

    /** Fills {@code entries} (OVERLAPPED_ENTRY[count]) and writes the number removed at {@code removedOut}. */
    boolean getQueuedCompletionStatusEx(long port, long entries, int count, long removedOut, int timeoutMillis);

    boolean postQueuedCompletionStatus(long port, int bytes, long key, long overlapped);

    boolean setFileCompletionNotificationModes(long handle, int flags);

    boolean cancelIoEx(long handle, long overlapped);

    boolean readFile(long handle, long buffer, int length, long overlapped);

    boolean writeFile(long handle, long buffer, int length, long overlapped);

    boolean connectNamedPipe(long handle, long overlapped);

    boolean closeHandle(long handle);

    /** GetHandleInformation: the cheapest way to tell an open handle from a closed one. */
    boolean isHandleOpen(long handle);

    boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                        int timeoutMillis, int flags);

    boolean unregisterWaitEx(long waitHandle, long completionEvent);

    boolean getExitCodeProcess(long process, long exitCodeOut);

    boolean getNumberOfConsoleInputEvents(long console, long countOut);

    boolean readConsoleInput(long console, long records, int length, long readOut);
}
