/* Job objects, process groups and console control events under this Win32. */
#include "probe.h"

static wchar_t self[MAX_PATH];

static HANDLE spawn(const wchar_t *args, DWORD flags, LPPROC_THREAD_ATTRIBUTE_LIST attrs, HANDLE *thread) {
    wchar_t cmd[1024];
    swprintf(cmd, 1024, L"\"%ls\" %ls", self, args);
    STARTUPINFOEXW si; memset(&si, 0, sizeof si);
    si.StartupInfo.cb = attrs ? sizeof si : sizeof si.StartupInfo;
    si.lpAttributeList = attrs;
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, flags | (attrs ? EXTENDED_STARTUPINFO_PRESENT : 0), NULL, NULL, &si.StartupInfo, &pi)) return NULL;
    if (thread) *thread = pi.hThread; else CloseHandle(pi.hThread);
    return pi.hProcess;
}

static int count_in_job(HANDLE job, ULONG_PTR *pids, int max) {
    struct { JOBOBJECT_BASIC_PROCESS_ID_LIST h; ULONG_PTR more[256]; } list;
    memset(&list, 0, sizeof list);
    if (!QueryInformationJobObject(job, JobObjectBasicProcessIdList, &list, sizeof list, NULL)) return -1;
    for (int i = 0; i < (int) list.h.NumberOfProcessIdsInList && i < max; i++) pids[i] = list.h.ProcessIdList[i];
    return (int) list.h.NumberOfProcessIdsInList;
}

static int alive(DWORD pid) {
    HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!h) return 0;
    DWORD r = WaitForSingleObject(h, 0);
    CloseHandle(h);
    return r == WAIT_TIMEOUT;
}

static volatile LONG got_break;
static BOOL WINAPI on_ctrl(DWORD type) { got_break = (LONG) type + 1; return TRUE; }

int main(int argc, char **argv) {
    GetModuleFileNameW(NULL, self, MAX_PATH);
    if (argc > 1 && !strcmp(argv[1], "sleep")) { Sleep(30000); return 7; }
    if (argc > 1 && !strcmp(argv[1], "exit")) return 0;
    if (argc > 2 && !strcmp(argv[1], "spawn")) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) { HANDLE p = spawn(L"sleep", 0, NULL, NULL); if (p) CloseHandle(p); }
        Sleep(30000); return 8;
    }
    if (argc > 1 && !strcmp(argv[1], "ctrl")) {
        SetConsoleCtrlHandler(on_ctrl, TRUE);
        for (int i = 0; i < 300 && !got_break; i++) Sleep(10);
        return got_break ? 100 + (int) got_break : 9;
    }
    INFO("has console: %d", GetConsoleWindow() != NULL || GetStdHandle(STD_INPUT_HANDLE) != NULL);

    HANDLE job = CreateJobObjectW(NULL, NULL);
    CHECK("CreateJobObject", job != NULL, "null");
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim; memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    BOOL ok = SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim);
    CHECK("kill-on-close limit", ok, "SetInformationJobObject failed");

    HANDLE thread;
    LARGE_INTEGER t0, t1, f; QueryPerformanceFrequency(&f); QueryPerformanceCounter(&t0);
    HANDLE child = spawn(L"spawn 3", CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW, NULL, &thread);
    ok = AssignProcessToJobObject(job, child);
    CHECK("assign suspended child", ok, "AssignProcessToJobObject");
    ResumeThread(thread); CloseHandle(thread);
    QueryPerformanceCounter(&t1);
    INFO("suspended+assign+resume launch ms: %.2f", (t1.QuadPart - t0.QuadPart) * 1000.0 / f.QuadPart);
    Sleep(1500);
    ULONG_PTR pids[64];
    int n = count_in_job(job, pids, 64);
    /* 4 = the child and its 3 grandchildren; Wine adds the hidden console's conhost.exe of a CREATE_NO_WINDOW child */
    CHECK("grandchildren join the job", n >= 4, "%d processes in job", n);
    INFO("processes in the job: %d (child + 3 grandchildren%s)", n, n > 4 ? " + conhost" : "");

    /* nested job for the child */
    HANDLE inner = CreateJobObjectW(NULL, NULL);
    ok = AssignProcessToJobObject(inner, child);
    DWORD nestErr = GetLastError();
    CHECK("nested job (a running process already in a job joins a second one)", ok, "error %lu", nestErr);
    if (ok) {
        ULONG_PTR ip[64]; int inn = count_in_job(inner, ip, 64);
        INFO("processes in inner job after nesting: %d (grandchildren already running are not moved on Windows either)", inn);
    }
    BOOL inJob = FALSE; IsProcessInJob(child, job, &inJob);
    CHECK("IsProcessInJob", inJob, "not in job");

    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION acc;
    ok = QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &acc, sizeof acc, NULL);
    INFO("accounting ok=%d active=%lu total=%lu", ok, acc.ActiveProcesses, acc.TotalProcesses);

    /* PROC_THREAD_ATTRIBUTE_JOB_LIST */
    SIZE_T sz = 0; InitializeProcThreadAttributeList(NULL, 1, 0, &sz);
    LPPROC_THREAD_ATTRIBUTE_LIST al = malloc(sz);
    InitializeProcThreadAttributeList(al, 1, 0, &sz);
    HANDLE job2 = CreateJobObjectW(NULL, NULL);
    ok = UpdateProcThreadAttribute(al, 0, 0x2000D /* PROC_THREAD_ATTRIBUTE_JOB_LIST */, &job2, sizeof job2, NULL, NULL);
    INFO("UpdateProcThreadAttribute(JOB_LIST) ok=%d error=%lu", ok, GetLastError());
    if (ok) {
        HANDLE c2 = spawn(L"sleep", CREATE_NO_WINDOW, al, NULL);
        INFO("CreateProcess with JOB_LIST: %s error=%lu", c2 ? "created" : "failed", GetLastError());
        if (c2) {
            BOOL in2 = FALSE; IsProcessInJob(c2, job2, &in2);
            INFO("JOB_LIST child in job: %d", in2);
            TerminateProcess(c2, 1); CloseHandle(c2);
        }
    }
    DeleteProcThreadAttributeList(al); free(al); CloseHandle(job2);

    /* Console control event to the child's group */
    HANDLE th2;
    HANDLE cc = spawn(L"ctrl", CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW, NULL, &th2);
    CloseHandle(th2);
    Sleep(500);
    ok = GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetProcessId(cc));
    INFO("GenerateConsoleCtrlEvent(CTRL_BREAK, child group, child has no console) ok=%d error=%lu", ok, GetLastError());
    WaitForSingleObject(cc, 10000);
    DWORD code = 0; GetExitCodeProcess(cc, &code);
    INFO("ctrl child (no console) exit code %lu (102 = got CTRL_BREAK, 9 = nothing)", code);
    CloseHandle(cc);
    cc = spawn(L"ctrl", CREATE_NEW_PROCESS_GROUP, NULL, &th2);
    CloseHandle(th2);
    Sleep(500);
    ok = GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetProcessId(cc));
    INFO("GenerateConsoleCtrlEvent(CTRL_BREAK, child group, shares console) ok=%d error=%lu", ok, GetLastError());
    WaitForSingleObject(cc, 10000);
    GetExitCodeProcess(cc, &code);
    INFO("ctrl child (shared console) exit code %lu", code);
    CloseHandle(cc);

    /* TerminateJobObject on the inner job */
    if (inner) {
        ok = TerminateJobObject(inner, 1);
        INFO("TerminateJobObject(inner) ok=%d error=%lu", ok, GetLastError());
        Sleep(300);
        INFO("child alive after inner terminate: %d", alive(GetProcessId(child)));
    }
    /* Close the outer job */
    CloseHandle(job);
    Sleep(1000);
    int survivors = 0;
    for (int i = 0; i < n && i < 64; i++) survivors += alive((DWORD) pids[i]);
    CHECK("closing the job ends every process", survivors == 0, "%d survivors", survivors);
    CloseHandle(child);
    if (inner) CloseHandle(inner);

    /* nested: fresh outer job, child in it, then inner job for the child BEFORE grandchildren spawn */
    HANDLE outer = CreateJobObjectW(NULL, NULL);
    SetInformationJobObject(outer, JobObjectExtendedLimitInformation, &lim, sizeof lim);
    HANDLE in3 = CreateJobObjectW(NULL, NULL);
    HANDLE ch3 = spawn(L"spawn 2", CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL, &thread);
    BOOL a1 = AssignProcessToJobObject(outer, ch3);
    BOOL a2 = AssignProcessToJobObject(in3, ch3);
    INFO("suspended child: outer assign %d, inner assign %d (error %lu)", a1, a2, GetLastError());
    ResumeThread(thread); CloseHandle(thread);
    Sleep(1500);
    ULONG_PTR p3[64];
    int n3 = count_in_job(outer, p3, 64);
    ULONG_PTR q3[64];
    int m3 = count_in_job(in3, q3, 64);
    INFO("outer has %d, inner has %d", n3, m3);
    if (a2) {
        TerminateJobObject(in3, 1);
        Sleep(500);
        int s = 0; for (int i = 0; i < n3; i++) s += alive((DWORD) p3[i]);
        CHECK("TerminateJobObject(inner) ends the child and the grandchildren it started later", s == 0, "%d of %d alive", s, n3);
    }
    CloseHandle(outer); CloseHandle(in3); CloseHandle(ch3);
    Sleep(500);
    int s = 0; for (int i = 0; i < n3; i++) s += alive((DWORD) p3[i]);
    CHECK("second job closed: no survivors", s == 0, "%d alive", s);
    /* Launch cost: plain CreateProcess vs suspended + 2 jobs + resume (what ChildProcess does). */
    double plain = 0, placed = 0;
    for (int i = 0; i < 20; i++) {
        QueryPerformanceCounter(&t0);
        HANDLE p = spawn(L"exit", CREATE_NO_WINDOW, NULL, NULL);
        QueryPerformanceCounter(&t1);
        plain += (t1.QuadPart - t0.QuadPart) * 1000.0 / f.QuadPart;
        WaitForSingleObject(p, 5000); CloseHandle(p);
        HANDLE a = CreateJobObjectW(NULL, NULL), b = CreateJobObjectW(NULL, NULL);
        QueryPerformanceCounter(&t0);
        p = spawn(L"exit", CREATE_NO_WINDOW | CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP, NULL, &thread);
        AssignProcessToJobObject(a, p); AssignProcessToJobObject(b, p); ResumeThread(thread);
        QueryPerformanceCounter(&t1);
        placed += (t1.QuadPart - t0.QuadPart) * 1000.0 / f.QuadPart;
        CloseHandle(thread); WaitForSingleObject(p, 5000); CloseHandle(p); CloseHandle(a); CloseHandle(b);
    }
    INFO("launch ms (mean of 20): plain %.2f, suspended + 2 jobs + resume %.2f", plain / 20, placed / 20);
    return probe_exit();
}
