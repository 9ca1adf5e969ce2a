package dev.multiwait.win32;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * Direct mappings for launching children with overlapped stdio: pipes with a security descriptor,
 * CreateProcessW with STARTUPINFOEXW and an explicit inherit list. Addresses are raw longs into
 * native memory the caller owns.
 */
public final class ProcessDirect {
    static {
        Native.register(ProcessDirect.class, NativeLibrary.getInstance("kernel32"));
    }

    private ProcessDirect() {
    }

    public static final int PIPE_ACCESS_INBOUND = 0x1;
    public static final int PIPE_ACCESS_OUTBOUND = 0x2;
    public static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    public static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    public static final int PIPE_TYPE_BYTE = 0;
    public static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    public static final int GENERIC_READ = 0x80000000;
    public static final int GENERIC_WRITE = 0x40000000;
    public static final int FILE_READ_ATTRIBUTES = 0x80;
    public static final int FILE_WRITE_ATTRIBUTES = 0x100;
    public static final int OPEN_EXISTING = 3;
    public static final int HANDLE_FLAG_INHERIT = 1;
    public static final int EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
    public static final int CREATE_UNICODE_ENVIRONMENT = 0x00000400;
    public static final int CREATE_NO_WINDOW = 0x08000000;
    public static final int STARTF_USESTDHANDLES = 0x100;
    public static final long PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x20002;
    public static final int STILL_ACTIVE = 259;

    /** SECURITY_ATTRIBUTES: nLength, lpSecurityDescriptor @8, bInheritHandle @16. */
    public static final int SECURITY_ATTRIBUTES_SIZE = 24;
    /** STARTUPINFOEXW: STARTUPINFOW (104 bytes) + lpAttributeList @104. */
    public static final int STARTUPINFOEX_SIZE = 112;
    public static final int SI_FLAGS = 60;
    public static final int SI_STDIN = 80;
    public static final int SI_STDOUT = 88;
    public static final int SI_STDERR = 96;
    public static final int SI_ATTRIBUTES = 104;
    /** PROCESS_INFORMATION: hProcess, hThread, dwProcessId @16. */
    public static final int PROCESS_INFORMATION_SIZE = 24;

    public static native long CreateNamedPipeW(char[] name, int openMode, int pipeMode, int maxInstances,
                                               int outBuffer, int inBuffer, int timeout, long securityAttributes);

    public static native long CreateFileW(char[] name, int access, int share, long securityAttributes,
                                          int disposition, int flags, long template);

    public static native boolean SetHandleInformation(long handle, int mask, int flags);

    public static native boolean InitializeProcThreadAttributeList(long list, int count, int flags, long sizeInOut);

    public static native boolean UpdateProcThreadAttribute(long list, int flags, long attribute, long value, long size,
                                                           long previous, long returnSize);

    public static native void DeleteProcThreadAttributeList(long list);

    public static native boolean CreateProcessW(char[] application, char[] commandLine, long processAttributes,
                                                long threadAttributes, boolean inheritHandles, int flags,
                                                char[] environment, char[] directory, long startupInfo,
                                                long processInformation);

    public static native boolean TerminateProcess(long process, int exitCode);

    public static native boolean GetExitCodeProcess(long process, long exitCode);

    public static native boolean CloseHandle(long handle);

    public static native long LocalFree(long memory);


    /** advapi32: SDDL to a self-relative security descriptor (LocalFree it). */
    public static final class Advapi {
        static {
            Native.register(Advapi.class, NativeLibrary.getInstance("advapi32"));
        }

        private Advapi() {
        }

        public static native boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(char[] sddl, int revision,
                                                                                         long descriptorOut, long sizeOut);
    }
}
