package dev.multiwait.internal;

import java.util.Map;

/**
 * Message text for Win32 errors. Fixed text for the codes the library meets, so messages read the
 * same on every host and under Wine (whose FormatMessage tables are partial) and on Linux unit tests.
 */
public final class ErrorText {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(2, "ERROR_FILE_NOT_FOUND"),
            Map.entry(5, "ERROR_ACCESS_DENIED"),
            Map.entry(6, "ERROR_INVALID_HANDLE"),
            Map.entry(3, "ERROR_PATH_NOT_FOUND"),
            Map.entry(8, "ERROR_NOT_ENOUGH_MEMORY"),
            Map.entry(14, "ERROR_OUTOFMEMORY"),
            Map.entry(38, "ERROR_HANDLE_EOF"),
            Map.entry(87, "ERROR_INVALID_PARAMETER"),
            Map.entry(109, "ERROR_BROKEN_PIPE"),
            Map.entry(231, "ERROR_PIPE_BUSY"),
            Map.entry(232, "ERROR_NO_DATA"),
            Map.entry(233, "ERROR_PIPE_NOT_CONNECTED"),
            Map.entry(234, "ERROR_MORE_DATA"),
            Map.entry(258, "WAIT_TIMEOUT"),
            Map.entry(267, "ERROR_DIRECTORY"),
            Map.entry(535, "ERROR_PIPE_CONNECTED"),
            Map.entry(676, "ERROR_HANDLES_CLOSED"),
            Map.entry(995, "ERROR_OPERATION_ABORTED"),
            Map.entry(996, "ERROR_IO_INCOMPLETE"),
            Map.entry(997, "ERROR_IO_PENDING"),
            Map.entry(1168, "ERROR_NOT_FOUND"),
            Map.entry(1460, "ERROR_TIMEOUT"),
            Map.entry(1359, "ERROR_INTERNAL_ERROR"),
            Map.entry(1450, "ERROR_NO_SYSTEM_RESOURCES"),
            Map.entry(64, "ERROR_NETNAME_DELETED"),
            Map.entry(121, "ERROR_SEM_TIMEOUT"),
            Map.entry(1225, "ERROR_CONNECTION_REFUSED"),
            Map.entry(1231, "ERROR_NETWORK_UNREACHABLE"),
            Map.entry(1232, "ERROR_HOST_UNREACHABLE"),
            Map.entry(1236, "ERROR_CONNECTION_ABORTED"),
            Map.entry(10004, "WSAEINTR"),
            Map.entry(10013, "WSAEACCES"),
            Map.entry(10014, "WSAEFAULT"),
            Map.entry(10022, "WSAEINVAL"),
            Map.entry(10035, "WSAEWOULDBLOCK"),
            Map.entry(10038, "WSAENOTSOCK"),
            Map.entry(10045, "WSAEOPNOTSUPP"),
            Map.entry(10047, "WSAEAFNOSUPPORT"),
            Map.entry(10048, "WSAEADDRINUSE"),
            Map.entry(10049, "WSAEADDRNOTAVAIL"),
            Map.entry(10050, "WSAENETDOWN"),
            Map.entry(10051, "WSAENETUNREACH"),
            Map.entry(10052, "WSAENETRESET"),
            Map.entry(10053, "WSAECONNABORTED"),
            Map.entry(10054, "WSAECONNRESET"),
            Map.entry(10055, "WSAENOBUFS"),
            Map.entry(10056, "WSAEISCONN"),
            Map.entry(10057, "WSAENOTCONN"),
            Map.entry(10058, "WSAESHUTDOWN"),
            Map.entry(10060, "WSAETIMEDOUT"),
            Map.entry(10061, "WSAECONNREFUSED"),
            Map.entry(10065, "WSAEHOSTUNREACH"),
            Map.entry(10093, "WSANOTINITIALISED"),
            Map.entry(10101, "WSAEDISCON"),
            // further codes a socket, pipe or process call can report (NTSTATUS fallbacks included)
            Map.entry(1, "ERROR_INVALID_FUNCTION"),
            Map.entry(31, "ERROR_GEN_FAILURE"),
            Map.entry(50, "ERROR_NOT_SUPPORTED"),
            Map.entry(59, "ERROR_UNEXP_NET_ERR"),
            Map.entry(120, "ERROR_CALL_NOT_IMPLEMENTED"),
            Map.entry(123, "ERROR_INVALID_NAME"),
            Map.entry(193, "ERROR_BAD_EXE_FORMAT"),
            Map.entry(317, "ERROR_MR_MID_NOT_FOUND"),
            Map.entry(1117, "ERROR_IO_DEVICE"),
            Map.entry(1229, "ERROR_CONNECTION_INVALID"),
            Map.entry(1234, "ERROR_PORT_UNREACHABLE"),
            Map.entry(1235, "ERROR_REQUEST_ABORTED"),
            Map.entry(1453, "ERROR_QUOTA_EXCEEDED"),
            Map.entry(1455, "ERROR_COMMITMENT_LIMIT"),
            Map.entry(1816, "ERROR_NOT_ENOUGH_QUOTA"),
            Map.entry(10024, "WSAEMFILE"),
            Map.entry(10036, "WSAEINPROGRESS"),
            Map.entry(10037, "WSAEALREADY"),
            Map.entry(10039, "WSAEDESTADDRREQ"),
            Map.entry(10040, "WSAEMSGSIZE"),
            Map.entry(10042, "WSAENOPROTOOPT"),
            Map.entry(10043, "WSAEPROTONOSUPPORT"),
            Map.entry(10044, "WSAESOCKTNOSUPPORT"),
            Map.entry(10091, "WSASYSNOTREADY"),
            Map.entry(10092, "WSAVERNOTSUPPORTED"),
            Map.entry(10107, "WSASYSCALLFAILURE"));

    private ErrorText() {
    }

    public static String name(int error) {
        return NAMES.getOrDefault(error, "error");
    }

    public static String describe(String call, long handle, int error, String hint) {
        StringBuilder sb = new StringBuilder(call);
        if (handle != 0) {
            sb.append(" on handle 0x").append(Long.toHexString(handle));
        }
        sb.append(" failed: Win32 error ").append(error).append(" (").append(name(error)).append(')');
        if (hint != null) {
            sb.append(": ").append(hint);
        }
        return sb.toString();
    }
}
