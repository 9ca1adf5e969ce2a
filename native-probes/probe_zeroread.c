/* Zero-length reads as "tell me when data is there" (issue 15: idle streams hold no buffer).
 * Socket: a 0-byte WSARecv pends while nothing is there, completes (0 bytes) once data arrives and
 * consumes none of it; at the peer's close it also completes with 0 bytes (so the next real read
 * tells data from end of stream). Byte-mode overlapped named pipe: a 0-byte ReadFile, with nothing
 * written, either pends until data comes (what the library relies on) or completes at once (then it
 * cannot be used to wait); the probe reports which, and checks the data is still there afterwards. */
#include "probe.h"

static SOCKET overlapped_socket(void)
{
    return WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
}

/* A connected loopback pair: *srv overlapped (associated with port by the caller), *cli blocking. */
static int socket_pair(SOCKET *srv, SOCKET *cli)
{
    struct sockaddr_in a = {0};
    int len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SOCKET l = overlapped_socket();
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &len))
        return -1;
    *cli = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(*cli, (struct sockaddr *)&a, sizeof a)) return -1;
    *srv = accept(l, NULL, NULL);
    closesocket(l);
    return *srv == INVALID_SOCKET ? -1 : 0;
}

static void probe_socket(void)
{
    SOCKET srv, cli;
    if (socket_pair(&srv, &cli)) {
        CHECK("zeroread_socket_pair", 0, "WSA error %d", WSAGetLastError());
        return;
    }
    HANDLE port = new_port();
    CreateIoCompletionPort((HANDLE)srv, port, 7, 0);
    OVERLAPPED ov = {0};
    char none;
    WSABUF buf = {0, &none};
    DWORD flags = 0, got = 0;
    int rc = WSARecv(srv, &buf, 1, &got, &flags, &ov, NULL);
    CHECK("zeroread_socket_pends_while_idle", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING,
          "rc=%d WSA error %d", rc, WSAGetLastError());
    packet early = dequeue(port, 200);
    CHECK("zeroread_socket_no_packet_while_idle", early.err == WAIT_TIMEOUT, "packet err=%lu bytes=%lu",
          early.err, early.bytes);

    send(cli, "hello", 5, 0);
    packet p = dequeue(port, 5000);
    CHECK("zeroread_socket_completes_on_data", p.ok && p.ov == &ov && p.bytes == 0,
          "ok=%d ov=%p bytes=%lu err=%lu", p.ok, (void *)p.ov, p.bytes, p.err);

    /* The data is all still there: a real read gets the 5 bytes at once. */
    char data[16];
    OVERLAPPED ov2 = {0};
    WSABUF real = {sizeof data, data};
    flags = 0;
    got = 0;
    rc = WSARecv(srv, &real, 1, &got, &flags, &ov2, NULL);
    if (rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING) got = 0;
    packet p2 = dequeue(port, 5000);
    CHECK("zeroread_socket_consumes_nothing", p2.ok && p2.ov == &ov2 && p2.bytes == 5 && !memcmp(data, "hello", 5),
          "rc=%d ok=%d bytes=%lu", rc, p2.ok, p2.bytes);

    /* At the peer's close a zero read completes with 0 bytes too: only the next real read says EOF. */
    memset(&ov, 0, sizeof ov);
    flags = 0;
    rc = WSARecv(srv, &buf, 1, &got, &flags, &ov, NULL);
    int pended = rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING;
    closesocket(cli);
    packet p3 = dequeue(port, 5000);
    CHECK("zeroread_socket_completes_on_peer_close", p3.ok && p3.ov == &ov && p3.bytes == 0,
          "pended=%d ok=%d bytes=%lu err=%lu", pended, p3.ok, p3.bytes, p3.err);
    closesocket(srv);
    CloseHandle(port);
}

static void probe_pipe(void)
{
    HANDLE server, client;
    if (pipe_pair(&server, &client)) {
        CHECK("zeroread_pipe_pair", 0, "pipe pair failed");
        return;
    }
    HANDLE port = new_port();
    CreateIoCompletionPort(server, port, 9, 0);
    OVERLAPPED ov = {0};
    char none;
    DWORD got = 0;
    BOOL ok = ReadFile(server, &none, 0, &got, &ov);
    DWORD err = ok ? 0 : GetLastError();
    packet early = dequeue(port, 200);
    int pends = !ok && err == ERROR_IO_PENDING && early.err == WAIT_TIMEOUT;
    INFO("zeroread_pipe idle: ReadFile returned %d error %lu; packet within 200 ms: %s (bytes %lu)",
         ok, err, early.err == WAIT_TIMEOUT ? "none" : "yes", early.bytes);
    if (pends) {
        DWORD wrote = 0;
        OVERLAPPED wov = {0};
        wov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (!WriteFile(client, "hello", 5, &wrote, &wov)) GetOverlappedResult(client, &wov, &wrote, TRUE);
        packet p = dequeue(port, 5000);
        CHECK("zeroread_pipe_completes_on_data", p.ok && p.ov == &ov && p.bytes == 0,
              "ok=%d ov=%p bytes=%lu err=%lu", p.ok, (void *)p.ov, p.bytes, p.err);
        CloseHandle(wov.hEvent);
    } else {
        /* Completing at once, nothing written: it cannot wait for data. Recorded, not failed. */
        INFO("zeroread_pipe completes at once while idle: a zero read cannot wait for data on this system");
        DWORD wrote = 0;
        OVERLAPPED wov = {0};
        wov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (!WriteFile(client, "hello", 5, &wrote, &wov)) GetOverlappedResult(client, &wov, &wrote, TRUE);
        CloseHandle(wov.hEvent);
    }
    DWORD avail = 0;
    BOOL peeked = PeekNamedPipe(server, NULL, 0, NULL, &avail, NULL);
    CHECK("zeroread_pipe_consumes_nothing", peeked && avail == 5, "PeekNamedPipe ok=%d avail=%lu", peeked, avail);
    INFO("zeroread_pipe: a zero-length ReadFile on an idle byte pipe %s", pends ? "pends until data" : "completes at once");

    /* With data already there it completes at once (0 bytes), still consuming nothing. */
    memset(&ov, 0, sizeof ov);
    ok = ReadFile(server, &none, 0, &got, &ov);
    err = ok ? 0 : GetLastError();
    packet p2 = dequeue(port, 5000);
    PeekNamedPipe(server, NULL, 0, NULL, &avail, NULL);
    CHECK("zeroread_pipe_with_data_completes_empty", p2.ok && p2.ov == &ov && p2.bytes == 0 && avail == 5,
          "ReadFile=%d err=%lu packet ok=%d bytes=%lu avail=%lu", ok, err, p2.ok, p2.bytes, avail);

    /* The writer's close while a zero read waits: the packet says broken pipe (109). */
    char drain[16];
    memset(&ov, 0, sizeof ov);
    if (!ReadFile(server, drain, sizeof drain, &got, &ov) && GetLastError() == ERROR_IO_PENDING) got = 0;
    dequeue(port, 5000);
    memset(&ov, 0, sizeof ov);
    ok = ReadFile(server, &none, 0, &got, &ov);
    err = ok ? 0 : GetLastError();
    CloseHandle(client);
    packet p3 = dequeue(port, 5000);
    INFO("zeroread_pipe at writer close: ReadFile=%d error %lu; packet ok=%d err=%lu bytes=%lu", ok, err, p3.ok,
         p3.err, p3.bytes);
    CHECK("zeroread_pipe_ends_on_writer_close", (!p3.ok && p3.err == ERROR_BROKEN_PIPE) || (!ok && err == ERROR_BROKEN_PIPE),
          "packet ok=%d err=%lu", p3.ok, p3.err);
    CloseHandle(server);
    CloseHandle(port);
}

int main(void)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    probe_socket();
    probe_pipe();
    return probe_exit();
}
