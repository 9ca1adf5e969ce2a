/* Native launch-rate baseline for multiwait-bench's launch scenario (not pass/fail): the same
 * launch ChildProcess.start does, in C. Per launch: three named pipes (the parent's end
 * overlapped, the child's synchronous and non-inheritable), the child's ends made inheritable,
 * CreateProcessW with PROC_THREAD_ATTRIBUTE_HANDLE_LIST and CREATE_SUSPENDED |
 * CREATE_NEW_PROCESS_GROUP, the process assigned to a job (KILL_ON_JOB_CLOSE) and resumed,
 * the child's ends closed. Only that is timed; reading to end of stream and the exit wait are not.
 *
 *   bench_launch.exe --child EXE [--launches N] [--warmup W] [ARGS...]
 *
 * Prints one line per measured launch: LAUNCH contender=native ms=...  */
#include "probe.h"

static void die(const char *what)
{
    printf("ERROR %s (GetLastError=%lu)\n", what, (unsigned long)GetLastError());
    fflush(stdout);
    exit(1);
}

/* ChildPipes.create: an overlapped first-instance server for the parent, a synchronous client for the child. */
static void child_pipe(int parent_writes, HANDLE *parent, HANDLE *child)
{
    static LONG counter;
    wchar_t name[96];
    swprintf(name, 96, L"\\\\.\\pipe\\mw-bench-launch-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             InterlockedIncrement(&counter));
    *parent = CreateNamedPipeW(name, (parent_writes ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND)
                               | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                               PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                               1, 65536, 65536, 0, NULL);
    if (*parent == INVALID_HANDLE_VALUE) die("CreateNamedPipeW");
    *child = CreateFileW(name, parent_writes ? GENERIC_READ | FILE_WRITE_ATTRIBUTES : GENERIC_WRITE | FILE_READ_ATTRIBUTES,
                         0, NULL, OPEN_EXISTING, SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (*child == INVALID_HANDLE_VALUE) die("CreateFileW (child end)");
}

int wmain(int argc, wchar_t **argv)
{
    const wchar_t *child = NULL;
    int launches = 20, warmup = 3, i = 1;
    for (; i < argc; i++) {
        if (!wcscmp(argv[i], L"--child") && i + 1 < argc) child = argv[++i];
        else if (!wcscmp(argv[i], L"--launches") && i + 1 < argc) launches = _wtoi(argv[++i]);
        else if (!wcscmp(argv[i], L"--warmup") && i + 1 < argc) warmup = _wtoi(argv[++i]);
        else break;
    }
    if (!child) { printf("usage: bench_launch.exe --child EXE [--launches N] [--warmup W] [ARGS...]\n"); return 2; }
    wchar_t cmd[4096];
    swprintf(cmd, 4096, L"\"%ls\"", child);
    for (; i < argc; i++) { wcscat(cmd, L" "); wcscat(cmd, argv[i]); }

    HANDLE job = CreateJobObjectW(NULL, NULL);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limit = {0};
    limit.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!job || !SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limit, sizeof limit)) die("job");
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    for (int n = 0; n < warmup + launches; n++) {
        double t0 = now_seconds();
        HANDLE parent[3], ends[3];
        for (int k = 0; k < 3; k++) child_pipe(k == 0, &parent[k], &ends[k]);
        LPPROC_THREAD_ATTRIBUTE_LIST list = HeapAlloc(GetProcessHeap(), 0, size);
        if (!InitializeProcThreadAttributeList(list, 1, 0, &size)) die("InitializeProcThreadAttributeList");
        if (!UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, ends, sizeof ends, NULL, NULL))
            die("UpdateProcThreadAttribute");
        STARTUPINFOEXW si = {0};
        si.StartupInfo.cb = sizeof si;
        si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
        si.StartupInfo.hStdInput = ends[0];
        si.StartupInfo.hStdOutput = ends[1];
        si.StartupInfo.hStdError = ends[2];
        si.lpAttributeList = list;
        PROCESS_INFORMATION pi;
        for (int k = 0; k < 3; k++) SetHandleInformation(ends[k], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
        wchar_t line[4096];
        wcscpy(line, cmd);
        if (!CreateProcessW(NULL, line, NULL, NULL, TRUE, EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW
                            | CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP, NULL, NULL, &si.StartupInfo, &pi))
            die("CreateProcessW");
        for (int k = 0; k < 3; k++) SetHandleInformation(ends[k], HANDLE_FLAG_INHERIT, 0);
        DeleteProcThreadAttributeList(list);
        HeapFree(GetProcessHeap(), 0, list);
        if (!AssignProcessToJobObject(job, pi.hProcess)) die("AssignProcessToJobObject");
        if (ResumeThread(pi.hThread) == (DWORD)-1) die("ResumeThread");
        CloseHandle(pi.hThread);
        for (int k = 0; k < 3; k++) CloseHandle(ends[k]);
        double ms = (now_seconds() - t0) * 1000;
        if (n >= warmup) { printf("LAUNCH contender=native ms=%.3f\n", ms); fflush(stdout); }
        /* Untimed: the child exits at once; wait for it, then drop our ends. */
        WaitForSingleObject(pi.hProcess, 30000);
        CloseHandle(pi.hProcess);
        for (int k = 0; k < 3; k++) CloseHandle(parent[k]);
    }
    CloseHandle(job);
    return 0;
}
