/* WaitForMultipleObjects is capped at MAXIMUM_WAIT_OBJECTS (64) handles. This cap is
 * why multiwait is built on a completion port rather than on WFMO: anything waiting on
 * more than 64 handles must use a port (or shard the wait over threads). */
#include "probe.h"

#define N 65

int main(void)
{
    HANDLE ev[N];
    for (int i = 0; i < N; i++) ev[i] = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetEvent(ev[10]);

    /* 65 handles: rejected with ERROR_INVALID_PARAMETER, no wait happens. */
    SetLastError(0);
    DWORD r = WaitForMultipleObjects(N, ev, FALSE, 0);
    DWORD err = GetLastError();
    CHECK("wfmo_65_handles_fails_87", r == WAIT_FAILED && err == ERROR_INVALID_PARAMETER,
          "returned %lu, error %lu, want WAIT_FAILED and 87", r, err);

    /* 64 handles: works and reports the lowest signaled index. */
    r = WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, ev, FALSE, 0);
    CHECK("wfmo_64_handles_any", r == WAIT_OBJECT_0 + 10, "returned %lu, want %lu", r,
          (DWORD)(WAIT_OBJECT_0 + 10));

    /* 64 handles, wait-all: times out while only one is set, succeeds once all are. */
    r = WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, ev, TRUE, 0);
    CHECK("wfmo_64_handles_all_timeout", r == WAIT_TIMEOUT, "returned %lu, want 258", r);
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) SetEvent(ev[i]);
    r = WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, ev, TRUE, 0);
    CHECK("wfmo_64_handles_all", r == WAIT_OBJECT_0, "returned %lu, want 0", r);

    for (int i = 0; i < N; i++) CloseHandle(ev[i]);
    return probe_exit();
}
