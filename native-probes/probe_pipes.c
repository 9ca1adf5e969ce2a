/* Overlapped named pipes on a completion port: the core I/O path of multiwait.
 * Checks that completions carry the right key, OVERLAPPED pointer and byte count,
 * and the error codes the library maps to states (connected, cancelled, EOF, closed). */
#include "probe.h"

enum { KEY_SERVER = 0x5e, KEY_CLIENT = 0xc1 };

/* A packet is the one we expect: status, error, key, OVERLAPPED and byte count. */
static void check_packet(const char *name, packet p, BOOL ok, DWORD err, ULONG_PTR key,
                         OVERLAPPED *ov, DWORD bytes)
{
    CHECK(name, p.ok == ok && p.err == err && p.key == key && p.ov == ov && p.bytes == bytes,
          "got ok=%d err=%lu key=%#llx ov=%p bytes=%lu; want ok=%d err=%lu key=%#llx ov=%p bytes=%lu",
          p.ok, p.err, (unsigned long long)p.key, (void *)p.ov, p.bytes, ok, err,
          (unsigned long long)key, (void *)ov, bytes);
}

/* Issues an overlapped read that is expected to stay pending. */
static void read_pending(const char *name, HANDLE h, char *buf, DWORD len, OVERLAPPED *ov)
{
    memset(ov, 0, sizeof *ov);
    BOOL r = ReadFile(h, buf, len, NULL, ov);
    DWORD err = GetLastError();
    CHECK(name, !r && err == ERROR_IO_PENDING, "ReadFile returned %d error %lu, want pending", r, err);
}

int main(void)
{
    HANDLE port = new_port();
    wchar_t name[96];
    char rbuf[64 * 1024];
    OVERLAPPED ov_conn = {0}, ov_r = {0}, ov_w = {0};

    /* 1. Server end associates; ConnectNamedPipe issued first completes through the port. */
    HANDLE srv = pipe_server(name);
    CHECK("pipe_server_created", srv != INVALID_HANDLE_VALUE, "CreateNamedPipeW failed");
    CHECK("pipe_server_associate", CreateIoCompletionPort(srv, port, KEY_SERVER, 0) == port,
          "CreateIoCompletionPort(server) failed");
    BOOL r = ConnectNamedPipe(srv, &ov_conn);
    DWORD err = GetLastError();
    CHECK("pipe_connect_pending", !r && err == ERROR_IO_PENDING,
          "ConnectNamedPipe returned %d error %lu, want pending", r, err);
    HANDLE cli = pipe_client(name);
    CHECK("pipe_client_opened", cli != INVALID_HANDLE_VALUE, "CreateFileW(client) failed");
    CHECK("pipe_client_associate", CreateIoCompletionPort(cli, port, KEY_CLIENT, 0) == port,
          "CreateIoCompletionPort(client) failed");
    check_packet("pipe_connect_packet", dequeue(port, 5000), TRUE, 0, KEY_SERVER, &ov_conn, 0);

    /* 2. Read (server) and write (client) both complete through the port, each with
     * its own key and OVERLAPPED, and the byte count that was moved. */
    read_pending("pipe_read_pending", srv, rbuf, sizeof rbuf, &ov_r);
    static const char msg[] = "hello, port";
    r = WriteFile(cli, msg, sizeof msg, NULL, &ov_w);
    err = GetLastError();
    CHECK("pipe_write_issued", r || err == ERROR_IO_PENDING, "WriteFile returned %d error %lu", r, err);
    packet a = dequeue(port, 5000), b = dequeue(port, 5000);
    if (a.key == KEY_SERVER) { packet t = a; a = b; b = t; } /* order between the two is free */
    check_packet("pipe_write_packet", a, TRUE, 0, KEY_CLIENT, &ov_w, sizeof msg);
    check_packet("pipe_read_packet", b, TRUE, 0, KEY_SERVER, &ov_r, sizeof msg);
    CHECK("pipe_read_data", memcmp(rbuf, msg, sizeof msg) == 0, "data mismatch");

    /* 3. CancelIoEx on a pending read: the packet still comes (FALSE, 995, 0 bytes), so
     * buffer and OVERLAPPED must live until it is dequeued. Nothing pending: 1168. */
    read_pending("pipe_cancel_read_pending", srv, rbuf, sizeof rbuf, &ov_r);
    r = CancelIoEx(srv, &ov_r);
    CHECK("pipe_cancelioex_pending_ok", r, "CancelIoEx returned FALSE");
    check_packet("pipe_cancel_packet_995", dequeue(port, 5000), FALSE, ERROR_OPERATION_ABORTED,
                 KEY_SERVER, &ov_r, 0);
    r = CancelIoEx(srv, &ov_r);
    err = GetLastError();
    CHECK("pipe_cancelioex_nothing_pending_1168", !r && err == ERROR_NOT_FOUND,
          "CancelIoEx returned %d error %lu, want 1168", r, err);

    /* 4. Peer closes: the pending read completes with 109 (ERROR_BROKEN_PIPE) = EOF,
     * and a later write to the closed peer fails with 232 (ERROR_NO_DATA). */
    read_pending("pipe_eof_read_pending", srv, rbuf, sizeof rbuf, &ov_r);
    CloseHandle(cli);
    check_packet("pipe_peer_close_109", dequeue(port, 5000), FALSE, ERROR_BROKEN_PIPE,
                 KEY_SERVER, &ov_r, 0);
    r = WriteFile(srv, msg, sizeof msg, NULL, &ov_w);
    err = GetLastError();
    CHECK("pipe_write_closed_peer_232", !r && err == ERROR_NO_DATA,
          "WriteFile returned %d error %lu, want 232", r, err);
    CloseHandle(srv);

    /* 5. Closing our own handle with a read pending: Windows gives 995 (or 109),
     * Wine may give 676 (ERROR_HANDLES_CLOSED). Either way the packet arrives. */
    HANDLE s2 = NULL, c2 = NULL;
    CHECK("pipe_pair_created", pipe_pair(&s2, &c2) == 0, "pipe_pair failed");
    CreateIoCompletionPort(s2, port, KEY_SERVER, 0);
    read_pending("pipe_self_close_read_pending", s2, rbuf, sizeof rbuf, &ov_r);
    CloseHandle(s2);
    packet p = dequeue(port, 5000);
    CHECK("pipe_self_close_packet", !p.ok && p.ov == &ov_r && p.key == KEY_SERVER &&
          (p.err == ERROR_OPERATION_ABORTED || p.err == ERROR_BROKEN_PIPE || p.err == 676),
          "got ok=%d err=%lu ov=%p, want FALSE with 995/109/676", p.ok, p.err, (void *)p.ov);
    INFO("pipe_self_close_error=%lu", p.err);
    CloseHandle(c2);

    /* 6. Client connected before ConnectNamedPipe: 535 synchronously and no packet. */
    HANDLE s3 = pipe_server(name);
    CreateIoCompletionPort(s3, port, KEY_SERVER, 0);
    HANDLE c3 = pipe_client(name);
    memset(&ov_conn, 0, sizeof ov_conn);
    r = ConnectNamedPipe(s3, &ov_conn);
    err = GetLastError();
    CHECK("pipe_connected_before_connect_535", !r && err == ERROR_PIPE_CONNECTED,
          "ConnectNamedPipe returned %d error %lu, want 535", r, err);
    p = dequeue(port, 100);
    CHECK("pipe_535_no_packet", !p.ok && p.ov == NULL && p.err == WAIT_TIMEOUT,
          "unexpected packet ok=%d err=%lu ov=%p", p.ok, p.err, (void *)p.ov);
    CloseHandle(c3);
    CloseHandle(s3);

    /* 7. Anonymous pipes are synchronous only: association fails with 87. */
    HANDLE ard, awr;
    CHECK("anon_pipe_created", CreatePipe(&ard, &awr, NULL, 0), "CreatePipe failed");
    HANDLE h = CreateIoCompletionPort(ard, port, 1, 0);
    err = GetLastError();
    CHECK("anon_pipe_associate_fails_87", h == NULL && err == ERROR_INVALID_PARAMETER,
          "CreateIoCompletionPort returned %p error %lu, want NULL and 87", (void *)h, err);
    CloseHandle(ard);
    CloseHandle(awr);

    CloseHandle(port);
    return probe_exit();
}
