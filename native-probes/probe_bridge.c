/* Wait bridge: handles that cannot join a port (events, processes) are watched by a
 * thread-pool wait whose callback posts a packet to the port. This is multiwait's
 * fallback for non-I/O handles, so it must deliver exactly one packet per
 * registration (WT_EXECUTEONLYONCE) and leave the process exit code readable. */
#include "probe.h"

typedef struct {
    HANDLE port;
    ULONG_PTR key;
} bridge;

/* Runs on a pool thread when the handle is signaled: hand over to the port's loop. */
static VOID CALLBACK bridge_callback(PVOID ctx, BOOLEAN timed_out)
{
    bridge *b = ctx;
    PostQueuedCompletionStatus(b->port, 0, b->key, NULL);
}

static double set_time;
static DWORD WINAPI set_later(LPVOID ev)
{
    Sleep(50);
    set_time = now_seconds();
    SetEvent(ev);
    return 0;
}

static void check_bridge_packet(const char *name, packet p, ULONG_PTR key)
{
    CHECK(name, p.ok && p.key == key && p.ov == NULL && p.bytes == 0,
          "ok=%d err=%lu key=%llu ov=%p bytes=%lu, want key %llu", p.ok, p.err,
          (unsigned long long)p.key, (void *)p.ov, p.bytes, (unsigned long long)key);
}

int main(void)
{
    HANDLE port = new_port(), wait = NULL;
    packet p;

    /* (a) An event set by another thread. Manual-reset, so it stays signaled: a second
     * packet would show that WT_EXECUTEONLYONCE was not honoured. */
    HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    bridge be = {port, 0xE7};
    BOOL r = RegisterWaitForSingleObject(&wait, ev, bridge_callback, &be, INFINITE, WT_EXECUTEONLYONCE);
    CHECK("bridge_event_register", r, "RegisterWaitForSingleObject failed");
    p = dequeue(port, 20);
    CHECK("bridge_event_no_packet_before_set", p.err == WAIT_TIMEOUT, "early packet ok=%d err=%lu", p.ok, p.err);
    HANDLE th = CreateThread(NULL, 0, set_later, ev, 0, NULL);
    p = dequeue(port, 5000);
    double latency_ms = (now_seconds() - set_time) * 1e3;
    check_bridge_packet("bridge_event_packet", p, 0xE7);
    INFO("bridge_event_latency_ms=%.3f", latency_ms);
    p = dequeue(port, 100);
    CHECK("bridge_event_once_only", p.err == WAIT_TIMEOUT, "second packet ok=%d err=%lu", p.ok, p.err);
    /* INVALID_HANDLE_VALUE: block until any running callback has returned (never call
     * this from the callback itself). After it, the bridge state may be freed. */
    r = UnregisterWaitEx(wait, INVALID_HANDLE_VALUE);
    CHECK("bridge_event_unregister", r, "UnregisterWaitEx failed");
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    CloseHandle(ev);

    /* (b) A child process exit; its exit code stays readable after the packet. */
    wchar_t cmd[] = L"cmd.exe /c exit 7"; /* CreateProcessW may write to the command line */
    STARTUPINFOW si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    r = CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi);
    CHECK("bridge_process_spawned", r, "CreateProcessW(cmd.exe /c exit 7) failed");
    if (!r) return probe_exit();
    CloseHandle(pi.hThread);
    bridge bp = {port, 0x9C};
    r = RegisterWaitForSingleObject(&wait, pi.hProcess, bridge_callback, &bp, INFINITE, WT_EXECUTEONLYONCE);
    CHECK("bridge_process_register", r, "RegisterWaitForSingleObject failed");
    check_bridge_packet("bridge_process_exit_packet", dequeue(port, 30000), 0x9C);
    DWORD code = 0;
    r = GetExitCodeProcess(pi.hProcess, &code);
    CHECK("bridge_process_exit_code_7", r && code == 7, "GetExitCodeProcess %d code %lu", r, code);
    r = UnregisterWaitEx(wait, INVALID_HANDLE_VALUE);
    CHECK("bridge_process_unregister", r, "UnregisterWaitEx failed");
    CloseHandle(pi.hProcess);

    /* Handles of these kinds cannot join a port at all (why the bridge exists): 6. */
    HANDLE ev2 = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE h = CreateIoCompletionPort(ev2, port, 1, 0);
    DWORD err = GetLastError();
    CHECK("bridge_event_associate_fails_6", h == NULL && err == ERROR_INVALID_HANDLE,
          "CreateIoCompletionPort(event) returned %p error %lu, want NULL and 6", (void *)h, err);
    CloseHandle(ev2);

    CloseHandle(port);
    return probe_exit();
}
