/* GetQueuedCompletionStatusEx: multiwait dequeues in batches to amortise the kernel
 * (or wineserver) round trip. Every posted packet must come out exactly once with its
 * key, OVERLAPPED and byte count, however the port splits them into batches, and an
 * empty port must time out with 258 (WAIT_TIMEOUT) so the loop can run its timers. */
#include "probe.h"

#define POSTED 50
#define BATCH 64

int main(void)
{
    HANDLE port = new_port();
    static OVERLAPPED ov[POSTED];
    OVERLAPPED_ENTRY e[BATCH];
    int seen[POSTED] = {0}, posted = 0;

    /* keys 1..50, bytes = 10 * key, OVERLAPPED = &ov[key - 1] */
    for (int i = 0; i < POSTED; i++)
        posted += PostQueuedCompletionStatus(port, 10 * (i + 1), i + 1, &ov[i]) != 0;
    CHECK("gqcsex_post_50", posted == POSTED, "%d of %d posts succeeded", posted, POSTED);

    int got = 0, bad = 0, calls = 0, first = 0, in_order = 1;
    while (got + bad < POSTED) {
        ULONG n = 0;
        if (!GetQueuedCompletionStatusEx(port, e, BATCH, &n, 1000, FALSE)) break;
        if (calls++ == 0) first = (int)n;
        for (ULONG j = 0; j < n; j++) {
            size_t k = e[j].lpCompletionKey - 1;
            if (k < POSTED && !seen[k] && e[j].lpOverlapped == &ov[k] &&
                e[j].dwNumberOfBytesTransferred == 10 * (k + 1))
                seen[k] = 1, got++;
            else
                bad++;
            if ((int)k != got + bad - 1) in_order = 0;
        }
    }
    CHECK("gqcsex_batch_nonempty", first >= 1, "first call returned %d entries", first);
    CHECK("gqcsex_all_50_once_right_keys", got == POSTED && bad == 0,
          "%d good, %d bad/duplicate entries in %d calls", got, bad, calls);
    INFO("gqcsex_first_batch=%d calls=%d fifo=%d", first, calls, in_order);

    /* Asking for fewer than queued leaves the rest for the next call. */
    for (int i = 0; i < 3; i++) PostQueuedCompletionStatus(port, 0, 100 + i, NULL);
    ULONG n1 = 0, n2 = 0, more = 0;
    BOOL r1 = GetQueuedCompletionStatusEx(port, e, 1, &n1, 0, FALSE);
    while (n2 < 2 && GetQueuedCompletionStatusEx(port, e, BATCH, &more, 1000, FALSE)) n2 += more;
    CHECK("gqcsex_count_1_leaves_rest", r1 && n1 == 1 && n2 == 2,
          "first call r=%d n=%lu, then %lu more; want 1 then 2", r1, n1, n2);

    /* GetQueuedCompletionStatusEx has no per-entry error: a failed I/O comes back as an
     * ordinary entry. Its status is the NTSTATUS in the OVERLAPPED's Internal field (read
     * it, or call GetOverlappedResult); OVERLAPPED_ENTRY.Internal is reserved. NTSTATUS
     * is 32 bits and Wine writes only the low half of these 64-bit fields: mask. */
    HANDLE srv = NULL, cli = NULL;
    char buf[16];
    OVERLAPPED rov = {0};
    CHECK("gqcsex_pipe_pair", pipe_pair(&srv, &cli) == 0, "pipe_pair failed");
    CreateIoCompletionPort(srv, port, 77, 0);
    ReadFile(srv, buf, sizeof buf, NULL, &rov);
    CancelIoEx(srv, &rov);
    ULONG m = 0;
    BOOL ok = GetQueuedCompletionStatusEx(port, e, BATCH, &m, 5000, FALSE);
    CHECK("gqcsex_failed_io_is_plain_entry", ok && m == 1 && e[0].lpOverlapped == &rov &&
          e[0].lpCompletionKey == 77 && e[0].dwNumberOfBytesTransferred == 0,
          "ok=%d n=%lu ov=%p key=%llu", ok, m, (void *)e[0].lpOverlapped,
          (unsigned long long)e[0].lpCompletionKey);
    CHECK("gqcsex_failed_io_status_in_overlapped", (DWORD)rov.Internal == 0xC0000120 /* STATUS_CANCELLED */,
          "OVERLAPPED.Internal=%#llx", (unsigned long long)rov.Internal);
    DWORD moved = 99;
    ok = GetOverlappedResult(srv, &rov, &moved, FALSE);
    DWORD err = GetLastError();
    CHECK("gqcsex_failed_io_getoverlappedresult_995", !ok && err == ERROR_OPERATION_ABORTED && moved == 0,
          "GetOverlappedResult returned %d error %lu bytes %lu", ok, err, moved);
    INFO("gqcsex_entry_internal=%#llx low32=%#lx (reserved field)", (unsigned long long)e[0].Internal,
         (unsigned long)(DWORD)e[0].Internal);
    CloseHandle(cli);
    CloseHandle(srv);

    /* Empty port: FALSE with 258 after about the timeout. */
    ULONG n = 99;
    double t0 = now_seconds();
    BOOL r = GetQueuedCompletionStatusEx(port, e, BATCH, &n, 50, FALSE);
    err = GetLastError();
    double waited_ms = (now_seconds() - t0) * 1e3;
    CHECK("gqcsex_empty_timeout_258", !r && err == WAIT_TIMEOUT,
          "returned %d error %lu n=%lu, want FALSE and 258", r, err, n);
    CHECK("gqcsex_timeout_waited", waited_ms >= 40 && waited_ms < 2000, "waited %.1f ms for a 50 ms timeout", waited_ms);
    INFO("gqcsex_timeout_50ms_waited_ms=%.1f", waited_ms);

    /* Plain GetQueuedCompletionStatus on an empty port: FALSE, 258, OVERLAPPED NULL. */
    packet p = dequeue(port, 0);
    CHECK("gqcs_empty_timeout_258", !p.ok && p.err == WAIT_TIMEOUT && p.ov == NULL,
          "ok=%d err=%lu ov=%p", p.ok, p.err, (void *)p.ov);

    CloseHandle(port);
    return probe_exit();
}
