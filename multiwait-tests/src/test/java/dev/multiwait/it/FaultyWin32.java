package dev.multiwait.it;

import dev.multiwait.win32.JnaWin32;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

/**
 * The real native layer with faults on demand: any call of the {@code Win32} interface can be made
 * to fail with a chosen error, for one handle (or key), on one thread, after some successful calls,
 * a number of times. A failed call is not made (the kernel never sees it), except those marked
 * {@link Fault#afterDoing()} (UnregisterWaitEx, CloseHandle, closesocket), which run and then report
 * failure, so an injected failure leaks nothing by itself. {@link #lastError()} returns the injected
 * error on the thread that saw it until that thread's next call through this layer.
 *
 * <p>It also tracks sockets (created, closed, closed twice) and counts every call, so tests can
 * check that the path they meant to break was taken.
 */
final class FaultyWin32 extends JnaWin32 {
    /** Every call the library makes through the interface, and what a fault on it returns. */
    enum Call {
        CREATE_PORT, ASSOCIATE, GET_QUEUED_COMPLETION_STATUS_EX, POST_QUEUED_COMPLETION_STATUS, SKIP_ON_SUCCESS,
        CANCEL_IO_EX, READ_FILE, WRITE_FILE, CONNECT_NAMED_PIPE, CLOSE_HANDLE, IS_HANDLE_OPEN, GET_FILE_TYPE, GET_NAMED_PIPE_INFO,
        GET_PROCESS_ID, REGISTER_WAIT, UNREGISTER_WAIT, GET_EXIT_CODE_PROCESS, CONSOLE_EVENTS, READ_CONSOLE_INPUT,
        WSA_STARTUP, WSA_SOCKET, BIND, LISTEN, GET_SOCK_NAME, SET_SOCK_OPT, GET_SOCK_OPT, EXTENSION_FUNCTION, ACCEPT_EX, CONNECT_EX,
        WSA_RECV, WSA_SEND, SHUTDOWN, CLOSE_SOCKET,
        // pipes, security descriptors, processes (LOCAL_FREE and DELETE_ATTRIBUTE_LIST: counted, for cleanup checks)
        CREATE_NAMED_PIPE, CREATE_FILE, SET_HANDLE_INFORMATION, CURRENT_USER_SID, SECURITY_DESCRIPTOR, LOCAL_FREE,
        INIT_ATTRIBUTE_LIST, UPDATE_ATTRIBUTE, DELETE_ATTRIBUTE_LIST, CREATE_PROCESS, TERMINATE_PROCESS,
        // job objects, resume, console control events
        CREATE_JOB, SET_JOB_INFORMATION, QUERY_JOB_INFORMATION, ASSIGN_TO_JOB, TERMINATE_JOB, RESUME_THREAD,
        CONSOLE_CTRL_EVENT,
        // std handles and redirects
        GET_STD_HANDLE, DUPLICATE_HANDLE, SYSTEM_DIRECTORY
    }

    /** One armed fault. */
    static final class Fault {
        final Call call;
        final int error;
        LongPredicate subject = x -> true;
        String threadPrefix;
        int skip;
        int times = 1;
        boolean afterDoing;
        final AtomicInteger hits = new AtomicInteger();
        final AtomicInteger seen = new AtomicInteger();

        Fault(Call call, int error) {
            this.call = call;
            this.error = error;
        }

        /** Only calls on this handle (socket, port; the key for PostQueuedCompletionStatus). */
        Fault on(long subjectValue) {
            subject = x -> x == subjectValue;
            return this;
        }

        Fault when(LongPredicate p) {
            subject = p;
            return this;
        }

        /** Only calls made on threads whose name starts with {@code prefix}. */
        Fault onThread(String prefix) {
            threadPrefix = prefix;
            return this;
        }

        /** Let {@code n} matching calls through first. */
        Fault after(int n) {
            skip = n;
            return this;
        }

        /** Fail {@code n} matching calls (then let them through again). */
        Fault times(int n) {
            times = n;
            return this;
        }

        Fault always() {
            times = Integer.MAX_VALUE;
            return this;
        }

        /** Make the call, then report it failed (for calls whose effect must not leak). */
        Fault afterDoing() {
            afterDoing = true;
            return this;
        }

        int hits() {
            return hits.get();
        }
    }

    private static final int NONE = Integer.MIN_VALUE;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final ThreadLocal<int[]> injected = ThreadLocal.withInitial(() -> new int[] {NONE});
    private final Map<Call, AtomicInteger> calls = Collections.synchronizedMap(new EnumMap<>(Call.class));
    private final Set<Long> openSockets = new HashSet<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger injectedTotal = new AtomicInteger();

    Fault fail(Call call, int error) {
        Fault f = new Fault(call, error);
        faults.add(f);
        return f;
    }

    void clearFaults() {
        faults.clear();
    }

    int calls(Call c) {
        AtomicInteger n = calls.get(c);
        return n == null ? 0 : n.get();
    }

    synchronized Set<Long> openSockets() {
        return new HashSet<>(openSockets);
    }

    /** Null, or the fault this call must suffer; sets or clears this thread's injected error. */
    private Fault check(Call call, long subject) {
        calls.computeIfAbsent(call, c -> new AtomicInteger()).incrementAndGet();
        int[] slot = injected.get();
        slot[0] = NONE;
        for (Fault f : faults) {
            if (f.call != call || !f.subject.test(subject)
                    || (f.threadPrefix != null && !Thread.currentThread().getName().startsWith(f.threadPrefix))) {
                continue;
            }
            int n = f.seen.getAndIncrement();
            if (n < f.skip || n - f.skip >= f.times) {
                continue;
            }
            f.hits.incrementAndGet();
            injectedTotal.incrementAndGet();
            return f;
        }
        return null;
    }

    private boolean failed(Fault f) {
        injected.get()[0] = f.error;
        return false;
    }

    @Override
    public int lastError() {
        int e = injected.get()[0];
        return e != NONE ? e : super.lastError();
    }

    @Override
    public long createIoCompletionPort(long file, long existingPort, long key, int threads) {
        boolean create = file == INVALID_HANDLE_VALUE && existingPort == 0;
        Fault f = check(create ? Call.CREATE_PORT : Call.ASSOCIATE, create ? 0 : file);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.createIoCompletionPort(file, existingPort, key, threads);
    }

    @Override
    public boolean getQueuedCompletionStatusEx(long port, long entries, int count, long removedOut, int timeoutMillis) {
        Fault f = check(Call.GET_QUEUED_COMPLETION_STATUS_EX, port);
        return f != null ? failed(f) : super.getQueuedCompletionStatusEx(port, entries, count, removedOut, timeoutMillis);
    }

    @Override
    public boolean postQueuedCompletionStatus(long port, int bytes, long key, long overlapped) {
        Fault f = check(Call.POST_QUEUED_COMPLETION_STATUS, key);
        return f != null ? failed(f) : super.postQueuedCompletionStatus(port, bytes, key, overlapped);
    }

    @Override
    public boolean setFileCompletionNotificationModes(long handle, int flags) {
        Fault f = check(Call.SKIP_ON_SUCCESS, handle);
        return f != null ? failed(f) : super.setFileCompletionNotificationModes(handle, flags);
    }

    @Override
    public boolean cancelIoEx(long handle, long overlapped) {
        Fault f = check(Call.CANCEL_IO_EX, handle);
        return f != null ? failed(f) : super.cancelIoEx(handle, overlapped);
    }

    @Override
    public boolean readFile(long handle, long buffer, int length, long overlapped) {
        Fault f = check(Call.READ_FILE, handle);
        return f != null ? failed(f) : super.readFile(handle, buffer, length, overlapped);
    }

    @Override
    public boolean writeFile(long handle, long buffer, int length, long overlapped) {
        Fault f = check(Call.WRITE_FILE, handle);
        return f != null ? failed(f) : super.writeFile(handle, buffer, length, overlapped);
    }

    @Override
    public boolean connectNamedPipe(long handle, long overlapped) {
        Fault f = check(Call.CONNECT_NAMED_PIPE, handle);
        return f != null ? failed(f) : super.connectNamedPipe(handle, overlapped);
    }

    @Override
    public boolean closeHandle(long handle) {
        Fault f = check(Call.CLOSE_HANDLE, handle);
        if (f == null) {
            return super.closeHandle(handle);
        }
        if (f.afterDoing) {
            super.closeHandle(handle);
        }
        return failed(f);
    }

    @Override
    public boolean isHandleOpen(long handle) {
        Fault f = check(Call.IS_HANDLE_OPEN, handle);
        return f != null ? failed(f) : super.isHandleOpen(handle);
    }

    @Override
    public int getFileType(long handle) {
        Fault f = check(Call.GET_FILE_TYPE, handle);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.getFileType(handle);
    }

    @Override
    public boolean getNamedPipeInfo(long pipe, long flagsOut) {
        Fault f = check(Call.GET_NAMED_PIPE_INFO, pipe);
        if (f != null) {
            failed(f);
            return false;
        }
        return super.getNamedPipeInfo(pipe, flagsOut);
    }

    @Override
    public int getProcessId(long process) {
        Fault f = check(Call.GET_PROCESS_ID, process);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.getProcessId(process);
    }

    @Override
    public boolean registerWaitForSingleObject(long waitHandleOut, long handle, WaitCallback callback, long context,
                                               int timeoutMillis, int flags) {
        Fault f = check(Call.REGISTER_WAIT, handle);
        return f != null ? failed(f)
                : super.registerWaitForSingleObject(waitHandleOut, handle, callback, context, timeoutMillis, flags);
    }

    @Override
    public boolean unregisterWaitEx(long waitHandle, long completionEvent) {
        Fault f = check(Call.UNREGISTER_WAIT, waitHandle);
        if (f == null) {
            return super.unregisterWaitEx(waitHandle, completionEvent);
        }
        if (f.afterDoing) {
            super.unregisterWaitEx(waitHandle, completionEvent);
        }
        return failed(f);
    }

    @Override
    public boolean getExitCodeProcess(long process, long exitCodeOut) {
        Fault f = check(Call.GET_EXIT_CODE_PROCESS, process);
        return f != null ? failed(f) : super.getExitCodeProcess(process, exitCodeOut);
    }

    @Override
    public boolean getNumberOfConsoleInputEvents(long console, long countOut) {
        Fault f = check(Call.CONSOLE_EVENTS, console);
        return f != null ? failed(f) : super.getNumberOfConsoleInputEvents(console, countOut);
    }

    @Override
    public boolean readConsoleInput(long console, long records, int length, long readOut) {
        Fault f = check(Call.READ_CONSOLE_INPUT, console);
        return f != null ? failed(f) : super.readConsoleInput(console, records, length, readOut);
    }

    @Override
    public int wsaStartup() {
        Fault f = check(Call.WSA_STARTUP, 0);
        if (f != null) {
            failed(f);
            return f.error;
        }
        return super.wsaStartup();
    }

    @Override
    public long wsaSocket(int family, int type, int protocol, int flags) {
        Fault f = check(Call.WSA_SOCKET, family);
        if (f != null) {
            failed(f);
            return INVALID_SOCKET;
        }
        long s = super.wsaSocket(family, type, protocol, flags);
        if (s != INVALID_SOCKET) {
            synchronized (this) {
                if (!openSockets.add(s)) {
                    problems.add("socket 0x" + Long.toHexString(s) + " created while still open");
                }
            }
        }
        return s;
    }

    @Override
    public boolean bind(long socket, long address, int addressLength) {
        Fault f = check(Call.BIND, socket);
        return f != null ? failed(f) : super.bind(socket, address, addressLength);
    }

    @Override
    public boolean listen(long socket, int backlog) {
        Fault f = check(Call.LISTEN, socket);
        return f != null ? failed(f) : super.listen(socket, backlog);
    }

    @Override
    public boolean getSockName(long socket, long address, long lengthInOut) {
        Fault f = check(Call.GET_SOCK_NAME, socket);
        return f != null ? failed(f) : super.getSockName(socket, address, lengthInOut);
    }

    @Override
    public boolean setSockOpt(long socket, int level, int option, long value, int length) {
        Fault f = check(Call.SET_SOCK_OPT, option);
        return f != null ? failed(f) : super.setSockOpt(socket, level, option, value, length);
    }

    @Override
    public boolean getSockOpt(long socket, int level, int option, long value, long lengthInOut) {
        Fault f = check(Call.GET_SOCK_OPT, option);
        return f != null ? failed(f) : super.getSockOpt(socket, level, option, value, lengthInOut);
    }

    @Override
    public long extensionFunction(long socket, int which) {
        Fault f = check(Call.EXTENSION_FUNCTION, which);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.extensionFunction(socket, which);
    }

    @Override
    public boolean acceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
                            int localAddressLength, int remoteAddressLength, long bytesReceivedOut, long overlapped) {
        Fault f = check(Call.ACCEPT_EX, listenSocket);
        return f != null ? failed(f) : super.acceptEx(function, listenSocket, acceptSocket, buffer, receiveLength,
                localAddressLength, remoteAddressLength, bytesReceivedOut, overlapped);
    }

    @Override
    public boolean connectEx(long function, long socket, long address, int addressLength, long sendBuffer,
                             int sendLength, long sentOut, long overlapped) {
        Fault f = check(Call.CONNECT_EX, socket);
        return f != null ? failed(f)
                : super.connectEx(function, socket, address, addressLength, sendBuffer, sendLength, sentOut, overlapped);
    }

    @Override
    public boolean wsaRecv(long socket, long buffers, int count, long flagsInOut, long overlapped) {
        Fault f = check(Call.WSA_RECV, socket);
        return f != null ? failed(f) : super.wsaRecv(socket, buffers, count, flagsInOut, overlapped);
    }

    @Override
    public boolean wsaSend(long socket, long buffers, int count, int flags, long overlapped) {
        Fault f = check(Call.WSA_SEND, socket);
        return f != null ? failed(f) : super.wsaSend(socket, buffers, count, flags, overlapped);
    }

    @Override
    public boolean shutdown(long socket, int how) {
        Fault f = check(Call.SHUTDOWN, socket);
        return f != null ? failed(f) : super.shutdown(socket, how);
    }

    @Override
    public boolean closeSocket(long socket) {
        Fault f = check(Call.CLOSE_SOCKET, socket);
        if (f == null || f.afterDoing) {
            synchronized (this) {
                if (!openSockets.remove(socket)) {
                    problems.add("closesocket(0x" + Long.toHexString(socket) + ") of a socket not open");
                }
            }
            boolean ok = super.closeSocket(socket);
            if (f == null) {
                return ok;
            }
        }
        return failed(f);
    }
    @Override
    public long createNamedPipe(String name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
                                int inBufferSize, int defaultTimeoutMillis, long securityAttributes) {
        Fault f = check(Call.CREATE_NAMED_PIPE, openMode);
        if (f != null) {
            failed(f);
            return INVALID_HANDLE_VALUE;
        }
        return super.createNamedPipe(name, openMode, pipeMode, maxInstances, outBufferSize, inBufferSize,
                defaultTimeoutMillis, securityAttributes);
    }

    @Override
    public long createFile(String name, int access, int shareMode, long securityAttributes, int disposition, int flags,
                           long templateFile) {
        Fault f = check(Call.CREATE_FILE, access);
        if (f != null) {
            failed(f);
            return INVALID_HANDLE_VALUE;
        }
        return super.createFile(name, access, shareMode, securityAttributes, disposition, flags, templateFile);
    }

    @Override
    public boolean setHandleInformation(long handle, int mask, int flags) {
        Fault f = check(Call.SET_HANDLE_INFORMATION, flags);
        return f != null ? failed(f) : super.setHandleInformation(handle, mask, flags);
    }

    @Override
    public String currentUserSid() {
        Fault f = check(Call.CURRENT_USER_SID, 0);
        if (f != null) {
            failed(f);
            return null;
        }
        return super.currentUserSid();
    }

    @Override
    public boolean convertStringSecurityDescriptor(String sddl, long descriptorOut) {
        Fault f = check(Call.SECURITY_DESCRIPTOR, 0);
        return f != null ? failed(f) : super.convertStringSecurityDescriptor(sddl, descriptorOut);
    }

    @Override
    public long localFree(long memory) {
        check(Call.LOCAL_FREE, memory);
        return super.localFree(memory);
    }

    @Override
    public boolean initializeProcThreadAttributeList(long list, int attributeCount, long sizeInOut) {
        Fault f = check(Call.INIT_ATTRIBUTE_LIST, list);
        return f != null ? failed(f) : super.initializeProcThreadAttributeList(list, attributeCount, sizeInOut);
    }

    @Override
    public boolean updateProcThreadAttribute(long list, long attribute, long value, long size) {
        Fault f = check(Call.UPDATE_ATTRIBUTE, attribute);
        return f != null ? failed(f) : super.updateProcThreadAttribute(list, attribute, value, size);
    }

    @Override
    public void deleteProcThreadAttributeList(long list) {
        check(Call.DELETE_ATTRIBUTE_LIST, list);
        super.deleteProcThreadAttributeList(list);
    }

    @Override
    public boolean createProcess(String application, String commandLine, boolean inheritHandles, int flags,
                                 char[] environment, String directory, long startupInfo, long processInformation) {
        Fault f = check(Call.CREATE_PROCESS, 0);
        return f != null ? failed(f) : super.createProcess(application, commandLine, inheritHandles, flags, environment,
                directory, startupInfo, processInformation);
    }

    @Override
    public boolean terminateProcess(long process, int exitCode) {
        Fault f = check(Call.TERMINATE_PROCESS, process);
        return f != null ? failed(f) : super.terminateProcess(process, exitCode);
    }

    @Override
    public long createJobObject() {
        Fault f = check(Call.CREATE_JOB, 0);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.createJobObject();
    }

    @Override
    public boolean setInformationJobObject(long job, int infoClass, long info, int length) {
        Fault f = check(Call.SET_JOB_INFORMATION, job);
        return f != null ? failed(f) : super.setInformationJobObject(job, infoClass, info, length);
    }

    @Override
    public boolean queryInformationJobObject(long job, int infoClass, long info, int length, long returnLengthOut) {
        Fault f = check(Call.QUERY_JOB_INFORMATION, job);
        return f != null ? failed(f) : super.queryInformationJobObject(job, infoClass, info, length, returnLengthOut);
    }

    @Override
    public boolean assignProcessToJobObject(long job, long process) {
        Fault f = check(Call.ASSIGN_TO_JOB, job);
        return f != null ? failed(f) : super.assignProcessToJobObject(job, process);
    }

    @Override
    public boolean terminateJobObject(long job, int exitCode) {
        Fault f = check(Call.TERMINATE_JOB, job);
        return f != null ? failed(f) : super.terminateJobObject(job, exitCode);
    }

    @Override
    public int resumeThread(long thread) {
        Fault f = check(Call.RESUME_THREAD, thread);
        if (f != null) {
            failed(f);
            return -1;
        }
        return super.resumeThread(thread);
    }

    @Override
    public boolean generateConsoleCtrlEvent(int event, int processGroupId) {
        Fault f = check(Call.CONSOLE_CTRL_EVENT, processGroupId);
        return f != null ? failed(f) : super.generateConsoleCtrlEvent(event, processGroupId);
    }


    @Override
    public long getStdHandle(int which) {
        Fault f = check(Call.GET_STD_HANDLE, which);
        if (f != null) {
            failed(f);
            return INVALID_HANDLE_VALUE;
        }
        return super.getStdHandle(which);
    }

    @Override
    public long duplicateHandle(long handle) {
        Fault f = check(Call.DUPLICATE_HANDLE, handle);
        if (f != null) {
            failed(f);
            return 0;
        }
        return super.duplicateHandle(handle);
    }

    @Override
    public String systemDirectory() {
        Fault f = check(Call.SYSTEM_DIRECTORY, 0);
        if (f != null) {
            failed(f);
            return null;
        }
        return super.systemDirectory();
    }
}
