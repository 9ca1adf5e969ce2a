/* Shared helpers for the native probes: result reporting, one-packet dequeue, and
 * overlapped named-pipe pairs. Each probe prints "PASS <name>" or
 * "FAIL <name>: <detail> (GetLastError=N)" per check and exits 1 if any check failed. */
#ifndef PROBE_H
#define PROBE_H

#define __USE_MINGW_ANSI_STDIO 1 /* C99 printf (%zu, %llu) on msvcrt */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int probe_failures;

static inline void __attribute__((format(printf, 4, 5)))
probe_result(const char *name, int ok, DWORD last_error, const char *fmt, ...)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        va_list ap;
        printf("FAIL %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf(" (GetLastError=%lu)\n", (unsigned long)last_error);
        probe_failures++;
    }
    fflush(stdout);
}

/* CHECK(name, condition, detail-format, ...): GetLastError is captured before the
 * condition is evaluated, so call the API, then CHECK right away. */
#define CHECK(name, cond, ...)                                             \
    do {                                                                   \
        DWORD le_ = GetLastError();                                        \
        int ok_ = !!(cond);                                                \
        probe_result((name), ok_, le_, __VA_ARGS__);                       \
    } while (0)

/* Informational line (not counted): measured values worth reporting. */
#define INFO(...) do { printf("INFO " __VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

static inline int probe_exit(void) { return probe_failures ? 1 : 0; }

/* One dequeued packet, with the error captured when GetQueuedCompletionStatus fails. */
typedef struct {
    BOOL ok;
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED *ov;
    DWORD err;
} packet;

static inline packet dequeue(HANDLE port, DWORD timeout_ms)
{
    packet p = {0};
    p.ok = GetQueuedCompletionStatus(port, &p.bytes, &p.key, &p.ov, timeout_ms);
    p.err = p.ok ? 0 : GetLastError();
    return p;
}

static inline HANDLE new_port(void)
{
    return CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
}

/* Overlapped named pipe server end with a unique name, 64 KiB buffers (small pipe
 * buffers cripple throughput), local clients only. The name is written to name_out. */
static inline HANDLE pipe_server(wchar_t name_out[96])
{
    static LONG counter;
    swprintf(name_out, 96, L"\\\\.\\pipe\\multiwait-probe-%lu-%ld",
             (unsigned long)GetCurrentProcessId(), (long)InterlockedIncrement(&counter));
    return CreateNamedPipeW(name_out,
                            PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                            1, 64 * 1024, 64 * 1024, 0, NULL);
}

/* Overlapped client end of a named pipe. */
static inline HANDLE pipe_client(const wchar_t *name)
{
    return CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                       FILE_FLAG_OVERLAPPED, NULL);
}

/* A connected pair: the client opens before ConnectNamedPipe, so ConnectNamedPipe
 * reports 535 (ERROR_PIPE_CONNECTED) synchronously and nothing is left pending on the
 * stack OVERLAPPED. Associate the ends with a port afterwards. Returns 0 on success. */
static inline int pipe_pair(HANDLE *server, HANDLE *client)
{
    wchar_t name[96];
    OVERLAPPED ov = {0};
    *server = pipe_server(name);
    if (*server == INVALID_HANDLE_VALUE) return -1;
    *client = pipe_client(name);
    if (*client == INVALID_HANDLE_VALUE) return -1;
    if (!ConnectNamedPipe(*server, &ov) && GetLastError() != ERROR_PIPE_CONNECTED) return -1;
    return 0;
}

static inline double now_seconds(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)freq.QuadPart;
}

#endif
