package dev.multiwait.win32;

/**
 * Winsock error codes the library gives meaning to, and the NTSTATUS to Winsock mapping for
 * socket operations that finished through the port (their status lives in OVERLAPPED.Internal).
 * RtlNtStatusToDosError would turn a reset into ERROR_NETNAME_DELETED (64) and a refusal into
 * ERROR_CONNECTION_REFUSED (1225); socket callers expect the WSA codes WSAGetOverlappedResult
 * gives, so these are mapped here (the table libuv uses), anything else falls back to the Win32 error.
 */
public final class WsaErrors {
    private WsaErrors() {
    }

    public static final int WSAEINTR = 10004;
    public static final int WSAEACCES = 10013;
    public static final int WSAEFAULT = 10014;
    public static final int WSAEINVAL = 10022;
    public static final int WSAEMFILE = 10024;
    public static final int WSAEWOULDBLOCK = 10035;
    public static final int WSAENOTSOCK = 10038;
    public static final int WSAEMSGSIZE = 10040;
    public static final int WSAEOPNOTSUPP = 10045;
    public static final int WSAEAFNOSUPPORT = 10047;
    public static final int WSAEADDRINUSE = 10048;
    public static final int WSAEADDRNOTAVAIL = 10049;
    public static final int WSAENETDOWN = 10050;
    public static final int WSAENETUNREACH = 10051;
    public static final int WSAENETRESET = 10052;
    public static final int WSAECONNABORTED = 10053;
    public static final int WSAECONNRESET = 10054;
    public static final int WSAENOBUFS = 10055;
    public static final int WSAEISCONN = 10056;
    public static final int WSAENOTCONN = 10057;
    public static final int WSAESHUTDOWN = 10058;
    public static final int WSAETIMEDOUT = 10060;
    public static final int WSAECONNREFUSED = 10061;
    public static final int WSAEHOSTUNREACH = 10065;
    public static final int WSANOTINITIALISED = 10093;
    public static final int WSAEDISCON = 10101;
    /** Win32 codes a socket error may also arrive as. */
    public static final int ERROR_NETNAME_DELETED = 64;
    /** Wine 8's error for an AcceptEx whose client reset before the accept completed (STATUS_UNEXPECTED_NETWORK_ERROR). */
    public static final int ERROR_UNEXP_NET_ERR = 59;
    public static final int ERROR_CONNECTION_REFUSED = 1225;
    public static final int ERROR_NETWORK_UNREACHABLE = 1231;
    public static final int ERROR_HOST_UNREACHABLE = 1232;
    public static final int ERROR_CONNECTION_ABORTED = 1236;
    public static final int ERROR_SEM_TIMEOUT = 121;

    /**
     * The Winsock error for a socket operation's final NTSTATUS; 0 for success, 995 for a cancel
     * (WSA_OPERATION_ABORTED is 995 too), {@code fallback.ntStatusToWin32} for anything unlisted.
     */
    public static int fromNtStatus(int status, Win32 fallback) {
        int mapped = mapped(status);
        if (mapped >= 0) {
            return mapped;
        }
        return fallback.ntStatusToWin32(status);
    }

    /** The table alone: -1 where it has no entry. */
    public static int mapped(int status) {
        switch (status) {
            case 0:
                return 0;
            case 0xC0000120: // STATUS_CANCELLED
                return Win32Errors.ERROR_OPERATION_ABORTED;
            case 0xC0000008: // STATUS_INVALID_HANDLE
            case 0xC0000024: // STATUS_OBJECT_TYPE_MISMATCH
                return WSAENOTSOCK;
            case 0xC000009A: // STATUS_INSUFFICIENT_RESOURCES
            case 0xC0000017: // STATUS_NO_MEMORY
                return WSAENOBUFS;
            case 0xC000020A: // STATUS_ADDRESS_ALREADY_EXISTS
            case 0xC0000043: // STATUS_SHARING_VIOLATION
                return WSAEADDRINUSE;
            case 0xC00000B5: // STATUS_IO_TIMEOUT
            case 0x00000102: // STATUS_TIMEOUT
            case 0xC000013F: // STATUS_LINK_TIMEOUT
                return WSAETIMEDOUT;
            case 0xC0000237: // STATUS_GRACEFUL_DISCONNECT
                return WSAEDISCON;
            case 0xC000013C: // STATUS_REMOTE_DISCONNECT
            case 0xC000020D: // STATUS_CONNECTION_RESET
            case 0xC000013E: // STATUS_LINK_FAILED
            case 0xC000020C: // STATUS_CONNECTION_DISCONNECTED
            case 0xC000023F: // STATUS_PORT_UNREACHABLE
                return WSAECONNRESET;
            case 0xC000013B: // STATUS_LOCAL_DISCONNECT
            case 0xC0000241: // STATUS_CONNECTION_ABORTED
                return WSAECONNABORTED;
            case 0xC00000BE: // STATUS_BAD_NETWORK_PATH
            case 0xC000023C: // STATUS_NETWORK_UNREACHABLE
            case 0xC000023E: // STATUS_PROTOCOL_UNREACHABLE
                return WSAENETUNREACH;
            case 0xC000023D: // STATUS_HOST_UNREACHABLE
                return WSAEHOSTUNREACH;
            case 0xC00000BC: // STATUS_REMOTE_NOT_LISTENING
            case 0xC0000236: // STATUS_CONNECTION_REFUSED
                return WSAECONNREFUSED;
            case 0xC00000B0: // STATUS_PIPE_DISCONNECTED
                return WSAESHUTDOWN;
            case 0xC0000141: // STATUS_INVALID_ADDRESS
            case 0xC0000207: // STATUS_INVALID_ADDRESS_COMPONENT
                return WSAEADDRNOTAVAIL;
            case 0xC0000140: // STATUS_INVALID_CONNECTION (Wine 8: an AcceptEx whose client reset first)
                return WSAENOTCONN;
            default:
                return -1;
        }
    }

    /** True for an error that ends one connection (not a listener): the peer reset or aborted it. */
    public static boolean isConnectionLevel(int error) {
        switch (error) {
            case WSAECONNRESET:
            case WSAECONNABORTED:
            case WSAENETRESET:
            case WSAETIMEDOUT:
            case WSAEDISCON:
            case ERROR_NETNAME_DELETED:
            case ERROR_CONNECTION_ABORTED:
            case ERROR_UNEXP_NET_ERR:
                return true;
            default:
                return false;
        }
    }

    /** A short explanation for the errors a socket user meets, or null. */
    public static String hint(int error) {
        switch (error) {
            case WSAECONNREFUSED:
            case ERROR_CONNECTION_REFUSED:
                return "connection refused: nothing is listening there";
            case WSAETIMEDOUT:
            case ERROR_SEM_TIMEOUT:
                return "timed out: the peer did not answer";
            case WSAENETUNREACH:
            case ERROR_NETWORK_UNREACHABLE:
                return "network unreachable";
            case WSAEHOSTUNREACH:
            case ERROR_HOST_UNREACHABLE:
                return "host unreachable";
            case WSAECONNRESET:
            case ERROR_NETNAME_DELETED:
                return "connection reset by the peer";
            case WSAECONNABORTED:
            case ERROR_CONNECTION_ABORTED:
                return "connection aborted";
            case ERROR_UNEXP_NET_ERR:
                return "unexpected network error (Wine reports a client that reset before its accept completed so)";
            case WSAENOBUFS:
                return "out of buffer space or sockets";
            case WSAEMFILE:
                return "too many open sockets";
            case WSAEADDRINUSE:
                return "address already in use";
            case WSAEADDRNOTAVAIL:
                return "address not available on this host (or connecting to the any address)";
            case WSAEAFNOSUPPORT:
                return "address family not supported (IPv6 disabled?)";
            case WSAENOTCONN:
                return "the socket is not connected";
            case WSAESHUTDOWN:
                return "the socket was shut down for sending";
            default:
                return null;
        }
    }
}
