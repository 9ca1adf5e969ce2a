/* Native completion-port throughput baseline (not pass/fail). The Java library's own
 * benchmarks are compared against these numbers on the same machine (under Wine, only
 * ratios mean anything: every port operation is a wineserver round trip).
 *
 *   bench_iocp.exe [--quick] [--n N] [--bytes B] [STREAMS...]
 *
 * (a) post_dequeue: N PostQueuedCompletionStatus, dequeued with GetQueuedCompletionStatusEx
 *     in batches of 64; ns_per_op = time per post+dequeue pair.
 * (b) pipe_pump: STREAMS overlapped pipe pairs on one port and one thread; each client
 *     writes B bytes in 64 KiB writes, each server reads them with 64 KiB reads.
 *     mb_per_s uses MB = 10^6 bytes; ns_per_completion counts read and write packets. */
#include "probe.h"

#define BATCH 64
#define CHUNK (64 * 1024)

static void die(const char *what)
{
    printf("ERROR %s (GetLastError=%lu)\n", what, (unsigned long)GetLastError());
    exit(2);
}

static void bench_post_dequeue(long n)
{
    HANDLE port = new_port();
    OVERLAPPED_ENTRY e[BATCH];
    long done = 0, calls = 0;
    double t0 = now_seconds();
    while (done < n) {
        long want = n - done < BATCH ? n - done : BATCH;
        for (long i = 0; i < want; i++)
            if (!PostQueuedCompletionStatus(port, 0, done + i + 1, NULL)) die("PostQueuedCompletionStatus");
        for (long got = 0; got < want; calls++) {
            ULONG m = 0;
            if (!GetQueuedCompletionStatusEx(port, e, BATCH, &m, 10000, FALSE)) die("GetQueuedCompletionStatusEx");
            got += m;
        }
        done += want;
    }
    double s = now_seconds() - t0;
    printf("BENCH name=post_dequeue n=%ld seconds=%.3f ns_per_op=%.1f avg_batch=%.1f\n",
           n, s, s * 1e9 / n, (double)n / calls);
    fflush(stdout);
    CloseHandle(port);
}

typedef struct {
    HANDLE srv, cli;
    OVERLAPPED rov, wov;
    char *rbuf;
    long long sent, recvd;
} stream;

static const char *wbuf; /* shared source data: writes only read from it */

static void issue_read(stream *s)
{
    memset(&s->rov, 0, sizeof s->rov);
    if (!ReadFile(s->srv, s->rbuf, CHUNK, NULL, &s->rov) && GetLastError() != ERROR_IO_PENDING) die("ReadFile");
}

static void issue_write(stream *s, long long total)
{
    DWORD len = total - s->sent < CHUNK ? (DWORD)(total - s->sent) : CHUNK;
    memset(&s->wov, 0, sizeof s->wov);
    if (!WriteFile(s->cli, wbuf, len, NULL, &s->wov) && GetLastError() != ERROR_IO_PENDING) die("WriteFile");
}

static void bench_pipe_pump(int p, long long bytes)
{
    HANDLE port = new_port();
    stream *st = calloc(p, sizeof *st);
    for (int i = 0; i < p; i++) {
        if (pipe_pair(&st[i].srv, &st[i].cli)) die("pipe_pair");
        if (CreateIoCompletionPort(st[i].srv, port, i, 0) != port ||
            CreateIoCompletionPort(st[i].cli, port, i, 0) != port) die("CreateIoCompletionPort");
        if (!(st[i].rbuf = malloc(CHUNK))) die("malloc");
    }

    OVERLAPPED_ENTRY e[BATCH];
    long long completions = 0, calls = 0;
    int finished = 0;
    double t0 = now_seconds();
    for (int i = 0; i < p; i++) {
        issue_read(&st[i]);
        if (bytes > 0) issue_write(&st[i], bytes);
        else finished++;
    }
    while (finished < p) {
        ULONG m = 0;
        if (!GetQueuedCompletionStatusEx(port, e, BATCH, &m, 10000, FALSE)) die("GetQueuedCompletionStatusEx");
        calls++;
        for (ULONG j = 0; j < m; j++) {
            stream *s = &st[e[j].lpCompletionKey];
            /* The I/O status is the 32-bit NTSTATUS in the OVERLAPPED's Internal field
             * (OVERLAPPED_ENTRY.Internal is reserved; Wine leaves its upper half stale). */
            if ((DWORD)e[j].lpOverlapped->Internal != 0) die("I/O failed");
            completions++;
            if (e[j].lpOverlapped == &s->rov) {
                s->recvd += e[j].dwNumberOfBytesTransferred;
                if (s->recvd < bytes) issue_read(s);
                else finished++;
            } else {
                s->sent += e[j].dwNumberOfBytesTransferred;
                if (s->sent < bytes) issue_write(s, bytes);
            }
        }
    }
    double s = now_seconds() - t0;
    long long total = bytes * p;
    printf("BENCH name=pipe_pump streams=%d bytes=%lld seconds=%.3f mb_per_s=%.1f ns_per_completion=%.1f "
           "completions=%lld avg_batch=%.1f\n",
           p, total, s, total / 1e6 / s, s * 1e9 / completions, completions, (double)completions / calls);
    fflush(stdout);
    for (int i = 0; i < p; i++) CloseHandle(st[i].cli), CloseHandle(st[i].srv), free(st[i].rbuf);
    free(st);
    CloseHandle(port);
}

int main(int argc, char **argv)
{
    long n = 200000;
    long long bytes = 1 << 20;
    int streams[16], nstreams = 0, quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1, n = 20000, bytes = 256 << 10;
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--bytes") && i + 1 < argc) bytes = atoll(argv[++i]);
        else if (atoi(argv[i]) > 0 && nstreams < 16) streams[nstreams++] = atoi(argv[i]);
        else return fprintf(stderr, "usage: %s [--quick] [--n N] [--bytes B] [STREAMS...]\n", argv[0]), 2;
    }
    if (!nstreams) {
        int def[] = {10, 100, 1000};
        for (int i = 0; i < (quick ? 2 : 3); i++) streams[nstreams++] = def[i];
    }
    char *src = malloc(CHUNK);
    for (int i = 0; i < CHUNK; i++) src[i] = (char)i;
    wbuf = src;

    bench_post_dequeue(n);
    for (int i = 0; i < nstreams; i++) bench_pipe_pump(streams[i], bytes);
    return 0;
}
