package dev.multiwait.internal;

import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.WsaErrors;

/**
 * What a failed accept means for its listener. A failure that came as a completion packet is about
 * that one connection unless it names the listening socket itself (the re-posted AcceptEx then finds
 * out whether the listener is healthy: libuv does the same). An immediate failure of AcceptEx or of
 * the accept socket's creation is about the listener, except a connection-level error (Windows
 * documents WSAECONNRESET there) and a shortage of resources, which is retried later.
 */
enum AcceptFailures {
    /** That connection is lost: tell onAcceptFailed and post the accept again at once. */
    CONNECTION,
    /** Out of sockets, buffers or memory: tell onAcceptFailed and post the accept again after a back-off. */
    RETRY_LATER,
    /** The listening socket itself is unusable (closed, not listening, cancelled from outside): the listener ends. */
    LISTENER;

    static AcceptFailures of(int error, boolean immediate) {
        if (isAboutTheListener(error)) {
            return LISTENER;
        }
        if (isShortage(error)) {
            return RETRY_LATER;
        }
        return !immediate || WsaErrors.isConnectionLevel(error) ? CONNECTION : LISTENER;
    }

    private static boolean isAboutTheListener(int error) {
        switch (error) {
            case Win32Errors.ERROR_INVALID_HANDLE:
            case Win32Errors.ERROR_OPERATION_ABORTED: // the listening socket was closed or its I/O cancelled from outside
            case Win32Errors.ERROR_HANDLES_CLOSED: // Wine's status for I/O on a closed socket
            case WsaErrors.WSAENOTSOCK:
            case WsaErrors.WSAEINVAL: // not listening
            case WsaErrors.WSAEOPNOTSUPP:
            case WsaErrors.WSAEFAULT:
            case WsaErrors.WSAENETDOWN:
            case WsaErrors.WSANOTINITIALISED:
                return true;
            default:
                return false;
        }
    }

    private static boolean isShortage(int error) {
        switch (error) {
            case WsaErrors.WSAENOBUFS:
            case WsaErrors.WSAEMFILE:
            case Win32Errors.ERROR_NOT_ENOUGH_MEMORY:
            case Win32Errors.ERROR_OUTOFMEMORY:
            case Win32Errors.ERROR_NO_SYSTEM_RESOURCES:
            case Win32Errors.ERROR_NOT_ENOUGH_QUOTA:
                return true;
            default:
                return false;
        }
    }
}
