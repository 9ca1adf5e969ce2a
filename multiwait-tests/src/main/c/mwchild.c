/*
 * mwchild: the child process the tests and the demo start. Plain Win32 on its standard handles
 * (synchronous pipe ends from the parent), so it behaves like any console tool.
 *
 *   mwchild stream SEED BYTES [ERRBYTES [EXIT]]  BYTES of the seeded stream to stdout, then
 *                                                ERRBYTES of stream SEED+1 to stderr; exit EXIT
 *   mwchild cat                                  stdin to stdout until end of stream
 *   mwchild args ARG...                          each argument as received, UTF-8, one per line
 *   mwchild handle VALUE                         exit 0 if VALUE is NOT an open handle here, 1 if it is
 *   mwchild handles                              the number of handles open in this process, to stdout
 *                                                (system handle list; GetProcessHandleCount says 0 under Wine)
 *   mwchild slow CHUNK DELAY_MS                  CHUNK bytes to stdout every DELAY_MS, forever
 *   mwchild exit CODE                            exit with CODE
 *   mwchild gate MODE ARG...                     read stdin to end of stream first, then run MODE ARG...
 *   mwchild tree N MS                            start N grandchildren (mwchild tree 0 MS, inheriting
 *                                                nothing), their pids to stdout one per line; sleep MS, exit 0
 *   mwchild ctrl MS                              exit 42 on Ctrl-Break or Ctrl-C within MS, else 0
 *
 * The stream is xorshift64* bytes; dev.multiwait.demo.SeededStream produces the same.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static unsigned long long next_state(unsigned long long *s) {
    unsigned long long x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int write_all(HANDLE h, const char *p, DWORD n) {
    while (n > 0) {
        DWORD done = 0;
        if (!WriteFile(h, p, n, &done, NULL)) return 0;
        p += done;
        n -= done;
    }
    return 1;
}

static int stream_out(HANDLE h, unsigned long long seed, long long bytes) {
    unsigned long long s = seed * 0x9E3779B97F4A7C15ULL + 1;
    char buf[16384];
    while (bytes > 0) {
        int n = bytes < (long long) sizeof buf ? (int) bytes : (int) sizeof buf;
        for (int i = 0; i < n; i++) buf[i] = (char) (next_state(&s) >> 56);
        if (!write_all(h, buf, (DWORD) n)) return 0;
        bytes -= n;
    }
    return 1;
}

/* SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX (40 bytes on x64) and its header. */
typedef struct {
    PVOID object;
    ULONG_PTR pid;
    ULONG_PTR value;
    ULONG access;
    USHORT backtrace;
    USHORT type;
    ULONG attributes;
    ULONG reserved;
} handle_entry;

typedef LONG (WINAPI *query_fn)(ULONG, PVOID, ULONG, PULONG);

/* Handles this process has open, or -1. */
static long own_handles(void) {
    query_fn query = (query_fn) (void (*)(void)) GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
    if (!query) return -1;
    ULONG length = 1 << 20;
    for (int attempt = 0; attempt < 8; attempt++) {
        unsigned char *buffer = malloc(length);
        ULONG needed = 0;
        LONG status = query(64 /* SystemExtendedHandleInformation */, buffer, length, &needed);
        if (status == (LONG) 0xC0000004) { /* STATUS_INFO_LENGTH_MISMATCH */
            free(buffer);
            length = needed > length ? needed + (1 << 16) : length * 2;
            continue;
        }
        if (status != 0) {
            free(buffer);
            return -1;
        }
        ULONG_PTR count = *(ULONG_PTR *) buffer;
        handle_entry *entries = (handle_entry *) (buffer + 16);
        long mine = 0;
        for (ULONG_PTR i = 0; i < count; i++) {
            if (entries[i].pid == GetCurrentProcessId()) mine++;
        }
        free(buffer);
        return mine;
    }
    return -1;
}

static volatile LONG got_ctrl;

static BOOL WINAPI on_ctrl(DWORD type) {
    (void) type;
    got_ctrl = 1;
    return TRUE;
}

/* Starts `self tree 0 MS` n times; writes each pid as a line. */
static int start_tree(HANDLE out, int n, const wchar_t *ms) {
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    for (int i = 0; i < n; i++) {
        wchar_t cmd[MAX_PATH + 64];
        swprintf(cmd, MAX_PATH + 64, L"\"%ls\" tree 0 %ls", self, ms);
        STARTUPINFOW si;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        PROCESS_INFORMATION pi;
        if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) return 0;
        char line[32];
        int len = snprintf(line, sizeof line, "%lu\n", (unsigned long) pi.dwProcessId);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        if (!write_all(out, line, (DWORD) len)) return 0;
    }
    return 1;
}

int wmain(int argc, wchar_t **argv) {
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    if (argc < 2) return 100;
    if (!wcscmp(argv[1], L"gate") && argc >= 3) {
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        char buf[4096];
        DWORD n;
        while (ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0) {
        }
        argv++;
        argc--;
    }
    if (!wcscmp(argv[1], L"tree") && argc >= 4) {
        if (!start_tree(out, _wtoi(argv[2]), argv[3])) return 108;
        Sleep((DWORD) _wtoi(argv[3]));
        return 0;
    }
    if (!wcscmp(argv[1], L"ctrl") && argc >= 3) {
        SetConsoleCtrlHandler(on_ctrl, TRUE);
        for (int waited = 0; waited < _wtoi(argv[2]) && !got_ctrl; waited += 10) Sleep(10);
        return got_ctrl ? 42 : 0;
    }
    if (!wcscmp(argv[1], L"stream") && argc >= 4) {
        unsigned long long seed = _wcstoui64(argv[2], NULL, 10);
        long long bytes = _wtoi64(argv[3]);
        long long errbytes = argc >= 5 ? _wtoi64(argv[4]) : 0;
        int code = argc >= 6 ? _wtoi(argv[5]) : 0;
        if (!stream_out(out, seed, bytes)) return 101;
        if (errbytes > 0 && !stream_out(err, seed + 1, errbytes)) return 102;
        return code;
    }
    if (!wcscmp(argv[1], L"cat")) {
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        char buf[16384];
        DWORD n;
        while (ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0) {
            if (!write_all(out, buf, n)) return 103;
        }
        return 0;
    }
    if (!wcscmp(argv[1], L"args")) {
        for (int i = 2; i < argc; i++) {
            char utf8[8192];
            int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, utf8, sizeof utf8, NULL, NULL);
            if (n <= 0) return 104;
            utf8[n - 1] = '\n';
            if (!write_all(out, utf8, (DWORD) n)) return 105;
        }
        return 0;
    }
    if (!wcscmp(argv[1], L"handle") && argc >= 3) {
        HANDLE h = (HANDLE) (ULONG_PTR) _wcstoui64(argv[2], NULL, 10);
        DWORD flags;
        return GetHandleInformation(h, &flags) ? 1 : 0;
    }
    if (!wcscmp(argv[1], L"handles")) {
        char line[32];
        int n = snprintf(line, sizeof line, "%ld\n", own_handles());
        return write_all(out, line, (DWORD) n) ? 0 : 107;
    }
    if (!wcscmp(argv[1], L"slow") && argc >= 4) {
        int chunk = _wtoi(argv[2]);
        int delay = _wtoi(argv[3]);
        char *buf = calloc(1, chunk > 0 ? chunk : 1);
        for (;;) {
            if (!write_all(out, buf, (DWORD) chunk)) return 106;
            Sleep(delay);
        }
    }
    if (!wcscmp(argv[1], L"exit") && argc >= 3) return _wtoi(argv[2]);
    return 100;
}
