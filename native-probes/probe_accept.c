/* Many listening sockets on one port, each with a pending AcceptEx: the scale case
 * WaitForMultipleObjects cannot serve (64 max). Every accept must arrive once, with the
 * listener's key; the accepted socket needs SO_UPDATE_ACCEPT_CONTEXT before normal
 * socket calls (getpeername, shutdown) work on it. Then one WSARecv round trip and EOF. */
#include "probe.h"
#include <mswsock.h>

#define N 200
#define ADDR_LEN (sizeof(struct sockaddr_in) + 16) /* AcceptEx wants +16 per address */

static SOCKET overlapped_socket(void)
{
    return WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
}

int main(void)
{
    static SOCKET lsn[N], acc[N], cli[N];
    static OVERLAPPED ov[N];
    static char addrbuf[N][2 * ADDR_LEN];
    static int seen[N];
    struct sockaddr_in addr[N];
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    HANDLE port = new_port();

    /* AcceptEx is an extension function: fetch its pointer from the provider. */
    LPFN_ACCEPTEX acceptex = NULL;
    GUID guid = WSAID_ACCEPTEX;
    DWORD got = 0;
    SOCKET probe = overlapped_socket();
    int rc = WSAIoctl(probe, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid,
                      &acceptex, sizeof acceptex, &got, NULL, NULL);
    CHECK("acceptex_pointer", rc == 0 && acceptex != NULL, "WSAIoctl rc=%d WSA error %d", rc, WSAGetLastError());
    closesocket(probe);
    if (!acceptex) return probe_exit();

    /* N listeners on 127.0.0.1:0, key = index + 1, each with a pending AcceptEx. */
    int listen_ok = 0, pending_ok = 0;
    for (int i = 0; i < N; i++) {
        int len = sizeof addr[i];
        memset(&addr[i], 0, sizeof addr[i]);
        addr[i].sin_family = AF_INET;
        addr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        lsn[i] = overlapped_socket();
        if (lsn[i] != INVALID_SOCKET && bind(lsn[i], (struct sockaddr *)&addr[i], sizeof addr[i]) == 0 &&
            listen(lsn[i], 8) == 0 && getsockname(lsn[i], (struct sockaddr *)&addr[i], &len) == 0 &&
            CreateIoCompletionPort((HANDLE)lsn[i], port, i + 1, 0) == port)
            listen_ok++;
        acc[i] = overlapped_socket();
        if (!acceptex(lsn[i], acc[i], addrbuf[i], 0, ADDR_LEN, ADDR_LEN, &got, &ov[i]) &&
            WSAGetLastError() == ERROR_IO_PENDING)
            pending_ok++;
    }
    CHECK("accept_200_listeners_associated", listen_ok == N, "%d of %d listeners set up", listen_ok, N);
    CHECK("accept_200_acceptex_pending", pending_ok == N, "%d of %d AcceptEx pending", pending_ok, N);

    /* Connect one blocking client to each listener. */
    int connected = 0;
    for (int i = 0; i < N; i++) {
        cli[i] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (connect(cli[i], (struct sockaddr *)&addr[i], sizeof addr[i]) == 0) connected++;
    }
    CHECK("accept_200_clients_connected", connected == N, "%d of %d connected, WSA error %d",
          connected, N, WSAGetLastError());

    /* N accept packets: each key once, with its own OVERLAPPED, no extras. */
    int good = 0, bad = 0;
    for (int i = 0; i < N; i++) {
        packet p = dequeue(port, 5000);
        size_t k = p.key - 1;
        if (p.ok && k < N && p.ov == &ov[k] && !seen[k]) seen[k] = 1, good++;
        else bad++;
    }
    packet extra = dequeue(port, 100);
    CHECK("accept_200_packets_right_keys", good == N && bad == 0 && extra.err == WAIT_TIMEOUT,
          "%d good, %d bad, extra packet err=%lu", good, bad, extra.err);

    /* Inherit the listener's properties; then getpeername works on the accepted socket. */
    int updated = 0;
    for (int i = 0; i < N; i++) {
        struct sockaddr_in peer;
        int len = sizeof peer;
        if (setsockopt(acc[i], SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&lsn[i], sizeof lsn[i]) == 0 &&
            getpeername(acc[i], (struct sockaddr *)&peer, &len) == 0)
            updated++;
    }
    CHECK("accept_update_accept_context", updated == N, "%d of %d updated, WSA error %d",
          updated, N, WSAGetLastError());

    /* WSARecv through the port on an accepted socket: data, then 0 bytes after the
     * peer's shutdown(SD_SEND) (end of stream). */
    char buf[64];
    WSABUF wb = {.len = sizeof buf, .buf = buf};
    DWORD flags = 0;
    OVERLAPPED rov = {0};
    CreateIoCompletionPort((HANDLE)acc[0], port, 999, 0);
    for (int round = 0; round < 2; round++) {
        memset(&rov, 0, sizeof rov);
        flags = 0;
        rc = WSARecv(acc[0], &wb, 1, NULL, &flags, &rov, NULL);
        int werr = WSAGetLastError();
        if (round == 0) send(cli[0], "ping", 4, 0);
        else shutdown(cli[0], SD_SEND);
        packet p = dequeue(port, 5000);
        DWORD want = round == 0 ? 4 : 0;
        CHECK(round == 0 ? "accept_wsarecv_data" : "accept_wsarecv_eof_0_bytes",
              (rc == 0 || werr == WSA_IO_PENDING) && p.ok && p.key == 999 && p.ov == &rov && p.bytes == want,
              "rc=%d wsa=%d ok=%d err=%lu key=%llu bytes=%lu want %lu", rc, werr, p.ok, p.err,
              (unsigned long long)p.key, p.bytes, want);
    }

    for (int i = 0; i < N; i++) closesocket(cli[i]), closesocket(acc[i]), closesocket(lsn[i]);
    CloseHandle(port);
    WSACleanup();
    return probe_exit();
}
