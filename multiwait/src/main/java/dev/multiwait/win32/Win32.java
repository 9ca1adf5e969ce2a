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
    /** ~0: what WSASocketW returns on failure. */
    long INVALID_SOCKET = -1L;

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

    int FILE_TYPE_DISK = 1;
    int FILE_TYPE_CHAR = 2;
    /** Pipes and sockets. */
    int FILE_TYPE_PIPE = 3;

    /** GetFileType: 0 (FILE_TYPE_UNKNOWN; error 6 in lastError for events, processes...), or a FILE_TYPE_ value. */
    int getFileType(long handle);

    /**
     * GetNamedPipeInfo(pipe, flagsOut, NULL, NULL, NULL): false (error in lastError) for a handle that is
     * not a pipe (a file, a socket); else the PIPE_TYPE_MESSAGE / PIPE_SERVER_END flags at {@code flagsOut}.
     */
    boolean getNamedPipeInfo(long pipe, long flagsOut);

    /** GetProcessId: the pid, or 0 (error in lastError) for a handle that is not a process's. */
    int getProcessId(long process);

    /**
     * RegisterWaitForSingleObject semantics (one-shot, INFINITE). {@link JnaWin32} runs the callback
     * on the library's own wait threads, never on the system's wait pool (see OwnedWaits).
     */
    boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                        int timeoutMillis, int flags);

    /** UnregisterWaitEx semantics: with INVALID_HANDLE_VALUE, returns once a running callback has returned. */
    boolean unregisterWaitEx(long waitHandle, long completionEvent);

    boolean getExitCodeProcess(long process, long exitCodeOut);

    boolean getNumberOfConsoleInputEvents(long console, long countOut);

    boolean readConsoleInput(long console, long records, int length, long readOut);

    /**
     * Whether {@link #readConsoleInputNoWait} can be called: ReadConsoleInputExW exists and is real
     * (Wine 8 exports it as a stub that raises when called).
     */
    boolean hasReadConsoleInputNoWait();

    /** ReadConsoleInputExW(.., CONSOLE_READ_NOWAIT): like ReadConsoleInputW, but returns 0 records instead of blocking. */
    boolean readConsoleInputNoWait(long console, long records, int length, long readOut);

    // ---- Winsock. Calls follow the BOOL convention too (true = the call returned 0 / TRUE) and
    // leave the WSA error for lastError(): WSAGetLastError reads the same per-thread slot.

    /** WSAStartup(2.2), made at most once per process; later calls return the first result: 0 or the WSA error. */
    int wsaStartup();

    /** WSASocketW(family, type, protocol, NULL, 0, flags); {@link #INVALID_SOCKET} on failure. */
    long wsaSocket(int family, int type, int protocol, int flags);

    boolean bind(long socket, long address, int addressLength);

    boolean listen(long socket, int backlog);

    /** getsockname: {@code lengthInOut} is the address of an int holding the buffer size, updated to the address size. */
    boolean getSockName(long socket, long address, long lengthInOut);

    /** getpeername, as {@link #getSockName}. */
    boolean getPeerName(long socket, long address, long lengthInOut);

    boolean setSockOpt(long socket, int level, int option, long value, int length);

    /** getsockopt: {@code lengthInOut} is the address of an int holding the buffer size, updated to the value size. */
    boolean getSockOpt(long socket, int level, int option, long value, long lengthInOut);

    /** {@link #extensionFunction} selectors. */
    int ACCEPT_EX = 0;
    int GET_ACCEPT_EX_SOCKADDRS = 1;
    int CONNECT_EX = 2;

    /**
     * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) on {@code socket}: the address of AcceptEx,
     * GetAcceptExSockaddrs or ConnectEx ({@code which}) as that socket's provider implements it, or 0
     * (error in lastError). Looked up per socket, as libuv does: a layered provider may have its own.
     */
    long extensionFunction(long socket, int which);

    /** AcceptEx at {@code function} (from the listening socket); {@code buffer} must stay valid until the packet. */
    boolean acceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
                     int localAddressLength, int remoteAddressLength, long bytesReceivedOut, long overlapped);

    /** GetAcceptExSockaddrs at {@code function}: writes pointers into {@code buffer} at {@code localOut}/{@code remoteOut}, lengths as ints. */
    void getAcceptExSockaddrs(long function, long buffer, int receiveLength, int localAddressLength,
                              int remoteAddressLength, long localOut, long localLengthOut, long remoteOut,
                              long remoteLengthOut);

    /** ConnectEx at {@code function} (from this socket) on a bound socket. */
    boolean connectEx(long function, long socket, long address, int addressLength, long sendBuffer, int sendLength,
                      long sentOut, long overlapped);

    /** Overlapped WSARecv of {@code count} WSABUFs at {@code buffers}; {@code flagsInOut} must stay valid until the packet. */
    boolean wsaRecv(long socket, long buffers, int count, long flagsInOut, long overlapped);

    /** Overlapped WSASend of {@code count} WSABUFs at {@code buffers}. */
    boolean wsaSend(long socket, long buffers, int count, int flags, long overlapped);

    boolean shutdown(long socket, int how);

    boolean closeSocket(long socket);

    // ---- Named pipes, security descriptors and child processes (Win32 BOOL convention as above).

    /** CreateNamedPipeW; {@link #INVALID_HANDLE_VALUE} on failure. */
    long createNamedPipe(String name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
                         int inBufferSize, int defaultTimeoutMillis, long securityAttributes);

    /** CreateFileW (here: the client end of a named pipe); {@link #INVALID_HANDLE_VALUE} on failure. */
    long createFile(String name, int access, int shareMode, long securityAttributes, int disposition, int flags,
                    long templateFile);

    boolean setHandleInformation(long handle, int mask, int flags);

    /** The current user's SID as a string (OpenProcessToken, GetTokenInformation); null on failure. */
    String currentUserSid();

    /** SDDL to a self-relative security descriptor written at {@code descriptorOut}; free it with {@link #localFree}. */
    boolean convertStringSecurityDescriptor(String sddl, long descriptorOut);

    long localFree(long memory);

    boolean initializeProcThreadAttributeList(long list, int attributeCount, long sizeInOut);

    boolean updateProcThreadAttribute(long list, long attribute, long value, long size);

    void deleteProcThreadAttributeList(long list);

    /**
     * CreateProcessW with no process or thread security attributes; {@code application} and
     * {@code directory} may be null, {@code environment} is a ready block (or null to inherit).
     */
    boolean createProcess(String application, String commandLine, boolean inheritHandles, int flags,
                          char[] environment, String directory, long startupInfo, long processInformation);

    boolean terminateProcess(long process, int exitCode);

    /** GetStdHandle(-10 stdin, -11 stdout, -12 stderr): 0 if none, {@link #INVALID_HANDLE_VALUE} on failure. */
    long getStdHandle(int which);

    /** GetSystemDirectoryW (e.g. C:\\Windows\\System32); null on failure. */
    String systemDirectory();

    /** DuplicateHandle within this process, same access, not inheritable; 0 on failure. */
    long duplicateHandle(long handle);

    // ---- Job objects, thread resume and console control events (BOOL convention as above).

    /** CreateJobObjectW(NULL, NULL): an unnamed job; 0 on failure. */
    long createJobObject();

    boolean setInformationJobObject(long job, int infoClass, long info, int length);

    boolean queryInformationJobObject(long job, int infoClass, long info, int length, long returnLengthOut);

    boolean assignProcessToJobObject(long job, long process);

    boolean terminateJobObject(long job, int exitCode);

    /** ResumeThread: the previous suspend count, or -1 (error in lastError). */
    int resumeThread(long thread);

    /** GenerateConsoleCtrlEvent(event, processGroupId). */
    boolean generateConsoleCtrlEvent(int event, int processGroupId);
}
