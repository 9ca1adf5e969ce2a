package dev.multiwait.win32;

/** The Win32 error codes the library gives meaning to. */
public final class Win32Errors {
    private Win32Errors() {
    }

    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    public static final int ERROR_OUTOFMEMORY = 14;
    public static final int ERROR_HANDLE_EOF = 38;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_BROKEN_PIPE = 109;
    public static final int ERROR_NO_DATA = 232;
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    public static final int ERROR_MORE_DATA = 234;
    public static final int WAIT_TIMEOUT = 258;
    public static final int ERROR_PIPE_CONNECTED = 535;
    public static final int ERROR_HANDLES_CLOSED = 676;
    public static final int ERROR_OPERATION_ABORTED = 995;
    /** Also what the library reports for a completion packet whose OVERLAPPED was never given a result. */
    public static final int ERROR_IO_INCOMPLETE = 996;
    public static final int ERROR_IO_PENDING = 997;
    public static final int ERROR_NOT_FOUND = 1168;
    public static final int ERROR_TIMEOUT = 1460;
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    public static final int ERROR_NOT_ENOUGH_QUOTA = 1816;
}
