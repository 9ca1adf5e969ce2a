/* Synchronous success vs. packets (hazard: double dispatch). An overlapped call that
 * returns TRUE has completed, yet by default a packet is STILL queued; a loop that
 * handles the TRUE result and then the packet processes the I/O twice. With
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS no packet is queued on synchronous success,
 * while pending I/O still queues one. Checked on a named pipe and on a TCP socket. */
#include "probe.h"

enum { KEY_SERVER = 1, KEY_CLIENT = 2, KEY_SOCKET = 3 };

/* Client writes msg and its write packet is consumed: data now sits in the pipe. */
static void client_write(const char *name, HANDLE port, HANDLE cli, const char *msg, DWORD len)
{
    static OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    WriteFile(cli, msg, len, NULL, &ov);
    packet p = dequeue(port, 5000);
    CHECK(name, p.ok && p.ov == &ov && p.bytes == len,
          "ok=%d err=%lu ov=%p bytes=%lu", p.ok, p.err, (void *)p.ov, p.bytes);
}

/* Reads when data is already available: expected to complete synchronously. */
static void read_now(const char *name, HANDLE srv, char *buf, OVERLAPPED *ov, DWORD want)
{
    DWORD n = 0;
    memset(ov, 0, sizeof *ov);
    BOOL r = ReadFile(srv, buf, 4096, &n, ov);
    CHECK(name, r && n == want, "ReadFile returned %d bytes %lu, want TRUE and %lu", r, n, want);
}

static void pipe_checks(void)
{
    HANDLE port = new_port(), srv = NULL, cli = NULL;
    char buf[4096];
    OVERLAPPED ov_r;
    packet p;

    CHECK("skip_pipe_pair", pipe_pair(&srv, &cli) == 0, "pipe_pair failed");
    CreateIoCompletionPort(srv, port, KEY_SERVER, 0);
    CreateIoCompletionPort(cli, port, KEY_CLIENT, 0);

    /* Default mode: TRUE from ReadFile and a packet as well. */
    client_write("skip_off_client_write_packet", port, cli, "abc", 3);
    read_now("skip_off_sync_read_true", srv, buf, &ov_r, 3);
    p = dequeue(port, 500);
    CHECK("skip_off_sync_success_queues_packet",
          p.ok && p.key == KEY_SERVER && p.ov == &ov_r && p.bytes == 3,
          "ok=%d err=%lu ov=%p bytes=%lu, want the read's packet", p.ok, p.err, (void *)p.ov, p.bytes);

    /* Skip mode: TRUE from ReadFile and no packet. */
    BOOL r = SetFileCompletionNotificationModes(srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    CHECK("skip_set_mode_pipe", r, "SetFileCompletionNotificationModes failed");
    client_write("skip_on_client_write_packet", port, cli, "defg", 4);
    read_now("skip_on_sync_read_true", srv, buf, &ov_r, 4);
    p = dequeue(port, 200);
    CHECK("skip_on_sync_success_no_packet", !p.ok && p.ov == NULL && p.err == WAIT_TIMEOUT,
          "unexpected packet ok=%d err=%lu ov=%p", p.ok, p.err, (void *)p.ov);

    /* Skip mode, pending read: the packet still comes. */
    memset(&ov_r, 0, sizeof ov_r);
    r = ReadFile(srv, buf, sizeof buf, NULL, &ov_r);
    DWORD err = GetLastError();
    CHECK("skip_on_read_pending", !r && err == ERROR_IO_PENDING, "ReadFile %d error %lu", r, err);
    OVERLAPPED ov_w = {0};
    WriteFile(cli, "hi", 2, NULL, &ov_w);
    packet a = dequeue(port, 5000), b = dequeue(port, 5000);
    p = a.key == KEY_SERVER ? a : b; /* the write's and the read's packets come in either order */
    CHECK("skip_on_pending_still_queues_packet", p.ok && p.key == KEY_SERVER && p.ov == &ov_r && p.bytes == 2,
          "ok=%d err=%lu key=%llu ov=%p bytes=%lu", p.ok, p.err, (unsigned long long)p.key,
          (void *)p.ov, p.bytes);
    CloseHandle(cli);
    CloseHandle(srv);
    CloseHandle(port);
}

/* Same on a connected loopback TCP pair: a small WSASend completes at once. */
static void socket_checks(void)
{
    HANDLE port = new_port();
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int len = sizeof addr;
    SOCKET l = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    bind(l, (struct sockaddr *)&addr, sizeof addr);
    listen(l, 1);
    getsockname(l, (struct sockaddr *)&addr, &len);
    SOCKET c = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    int cr = connect(c, (struct sockaddr *)&addr, sizeof addr);
    SOCKET s = accept(l, NULL, NULL);
    CHECK("skip_socket_pair", cr == 0 && s != INVALID_SOCKET, "connect/accept WSA error %d", WSAGetLastError());
    CreateIoCompletionPort((HANDLE)c, port, KEY_SOCKET, 0);

    for (int skip = 0; skip <= 1; skip++) {
        if (skip) {
            BOOL r = SetFileCompletionNotificationModes((HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
            CHECK("skip_set_mode_socket", r, "SetFileCompletionNotificationModes failed");
        }
        OVERLAPPED ov = {0};
        WSABUF wb = {.len = 5, .buf = "hello"};
        DWORD sent = 0;
        int rc = WSASend(c, &wb, 1, &sent, 0, &ov, NULL);
        CHECK(skip ? "skip_on_wsasend_sync" : "skip_off_wsasend_sync", rc == 0 && sent == 5,
              "WSASend returned %d sent %lu WSA error %d", rc, sent, WSAGetLastError());
        packet p = dequeue(port, 200);
        if (skip)
            CHECK("skip_on_socket_no_packet", !p.ok && p.ov == NULL && p.err == WAIT_TIMEOUT,
                  "unexpected packet ok=%d err=%lu ov=%p", p.ok, p.err, (void *)p.ov);
        else
            CHECK("skip_off_socket_queues_packet", p.ok && p.ov == &ov && p.bytes == 5,
                  "ok=%d err=%lu ov=%p bytes=%lu", p.ok, p.err, (void *)p.ov, p.bytes);
    }
    closesocket(c);
    closesocket(s);
    closesocket(l);
    CloseHandle(port);
}

int main(void)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    pipe_checks();
    socket_checks();
    WSACleanup();
    return probe_exit();
}
