package dev.multiwait.win32;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * JNA direct-mapped kernel32/ntdll/advapi32 entry points (each library bound by exactly one class),
 * including those jna-platform lacks (GetQueuedCompletionStatusEx, CancelIoEx,
 * SetFileCompletionNotificationModes). Pointers are passed as raw addresses of
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

    static native long GetCurrentProcess();

    static native long CreateNamedPipeW(char[] name, int openMode, int pipeMode, int maxInstances,
                                        int outBuffer, int inBuffer, int timeout, long securityAttributes);

    static native long CreateFileW(char[] name, int access, int share, long securityAttributes,
                                   int disposition, int flags, long template);

    static native boolean SetHandleInformation(long handle, int mask, int flags);

    static native long LocalFree(long memory);

    static native boolean InitializeProcThreadAttributeList(long list, int count, int flags, long sizeInOut);

    static native boolean UpdateProcThreadAttribute(long list, int flags, long attribute, long value, long size,
                                                    long previous, long returnSize);

    static native void DeleteProcThreadAttributeList(long list);

    static native boolean CreateProcessW(char[] application, char[] commandLine, long processAttributes,
                                         long threadAttributes, boolean inheritHandles, int flags,
                                         char[] environment, char[] directory, long startupInfo,
                                         long processInformation);

    static native boolean TerminateProcess(long process, int exitCode);

    static native long GetStdHandle(int which);

    static native int GetSystemDirectoryW(char[] buffer, int size);

    static native boolean DuplicateHandle(long sourceProcess, long source, long targetProcess, long targetOut,
                                          int access, boolean inherit, int options);

    static native long CreateJobObjectW(long attributes, long name);

    static native boolean SetInformationJobObject(long job, int infoClass, long info, int length);

    static native boolean QueryInformationJobObject(long job, int infoClass, long info, int length, long returnLength);

    static native boolean AssignProcessToJobObject(long job, long process);

    static native boolean TerminateJobObject(long job, int exitCode);

    static native int ResumeThread(long thread);

    static native boolean GenerateConsoleCtrlEvent(int event, int processGroupId);

    /** ntdll, registered separately because direct mapping binds one library per class. */
    static final class Ntdll {
        static {
            Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
        }

        private Ntdll() {
        }

        static native int RtlNtStatusToDosError(int status);

    }

    /** advapi32, the one class bound to it. */
    static final class Advapi32 {
        static {
            Native.register(Advapi32.class, NativeLibrary.getInstance("advapi32"));
        }

        private Advapi32() {
        }

        static native boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(char[] sddl, int revision,
                                                                                  long descriptorOut, long sizeOut);

        static native boolean OpenProcessToken(long process, int access, long tokenOut);

        static native boolean GetTokenInformation(long token, int infoClass, long info, int length, long returnLength);

        static native boolean ConvertSidToStringSidW(long sid, long stringOut);
    }
}
