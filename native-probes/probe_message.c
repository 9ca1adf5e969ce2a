/* Message-mode pipes (hazard 9: warning statuses). A ReadFile into a buffer shorter than the
 * message returns FALSE with 234 (ERROR_MORE_DATA, STATUS_BUFFER_OVERFLOW): the bytes that fit are
 * copied AND, being a warning, the I/O manager queues a packet. Pins, with skip-on-success off and
 * on: what the immediate 234 returns, whether its packet comes, what a pending read that ends in
 * 234 looks like, and how GetNamedPipeInfo tells a message pipe (the library's attach check) from a
 * byte pipe and a socket. Windows queues a packet for a warning even with skip-on-success (only
 * NT_SUCCESS statuses are skipped); Wine 8 was reported to queue none there: that line is INFO. */
#include "probe.h"

enum { KEY_SERVER = 0x5e, KEY_CLIENT = 0xc1 };
#define STATUS_BUFFER_OVERFLOW_ 0x80000005u

/* A connected message-mode pair, both ends in message read mode. Returns 0 on success. */
static int message_pair(HANDLE *server, HANDLE *client)
{
    static LONG counter;
    wchar_t name[96];
    OVERLAPPED ov = {0};
    DWORD mode = PIPE_READMODE_MESSAGE;
    swprintf(name, 96, L"\\\\.\\pipe\\multiwait-probe-msg-%lu-%ld",
             (unsigned long)GetCurrentProcessId(), (long)InterlockedIncrement(&counter));
    *server = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                               1, 4096, 4096, 0, NULL);
    if (*server == INVALID_HANDLE_VALUE) return -1;
    *client = pipe_client(name);
    if (*client == INVALID_HANDLE_VALUE) return -1;
    if (!SetNamedPipeHandleState(*client, &mode, NULL, NULL)) return -1;
    if (!ConnectNamedPipe(*server, &ov) && GetLastError() != ERROR_PIPE_CONNECTED) return -1;
    return 0;
}

/* The client writes one message and its write packet is consumed: the message sits in the pipe. */
static void send_message(const char *name, HANDLE port, HANDLE cli, const char *msg, DWORD len)
{
    static OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    BOOL r = WriteFile(cli, msg, len, NULL, &ov);
    DWORD err = GetLastError();
    packet p = dequeue(port, 5000);
    CHECK(name, (r || err == ERROR_IO_PENDING) && p.ok && p.ov == &ov && p.bytes == len,
          "WriteFile %d error %lu; packet ok=%d err=%lu ov=%p bytes=%lu", r, err, p.ok, p.err, (void *)p.ov, p.bytes);
}

/* Reads a 10-byte message through a 4-byte buffer with the message already waiting: 4, 4, 2. */
static void immediate_reads(const char *tag, int skip)
{
    HANDLE port = new_port(), srv, cli;
    char buf[4], name[96];
    OVERLAPPED ov;
    DWORD n;
    CHECK("message_pair", message_pair(&srv, &cli) == 0, "message pair failed");
    CreateIoCompletionPort(srv, port, KEY_SERVER, 0);
    CreateIoCompletionPort(cli, port, KEY_CLIENT, 0);
    if (skip) {
        BOOL ok = SetFileCompletionNotificationModes(srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
        snprintf(name, sizeof name, "%s_set_mode", tag);
        CHECK(name, ok, "SetFileCompletionNotificationModes failed");
    }
    snprintf(name, sizeof name, "%s_message_written", tag);
    send_message(name, port, cli, "0123456789", 10);

    for (int part = 0; part < 3; part++) {
        DWORD want = part < 2 ? 4 : 2;
        memset(&ov, 0, sizeof ov);
        n = 0xdead;
        BOOL r = ReadFile(srv, buf, sizeof buf, &n, &ov);
        DWORD err = GetLastError();
        unsigned status = (unsigned)ov.Internal;
        DWORD high = (DWORD)ov.InternalHigh;
        if (part < 2) {
            snprintf(name, sizeof name, "%s_immediate_more_data_%d", tag, part);
            CHECK(name, !r && err == ERROR_MORE_DATA && memcmp(buf, "0123456789" + 4 * part, 4) == 0,
                  "ReadFile %d error %lu, want FALSE and 234 with the first bytes copied", r, err);
            snprintf(name, sizeof name, "%s_immediate_more_data_overlapped_%d", tag, part);
            CHECK(name, status == STATUS_BUFFER_OVERFLOW_ && high == want,
                  "OVERLAPPED Internal %#x InternalHigh %lu, want 0x80000005 and %lu", status, high, want);
            INFO("%s immediate 234: lpNumberOfBytesRead %lu", tag, n);
        } else {
            snprintf(name, sizeof name, "%s_immediate_last_part_true", tag);
            CHECK(name, r && n == 2 && memcmp(buf, "89", 2) == 0, "ReadFile %d bytes %lu, want TRUE and 2", r, n);
        }
        packet p = dequeue(port, 300);
        int got = p.ov == &ov;
        if (!skip) {
            snprintf(name, sizeof name, "%s_immediate_%s_queues_packet", tag, part < 2 ? "more_data" : "success");
            CHECK(name, got && p.key == KEY_SERVER && p.bytes == want && (part < 2 ? !p.ok && p.err == ERROR_MORE_DATA : p.ok),
                  "ok=%d err=%lu ov=%p bytes=%lu, want the read's packet", p.ok, p.err, (void *)p.ov, p.bytes);
        } else if (part < 2) {
            /* Windows: a packet (warnings are not skipped). Wine 8: none. Not knowable in advance:
             * the library never sets skip-on-success on a message pipe. */
            INFO("%s immediate 234 with skip-on-success: %s (ok=%d err=%lu bytes=%lu)", tag,
                 got ? "packet queued" : "NO packet", p.ok, p.err, p.bytes);
            if (!got && p.ov) {
                snprintf(name, sizeof name, "%s_no_foreign_packet", tag);
                CHECK(name, 0, "unexpected packet ov=%p", (void *)p.ov);
            }
        } else {
            snprintf(name, sizeof name, "%s_immediate_success_no_packet", tag);
            CHECK(name, !got && p.err == WAIT_TIMEOUT, "unexpected packet ok=%d ov=%p", p.ok, (void *)p.ov);
        }
    }
    CloseHandle(cli);
    CloseHandle(srv);
    CloseHandle(port);
}

/* A read pending before the message comes ends with a FALSE/234 packet carrying the bytes that fit. */
static void pending_read(const char *tag, int skip)
{
    HANDLE port = new_port(), srv, cli;
    char buf[4], name[96];
    OVERLAPPED ov = {0}, ov_w = {0};
    CHECK("message_pair", message_pair(&srv, &cli) == 0, "message pair failed");
    CreateIoCompletionPort(srv, port, KEY_SERVER, 0);
    CreateIoCompletionPort(cli, port, KEY_CLIENT, 0);
    if (skip) SetFileCompletionNotificationModes(srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    BOOL r = ReadFile(srv, buf, sizeof buf, NULL, &ov);
    DWORD err = GetLastError();
    snprintf(name, sizeof name, "%s_read_pending", tag);
    CHECK(name, !r && err == ERROR_IO_PENDING, "ReadFile %d error %lu, want pending", r, err);
    WriteFile(cli, "abcdefghij", 10, NULL, &ov_w);
    packet a = dequeue(port, 5000), b = dequeue(port, 5000);
    packet p = a.ov == &ov ? a : b;
    snprintf(name, sizeof name, "%s_pending_more_data_packet", tag);
    CHECK(name, p.ov == &ov && !p.ok && p.err == ERROR_MORE_DATA && p.bytes == 4 && memcmp(buf, "abcd", 4) == 0,
          "ok=%d err=%lu ov=%p bytes=%lu, want FALSE, 234, 4 bytes", p.ok, p.err, (void *)p.ov, p.bytes);
    snprintf(name, sizeof name, "%s_pending_more_data_status", tag);
    CHECK(name, (unsigned)ov.Internal == STATUS_BUFFER_OVERFLOW_, "Internal %#x", (unsigned)ov.Internal);
    CloseHandle(cli);
    CloseHandle(srv);
    CloseHandle(port);
}

/* GetNamedPipeInfo: the attach-time test for "message pipe" (and "not a pipe": a socket fails). */
static void pipe_info(void)
{
    HANDLE srv, cli, bsrv = NULL, bcli = NULL;
    DWORD flags = 0xdead;
    CHECK("info_message_pair", message_pair(&srv, &cli) == 0, "message pair failed");
    BOOL r = GetNamedPipeInfo(srv, &flags, NULL, NULL, NULL);
    CHECK("info_message_server", r && (flags & PIPE_TYPE_MESSAGE) && (flags & PIPE_SERVER_END),
          "GetNamedPipeInfo %d flags %#lx", r, flags);
    flags = 0xdead;
    r = GetNamedPipeInfo(cli, &flags, NULL, NULL, NULL);
    CHECK("info_message_client", r && (flags & PIPE_TYPE_MESSAGE) && !(flags & PIPE_SERVER_END),
          "GetNamedPipeInfo %d flags %#lx", r, flags);
    CHECK("info_byte_pair", pipe_pair(&bsrv, &bcli) == 0, "byte pair failed");
    flags = 0xdead;
    r = GetNamedPipeInfo(bcli, &flags, NULL, NULL, NULL);
    CHECK("info_byte_client", r && !(flags & PIPE_TYPE_MESSAGE), "GetNamedPipeInfo %d flags %#lx", r, flags);

    SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    r = GetNamedPipeInfo((HANDLE)s, &flags, NULL, NULL, NULL);
    DWORD err = GetLastError();
    CHECK("info_socket_fails", !r, "GetNamedPipeInfo on a socket succeeded, flags %#lx", flags);
    INFO("GetNamedPipeInfo on a socket: error %lu; GetFileType %lu", err, GetFileType((HANDLE)s));
    closesocket(s);
    HANDLE file = CreateFileW(L"NUL", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    r = GetNamedPipeInfo(file, &flags, NULL, NULL, NULL);
    CHECK("info_file_fails", !r, "GetNamedPipeInfo on NUL succeeded");
    CloseHandle(file);
    CloseHandle(srv);
    CloseHandle(cli);
    CloseHandle(bsrv);
    CloseHandle(bcli);
}

int main(void)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    immediate_reads("msg_skip_off", 0);
    immediate_reads("msg_skip_on", 1);
    pending_read("msg_pending_skip_off", 0);
    pending_read("msg_pending_skip_on", 1);
    pipe_info();
    WSACleanup();
    return probe_exit();
}
