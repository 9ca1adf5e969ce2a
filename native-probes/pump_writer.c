/* The one producer every pipe-pump contender reads from (multiwait-bench, scenario 2).
 *
 *   pump_writer.exe PREFIX STREAMS BYTES [CHUNK]
 *
 * Creates STREAMS named pipe server ends \\.\pipe\PREFIX-<i> (byte mode, duplex, overlapped,
 * 64 KiB buffers each way: the same pipes OverlappedPipe and bench_iocp make, first instance,
 * local clients only), prints "ready", waits for a client on every one, then reads one line
 * (any text) from stdin: that is "go". It then writes BYTES to every pipe in CHUNK-byte writes
 * (default 64 KiB), one overlapped write in flight per pipe, all on one completion port and one
 * thread, and closes each server end after its last write completed; the reader sees end of
 * stream (109) after the last byte. Finally prints
 *   WRITER streams=N bytes=TOTAL seconds=S completions=C
 * and exits 0 (2 on any error, with a line saying which call failed).
 *
 * Because the writer is a separate process that does exactly the same thing whatever reads the
 * other ends, every contender (multiwait, thread-per-stream, WaitForMultipleObjects, the native
 * completion-port reader) gets the same bytes from the same producer; only the reading differs.
 * The data is a fixed pattern: readers count bytes (and must get exactly BYTES per stream).
 */
#include "probe.h"

#define BATCH 64

typedef struct {
    HANDLE h;
    OVERLAPPED ov;
    long long sent;
    int phase; /* 0 = waiting for a client, 1 = writing, 2 = closed */
} wstream;

static void die(const char *what, long i)
{
    printf("ERROR pump_writer: %s (stream %ld, GetLastError=%lu)\n", what, i, (unsigned long)GetLastError());
    fflush(stdout);
    ExitProcess(2);
}

static char *src;
static DWORD chunk = 64 * 1024;
static long long bytes;

static void issue_write(wstream *s, long i)
{
    long long left = bytes - s->sent;
    DWORD len = left < chunk ? (DWORD)left : chunk;
    memset(&s->ov, 0, sizeof s->ov);
    if (!WriteFile(s->h, src, len, NULL, &s->ov) && GetLastError() != ERROR_IO_PENDING) die("WriteFile", i);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PREFIX STREAMS BYTES [CHUNK]\n", argv[0]);
        return 2;
    }
    const char *prefix = argv[1];
    long n = atol(argv[2]);
    bytes = atoll(argv[3]);
    if (argc > 4) chunk = (DWORD)atol(argv[4]);
    if (n <= 0 || bytes < 0 || chunk == 0) return fprintf(stderr, "pump_writer: bad arguments\n"), 2;

    src = malloc(chunk);
    for (DWORD i = 0; i < chunk; i++) src[i] = (char)(i * 31 + 7);
    wstream *st = calloc(n, sizeof *st);
    HANDLE port = new_port();
    if (!port || !st || !src) die("setup", -1);

    int connected = 0;
    for (long i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof name, "\\\\.\\pipe\\%s-%ld", prefix, i);
        st[i].h = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                   PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                   1, 64 * 1024, 64 * 1024, 0, NULL);
        if (st[i].h == INVALID_HANDLE_VALUE) die("CreateNamedPipe", i);
        if (CreateIoCompletionPort(st[i].h, port, (ULONG_PTR)i, 0) != port) die("CreateIoCompletionPort", i);
        if (ConnectNamedPipe(st[i].h, &st[i].ov)) {
            die("ConnectNamedPipe returned TRUE", i); /* overlapped: never expected */
        } else if (GetLastError() == ERROR_PIPE_CONNECTED) {
            st[i].phase = 1, connected++;
        } else if (GetLastError() != ERROR_IO_PENDING) {
            die("ConnectNamedPipe", i);
        }
    }
    printf("ready\n");
    fflush(stdout);

    OVERLAPPED_ENTRY e[BATCH];
    while (connected < n) {
        ULONG m = 0;
        if (!GetQueuedCompletionStatusEx(port, e, BATCH, &m, 120000, FALSE)) die("waiting for clients", connected);
        for (ULONG j = 0; j < m; j++) {
            long i = (long)e[j].lpCompletionKey;
            if ((DWORD)e[j].lpOverlapped->Internal != 0) die("ConnectNamedPipe completed with an error", i);
            st[i].phase = 1;
            connected++;
        }
    }

    /* go: one line on stdin (the reader has opened every client end and is ready to read) */
    char line[64];
    DWORD got = 0;
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    if (!ReadFile(in, line, sizeof line, &got, NULL) || got == 0) die("reading go from stdin", -1);

    double t0 = now_seconds();
    long long completions = 0;
    long finished = 0;
    for (long i = 0; i < n; i++) {
        if (bytes > 0) {
            issue_write(&st[i], i);
        } else {
            CloseHandle(st[i].h), st[i].phase = 2, finished++;
        }
    }
    while (finished < n) {
        ULONG m = 0;
        if (!GetQueuedCompletionStatusEx(port, e, BATCH, &m, 120000, FALSE)) die("GetQueuedCompletionStatusEx", finished);
        for (ULONG j = 0; j < m; j++) {
            long i = (long)e[j].lpCompletionKey;
            wstream *s = &st[i];
            if ((DWORD)e[j].lpOverlapped->Internal != 0) die("WriteFile completed with an error", i);
            completions++;
            s->sent += e[j].dwNumberOfBytesTransferred;
            if (s->sent < bytes) {
                issue_write(s, i);
            } else {
                /* Closing (not DisconnectNamedPipe, which would discard unread data): the reader
                 * still gets what is buffered, then end of stream. */
                CloseHandle(s->h);
                s->phase = 2;
                finished++;
            }
        }
    }
    double secs = now_seconds() - t0;
    printf("WRITER streams=%ld bytes=%lld seconds=%.3f completions=%lld\n", n, bytes * n, secs, completions);
    fflush(stdout);
    return 0;
}
