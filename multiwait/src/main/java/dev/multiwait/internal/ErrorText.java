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
            Map.entry(8, "ERROR_NOT_ENOUGH_MEMORY"),
            Map.entry(38, "ERROR_HANDLE_EOF"),
            Map.entry(87, "ERROR_INVALID_PARAMETER"),
            Map.entry(109, "ERROR_BROKEN_PIPE"),
            Map.entry(231, "ERROR_PIPE_BUSY"),
            Map.entry(232, "ERROR_NO_DATA"),
            Map.entry(233, "ERROR_PIPE_NOT_CONNECTED"),
            Map.entry(234, "ERROR_MORE_DATA"),
            Map.entry(258, "WAIT_TIMEOUT"),
            Map.entry(535, "ERROR_PIPE_CONNECTED"),
            Map.entry(676, "ERROR_HANDLES_CLOSED"),
            Map.entry(995, "ERROR_OPERATION_ABORTED"),
            Map.entry(997, "ERROR_IO_PENDING"),
            Map.entry(1168, "ERROR_NOT_FOUND"),
            Map.entry(10053, "WSAECONNABORTED"),
            Map.entry(10054, "WSAECONNRESET"),
            Map.entry(10060, "WSAETIMEDOUT"),
            Map.entry(10061, "WSAECONNREFUSED"));

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
