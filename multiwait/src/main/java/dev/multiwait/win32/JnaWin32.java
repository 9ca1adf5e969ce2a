package dev.multiwait.win32;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The real native layer: thin forwarding to {@link Kernel32Direct} (kernel32, ntdll, advapi32) and {@link Ws2_32Direct}. */
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
    public int getFileType(long handle) {
        return Kernel32Direct.GetFileType(handle);
    }

    @Override
    public boolean getNamedPipeInfo(long pipe, long flagsOut) {
        return Kernel32Direct.GetNamedPipeInfo(pipe, flagsOut, 0L, 0L, 0L);
    }

    @Override
    public int getProcessId(long process) {
        return Kernel32Direct.GetProcessId(process);
    }

    @Override
    public boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                               int timeoutMillis, int flags) {
        if (timeoutMillis != Layouts.INFINITE || (flags & Layouts.WT_EXECUTEONLYONCE) == 0) {
            throw new UnsupportedOperationException("only one-shot waits without a timeout are bridged");
        }
        return OwnedWaits.INSTANCE.register(waitHandleOut, handle, callback, context);
    }

    /**
     * Waits run on the library's own threads ({@link OwnedWaits}), not the system's wait pool, and
     * unregistering always blocks until a running callback has returned (INVALID_HANDLE_VALUE).
     */
    @Override
    public boolean unregisterWaitEx(long waitHandle, long completionEvent) {
        if (completionEvent != Win32.INVALID_HANDLE_VALUE) {
            throw new UnsupportedOperationException("unregistering waits for a running callback (INVALID_HANDLE_VALUE) only");
        }
        return OwnedWaits.INSTANCE.unregister(waitHandle);
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

    @Override
    public boolean hasReadConsoleInputNoWait() {
        return ConsoleNoWait.READ != null;
    }

    @Override
    public boolean readConsoleInputNoWait(long console, long records, int length, long readOut) {
        return ConsoleNoWait.READ.invokeInt(new Object[] {console, records, length, readOut, ConsoleNoWait.FLAGS}) != 0;
    }

    // ---- Winsock ----

    private static final Object WINSOCK_LOCK = new Object();
    private static Integer startupResult;
    private static final java.util.Map<Long, Function> FUNCTIONS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public int wsaStartup() {
        synchronized (WINSOCK_LOCK) {
            if (startupResult == null) {
                // WSADATA is 408 bytes on x64; the process keeps Winsock started for its life, as the JDK does.
                try (Memory data = new Memory(512)) {
                    startupResult = Ws2_32Direct.WSAStartup((short) 0x0202, Pointer.nativeValue(data));
                }
            }
            return startupResult;
        }
    }

    @Override
    public long wsaSocket(int family, int type, int protocol, int flags) {
        return Ws2_32Direct.WSASocketW(family, type, protocol, 0, 0, flags);
    }

    @Override
    public boolean bind(long socket, long address, int addressLength) {
        return Ws2_32Direct.bind(socket, address, addressLength) == 0;
    }

    @Override
    public boolean listen(long socket, int backlog) {
        return Ws2_32Direct.listen(socket, backlog) == 0;
    }

    @Override
    public boolean getSockName(long socket, long address, long lengthInOut) {
        return Ws2_32Direct.getsockname(socket, address, lengthInOut) == 0;
    }

    @Override
    public boolean getPeerName(long socket, long address, long lengthInOut) {
        return Ws2_32Direct.getpeername(socket, address, lengthInOut) == 0;
    }

    @Override
    public boolean setSockOpt(long socket, int level, int option, long value, int length) {
        return Ws2_32Direct.setsockopt(socket, level, option, value, length) == 0;
    }

    @Override
    public boolean getSockOpt(long socket, int level, int option, long value, long lengthInOut) {
        return Ws2_32Direct.getsockopt(socket, level, option, value, lengthInOut) == 0;
    }

    @Override
    public long extensionFunction(long socket, int which) {
        return Ws2_32Direct.extension(socket, which == ACCEPT_EX ? Ws2_32Direct.WSAID_ACCEPTEX
                : which == GET_ACCEPT_EX_SOCKADDRS ? Ws2_32Direct.WSAID_GETACCEPTEXSOCKADDRS : Ws2_32Direct.WSAID_CONNECTEX);
    }

    @Override
    public boolean acceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
                            int localAddressLength, int remoteAddressLength, long bytesReceivedOut, long overlapped) {
        return callable(function).invokeInt(new Object[] {listenSocket, acceptSocket, buffer, receiveLength,
                localAddressLength, remoteAddressLength, bytesReceivedOut, overlapped}) != 0;
    }

    @Override
    public void getAcceptExSockaddrs(long function, long buffer, int receiveLength, int localAddressLength,
                                     int remoteAddressLength, long localOut, long localLengthOut, long remoteOut,
                                     long remoteLengthOut) {
        callable(function).invokeVoid(new Object[] {buffer, receiveLength, localAddressLength, remoteAddressLength,
                localOut, localLengthOut, remoteOut, remoteLengthOut});
    }

    @Override
    public boolean connectEx(long function, long socket, long address, int addressLength, long sendBuffer,
                             int sendLength, long sentOut, long overlapped) {
        return callable(function).invokeInt(new Object[] {socket, address, addressLength, sendBuffer, sendLength,
                sentOut, overlapped}) != 0;
    }

    /** One JNA Function per extension address (a process has a handful: one per provider and function). */
    private static Function callable(long function) {
        if (function == 0) {
            throw new IllegalArgumentException("no extension function address");
        }
        return FUNCTIONS.computeIfAbsent(function, f -> Function.getFunction(new Pointer(f), Function.C_CONVENTION));
    }

    @Override
    public boolean wsaRecv(long socket, long buffers, int count, long flagsInOut, long overlapped) {
        return Ws2_32Direct.WSARecv(socket, buffers, count, 0, flagsInOut, overlapped, 0) == 0;
    }

    @Override
    public boolean wsaSend(long socket, long buffers, int count, int flags, long overlapped) {
        return Ws2_32Direct.WSASend(socket, buffers, count, 0, flags, overlapped, 0) == 0;
    }

    @Override
    public boolean shutdown(long socket, int how) {
        return Ws2_32Direct.shutdown(socket, how) == 0;
    }

    @Override
    public boolean closeSocket(long socket) {
        return Ws2_32Direct.closesocket(socket) == 0;
    }

    // ---- Named pipes, security, processes ----

    @Override
    public long createNamedPipe(String name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
                                int inBufferSize, int defaultTimeoutMillis, long securityAttributes) {
        return Kernel32Direct.CreateNamedPipeW(Native.toCharArray(name), openMode, pipeMode, maxInstances,
                outBufferSize, inBufferSize, defaultTimeoutMillis, securityAttributes);
    }

    @Override
    public long createFile(String name, int access, int shareMode, long securityAttributes, int disposition, int flags,
                           long templateFile) {
        return Kernel32Direct.CreateFileW(Native.toCharArray(name), access, shareMode, securityAttributes, disposition,
                flags, templateFile);
    }

    @Override
    public boolean setHandleInformation(long handle, int mask, int flags) {
        return Kernel32Direct.SetHandleInformation(handle, mask, flags);
    }

    @Override
    public String currentUserSid() {
        // TOKEN_USER starts with the SID's address; 256 bytes hold the largest SID (68) and more.
        try (Memory tokenOut = new Memory(8); Memory user = new Memory(256); Memory length = new Memory(4);
             Memory text = new Memory(8)) {
            if (!Kernel32Direct.Advapi32.OpenProcessToken(Kernel32Direct.GetCurrentProcess(), TOKEN_QUERY,
                    Pointer.nativeValue(tokenOut))) {
                return null;
            }
            long token = tokenOut.getLong(0);
            try {
                if (!Kernel32Direct.Advapi32.GetTokenInformation(token, TOKEN_USER, Pointer.nativeValue(user), 256,
                        Pointer.nativeValue(length))
                        || !Kernel32Direct.Advapi32.ConvertSidToStringSidW(user.getLong(0), Pointer.nativeValue(text))) {
                    return null;
                }
            } finally {
                Kernel32Direct.CloseHandle(token);
            }
            String sid = new Pointer(text.getLong(0)).getWideString(0);
            Kernel32Direct.LocalFree(text.getLong(0));
            return sid;
        }
    }

    private static final int TOKEN_QUERY = 0x8;
    private static final int TOKEN_USER = 1;

    @Override
    public boolean convertStringSecurityDescriptor(String sddl, long descriptorOut) {
        return Kernel32Direct.Advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(Native.toCharArray(sddl),
                1, descriptorOut, 0);
    }

    @Override
    public long localFree(long memory) {
        return Kernel32Direct.LocalFree(memory);
    }

    @Override
    public boolean initializeProcThreadAttributeList(long list, int attributeCount, long sizeInOut) {
        return Kernel32Direct.InitializeProcThreadAttributeList(list, attributeCount, 0, sizeInOut);
    }

    @Override
    public boolean updateProcThreadAttribute(long list, long attribute, long value, long size) {
        return Kernel32Direct.UpdateProcThreadAttribute(list, 0, attribute, value, size, 0, 0);
    }

    @Override
    public void deleteProcThreadAttributeList(long list) {
        Kernel32Direct.DeleteProcThreadAttributeList(list);
    }

    @Override
    public boolean createProcess(String application, String commandLine, boolean inheritHandles, int flags,
                                 char[] environment, String directory, long startupInfo, long processInformation) {
        // toCharArray gives the mutable, NUL-terminated buffer CreateProcessW wants for the command line.
        return Kernel32Direct.CreateProcessW(application == null ? null : Native.toCharArray(application),
                Native.toCharArray(commandLine), 0, 0, inheritHandles, flags, environment,
                directory == null ? null : Native.toCharArray(directory), startupInfo, processInformation);
    }

    @Override
    public boolean terminateProcess(long process, int exitCode) {
        return Kernel32Direct.TerminateProcess(process, exitCode);
    }

    @Override
    public long getStdHandle(int which) {
        return Kernel32Direct.GetStdHandle(which);
    }

    @Override
    public String systemDirectory() {
        char[] buffer = new char[520];
        int n = Kernel32Direct.GetSystemDirectoryW(buffer, buffer.length);
        return n > 0 && n < buffer.length ? new String(buffer, 0, n) : null;
    }

    @Override
    public long duplicateHandle(long handle) {
        try (Memory out = new Memory(8)) {
            long self = Kernel32Direct.GetCurrentProcess();
            // DUPLICATE_SAME_ACCESS (2), not inheritable: the launcher makes it inheritable for the launch only.
            return Kernel32Direct.DuplicateHandle(self, handle, self, Pointer.nativeValue(out), 0, false, 2)
                    ? out.getLong(0) : 0;
        }
    }

    @Override
    public long createJobObject() {
        return Kernel32Direct.CreateJobObjectW(0, 0);
    }

    @Override
    public boolean setInformationJobObject(long job, int infoClass, long info, int length) {
        return Kernel32Direct.SetInformationJobObject(job, infoClass, info, length);
    }

    @Override
    public boolean queryInformationJobObject(long job, int infoClass, long info, int length, long returnLengthOut) {
        return Kernel32Direct.QueryInformationJobObject(job, infoClass, info, length, returnLengthOut);
    }

    @Override
    public boolean assignProcessToJobObject(long job, long process) {
        return Kernel32Direct.AssignProcessToJobObject(job, process);
    }

    @Override
    public boolean terminateJobObject(long job, int exitCode) {
        return Kernel32Direct.TerminateJobObject(job, exitCode);
    }

    @Override
    public int resumeThread(long thread) {
        return Kernel32Direct.ResumeThread(thread);
    }

    @Override
    public boolean generateConsoleCtrlEvent(int event, int processGroupId) {
        return Kernel32Direct.GenerateConsoleCtrlEvent(event, processGroupId);
    }
}
