/* Native completion-port throughput baseline (not pass/fail). The Java library's own
 * benchmarks are compared against these numbers on the same machine (under Wine, only
 * ratios mean anything: every port operation is a wineserver round trip).
 *
 *   bench_iocp.exe [--quick] [--n N] [--bytes B] [STREAMS...]
 *   bench_iocp.exe --writer PUMP_WRITER_EXE [--bytes B] [--reps R] [--warmup W]
 *                  [--warmup-streams WN] [--warmup-bytes WB] [STREAMS...]
 *
 * With --writer, only (c) runs: the native contender of multiwait-bench's pipe pump.
 *
 * (a) post_dequeue: N PostQueuedCompletionStatus, dequeued with GetQueuedCompletionStatusEx
 *     in batches of 64; ns_per_op = time per post+dequeue pair.
 * (b) pipe_pump: STREAMS overlapped pipe pairs on one port and one thread; each client
 *     writes B bytes in 64 KiB writes, each server reads them with 64 KiB reads.
 *     mb_per_s uses MB = 10^6 bytes; ns_per_completion counts read and write packets.
 * (c) pump (--writer): STREAMS pipes fed by a separate pump_writer.exe process (the producer
 *     every contender of multiwait-bench reads from), read on one port and one thread with
 *     64 KiB reads, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (a read that finds data is handled at
 *     once, no packet), until end of stream. Timed from "go" to the last end of stream;
 *     ns_per_completion = wall time / finished reads (end of stream included). */
#include "probe.h"
#include <psapi.h>
#include <tlhelp32.h>

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


/* ---- (c) pump from an external writer ---- */

typedef struct {
    HANDLE h;
    OVERLAPPED ov;
    char *buf;
    long long recvd;
    int done;
} rstream;

static HANDLE writer_in, writer_out, writer_process;

/* Reads one line (without the newline) from the writer's stdout. */
static int writer_line(char *out, int size)
{
    int n = 0;
    for (;;) {
        char c;
        DWORD got = 0;
        if (!ReadFile(writer_out, &c, 1, &got, NULL) || got == 0) return -1;
        if (c == '\n') break;
        if (c != '\r' && n < size - 1) out[n++] = c;
    }
    out[n] = 0;
    return n;
}

static void start_writer(const char *exe, const char *prefix, int p, long long bytes)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE in_r, out_w;
    if (!CreatePipe(&in_r, &writer_in, &sa, 0) || !CreatePipe(&writer_out, &out_w, &sa, 0)) die("CreatePipe");
    SetHandleInformation(writer_in, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(writer_out, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOA si = {0};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "\"%s\" %s %d %lld", exe, prefix, p, bytes);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) die("CreateProcess(pump_writer)");
    CloseHandle(pi.hThread);
    CloseHandle(in_r);
    CloseHandle(out_w);
    writer_process = pi.hProcess;
    char line[256];
    if (writer_line(line, sizeof line) < 0 || strcmp(line, "ready") != 0) die("pump_writer did not say ready");
}

static long process_threads(void)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snap == INVALID_HANDLE_VALUE) return -1;
    THREADENTRY32 te;
    te.dwSize = sizeof te;
    long n = 0;
    DWORD me = GetCurrentProcessId();
    for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te))
        if (te.th32OwnerProcessID == me) n++;
    CloseHandle(snap);
    return n;
}

static int is_end_of_stream(DWORD status)
{
    return status == 0xC000014B /* STATUS_PIPE_BROKEN: 109 */ || status == 0xC0000011 /* END_OF_FILE: 38 */
        || status == 0xC00000B0 /* STATUS_PIPE_DISCONNECTED: 233 */;
}

/* Issues reads on s until one is pending (1), or the stream ended (0). Synchronous successes
 * queue no packet (skip-on-success), so they are counted here. */
static int read_until_pending(rstream *s, long long *completions, int skip)
{
    for (;;) {
        memset(&s->ov, 0, sizeof s->ov);
        DWORD got = 0;
        if (ReadFile(s->h, s->buf, CHUNK, &got, &s->ov)) {
            if (!skip) return 1; /* a packet comes anyway */
            (*completions)++;
            if (got == 0) return 0;
            s->recvd += got;
            continue;
        }
        DWORD err = GetLastError();
        if (err == ERROR_IO_PENDING) return 1;
        if (err == ERROR_BROKEN_PIPE || err == ERROR_HANDLE_EOF || err == ERROR_PIPE_NOT_CONNECTED) {
            (*completions)++;
            return 0;
        }
        die("ReadFile");
    }
}

static void pump_external(const char *exe, int p, long long bytes, int rep, int warm)
{
    static int run;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "mwbench-native-%lu-%d", (unsigned long)GetCurrentProcessId(), ++run);
    start_writer(exe, prefix, p, bytes);

    HANDLE port = new_port();
    rstream *st = calloc(p, sizeof *st);
    int skip = 1;
    for (int i = 0; i < p; i++) {
        char name[160];
        snprintf(name, sizeof name, "\\\\.\\pipe\\%s-%d", prefix, i);
        st[i].h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
        if (st[i].h == INVALID_HANDLE_VALUE) die("CreateFile(pipe client)");
        if (CreateIoCompletionPort(st[i].h, port, (ULONG_PTR)i, 0) != port) die("CreateIoCompletionPort");
        if (!SetFileCompletionNotificationModes(st[i].h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE))
            skip = 0;
        if (!(st[i].buf = malloc(CHUNK))) die("malloc");
    }
    long long completions = 0, calls = 0;
    int finished = 0;
    /* Every reader is armed before go: the first read of each stream is pending (no data yet). */
    for (int i = 0; i < p; i++)
        if (!read_until_pending(&st[i], &completions, skip)) st[i].done = 1, finished++;
    long threads = process_threads();

    double t0 = now_seconds();
    DWORD w;
    if (!WriteFile(writer_in, "go\n", 3, &w, NULL)) die("writing go");
    OVERLAPPED_ENTRY e[BATCH];
    while (finished < p) {
        ULONG m = 0;
        if (!GetQueuedCompletionStatusEx(port, e, BATCH, &m, 60000, FALSE)) die("GetQueuedCompletionStatusEx");
        calls++;
        for (ULONG j = 0; j < m; j++) {
            rstream *s = &st[e[j].lpCompletionKey];
            DWORD status = (DWORD)e[j].lpOverlapped->Internal;
            completions++;
            if (status == 0 && e[j].dwNumberOfBytesTransferred > 0) {
                s->recvd += e[j].dwNumberOfBytesTransferred;
                if (read_until_pending(s, &completions, skip)) continue;
            } else if (status != 0 && !is_end_of_stream(status)) {
                die("ReadFile completed with an error");
            }
            s->done = 1;
            finished++;
        }
    }
    double secs = now_seconds() - t0;

    char line[256];
    if (writer_line(line, sizeof line) < 0 || strncmp(line, "WRITER ", 7) != 0) die("pump_writer failed");
    const char *ws = strstr(line, "seconds=");
    double writer_seconds = ws ? atof(ws + 8) : -1;
    WaitForSingleObject(writer_process, 30000);
    DWORD code = 1;
    GetExitCodeProcess(writer_process, &code);
    if (code != 0) die("pump_writer exit code");
    CloseHandle(writer_process), CloseHandle(writer_in), CloseHandle(writer_out);

    long long total = 0;
    for (int i = 0; i < p; i++) {
        if (st[i].recvd != bytes) {
            printf("ERROR stream %d got %lld of %lld bytes\n", i, st[i].recvd, bytes);
            exit(2);
        }
        total += st[i].recvd;
        CloseHandle(st[i].h);
        free(st[i].buf);
    }
    free(st);
    CloseHandle(port);

    PROCESS_MEMORY_COUNTERS pmc = {0};
    pmc.cb = sizeof pmc;
    GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc);
    printf("BENCH name=pump contender=native-iocp streams=%d bytes_per_stream=%lld rep=%s%d seconds=%.4f "
           "mb_per_s=%.1f ns_per_completion=%.1f completions=%lld avg_batch=%.1f io_threads=1 process_threads=%ld "
           "peak_ws_kb=%llu heap_peak_kb=-1 writer_seconds=%.3f skip_on_success=%d\n",
           p, bytes, warm ? "warmup" : "", rep, secs, total / 1e6 / secs, secs * 1e9 / completions, completions,
           calls ? (double)(completions) / calls : 0.0, threads,
           (unsigned long long)(pmc.PeakWorkingSetSize / 1024), writer_seconds, skip);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long n = 200000;
    long long bytes = 1 << 20;
    int streams[16], nstreams = 0, quick = 0, reps = 1, warmup = 0;
    long long warmup_bytes = -1;
    int warmup_streams = 0;
    const char *writer = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1, n = 20000, bytes = 256 << 10;
        else if (!strcmp(argv[i], "--writer") && i + 1 < argc) writer = argv[++i];
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup-bytes") && i + 1 < argc) warmup_bytes = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--warmup-streams") && i + 1 < argc) warmup_streams = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--bytes") && i + 1 < argc) bytes = atoll(argv[++i]);
        else if (atoi(argv[i]) > 0 && nstreams < 16) streams[nstreams++] = atoi(argv[i]);
        else return fprintf(stderr, "usage: %s [--quick] [--n N] [--bytes B] [STREAMS...]\n"
                                    "       %s --writer PUMP_WRITER_EXE [--bytes B] [--reps R] [--warmup W] [--warmup-streams WN] [--warmup-bytes WB]"
                                    " [STREAMS...]\n",
                                    argv[0], argv[0]), 2;
    }
    if (!nstreams) {
        int def[] = {10, 100, 1000};
        for (int i = 0; i < (quick ? 2 : 3); i++) streams[nstreams++] = def[i];
    }
    char *src = malloc(CHUNK);
    for (int i = 0; i < CHUNK; i++) src[i] = (char)i;
    wbuf = src;

    if (writer) {
        for (int i = 0; i < nstreams; i++) {
            long long wb = warmup_bytes >= 0 ? warmup_bytes : bytes;
            int wn = warmup_streams > 0 ? warmup_streams : streams[i];
            for (int r = 1; r <= warmup; r++) pump_external(writer, wn, wb, r, 1);
            for (int r = 1; r <= reps; r++) pump_external(writer, streams[i], bytes, r, 0);
        }
        return 0;
    }

    bench_post_dequeue(n);
    for (int i = 0; i < nstreams; i++) bench_pipe_pump(streams[i], bytes);
    return 0;
}
