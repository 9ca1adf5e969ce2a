/*
 * mwchild: the child process the tests and the demo start. Plain Win32 on its standard handles
 * (synchronous pipe ends from the parent), so it behaves like any console tool.
 *
 *   mwchild stream SEED BYTES [ERRBYTES [EXIT]]  BYTES of the seeded stream to stdout, then
 *                                                ERRBYTES of stream SEED+1 to stderr; exit EXIT
 *   mwchild cat                                  stdin to stdout until end of stream
 *   mwchild args ARG...                          each argument as received, UTF-8, one per line
 *   mwchild handle VALUE                         exit 0 if VALUE is NOT an open handle here, 1 if it is
 *   mwchild slow CHUNK DELAY_MS                  CHUNK bytes to stdout every DELAY_MS, forever
 *   mwchild exit CODE                            exit with CODE
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

int wmain(int argc, wchar_t **argv) {
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    if (argc < 2) return 100;
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
