package dev.multiwait.internal;

import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;

/**
 * What differs between a file or pipe handle and a socket: the calls that read, write and close it,
 * how a finished operation's status decodes, what ends its stream, and whether it can half-close.
 * Everything above these calls is shared.
 */
enum HandleKind implements NativeOp.StatusDecoder {
    /** ReadFile/WriteFile/CloseHandle; Win32 errors; end of stream also as a pipe's 109/38/233. */
    FILE("ReadFile", "WriteFile", "CloseHandle", "StreamHandle") {
        @Override
        boolean issueRead(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2, int length2) {
            return win32.readFile(handle, buffer, length, op.overlapped); // one buffer: the second span waits
        }

        @Override
        boolean issueWrite(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2, int length2) {
            return win32.writeFile(handle, buffer, length, op.overlapped);
        }

        @Override
        boolean close(Win32 win32, long handle) {
            return win32.closeHandle(handle);
        }

        @Override
        public int decode(int ntStatus, Win32 win32) {
            return ntStatus == 0 ? 0 : win32.ntStatusToWin32(ntStatus);
        }

        @Override
        boolean endsStream(int error) {
            return error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_HANDLE_EOF
                    || error == Win32Errors.ERROR_PIPE_NOT_CONNECTED;
        }

        @Override
        String hint(int error) {
            return null;
        }
    },

    /** WSARecv/WSASend (scatter and gather over two spans)/closesocket; WSA errors; a half-close is shutdown(SD_SEND). */
    SOCKET("WSARecv", "WSASend", "closesocket", "SocketHandle") {
        @Override
        boolean issueRead(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2, int length2) {
            op.setScratchInt(FLAGS_AT, 0);
            return win32.wsaRecv(handle, op.scratch + WSABUFS_AT, spans(op, buffer, length, buffer2, length2),
                    op.scratch + FLAGS_AT, op.overlapped);
        }

        @Override
        boolean issueWrite(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2, int length2) {
            return win32.wsaSend(handle, op.scratch + WSABUFS_AT, spans(op, buffer, length, buffer2, length2), 0,
                    op.overlapped);
        }

        @Override
        boolean close(Win32 win32, long handle) {
            return win32.closeSocket(handle);
        }

        @Override
        public int decode(int ntStatus, Win32 win32) {
            return WsaErrors.fromNtStatus(ntStatus, win32);
        }

        @Override
        boolean endsStream(int error) {
            return false;
        }

        @Override
        String hint(int error) {
            return WsaErrors.hint(error);
        }

        @Override
        boolean scatters() {
            return true;
        }

        @Override
        boolean halfCloses() {
            return true;
        }
    };

    /** Where the WSARecv flags sit in an operation's scratch; the WSABUFs follow them. */
    private static final int FLAGS_AT = 0;
    private static final int WSABUFS_AT = 8;
    /** Scratch every read/write NativeOp carries: the WSARecv flags and one WSABUF. */
    static final int IO_SCRATCH = WSABUFS_AT + Winsock.WSABUF_SIZE;
    /** Scratch for an operation on two spans at once (a relay ring that wraps): flags and two WSABUFs. */
    static final int TWO_SPAN_SCRATCH = WSABUFS_AT + 2 * Winsock.WSABUF_SIZE;

    final String readCall;
    final String writeCall;
    final String closeCall;
    final String typeName;

    HandleKind(String readCall, String writeCall, String closeCall, String typeName) {
        this.readCall = readCall;
        this.writeCall = writeCall;
        this.closeCall = closeCall;
        this.typeName = typeName;
    }

    /** Issues a read into one span, or two where the call scatters ({@code op} prepared, with scratch). */
    abstract boolean issueRead(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2,
                               int length2);

    abstract boolean issueWrite(Win32 win32, long handle, NativeOp op, long buffer, int length, long buffer2,
                                int length2);

    abstract boolean close(Win32 win32, long handle);

    /** A failed read's error that means end of stream rather than failure. */
    abstract boolean endsStream(int error);

    /** A hint for an error message, or null. */
    abstract String hint(int error);

    /** A read or write may span two buffers at once (WSARecv/WSASend scatter and gather). */
    boolean scatters() {
        return false;
    }

    /** Output can be shut while reading goes on (shutdown(SD_SEND)); else a half-close closes the handle when idle. */
    boolean halfCloses() {
        return false;
    }

    /** Fills the WSABUFs in {@code op}'s scratch: the second only if it is not empty. Returns their count. */
    private static int spans(NativeOp op, long buffer, int length, long buffer2, int length2) {
        op.setScratchInt(WSABUFS_AT + Winsock.WSABUF_LEN, length);
        op.setScratchLong(WSABUFS_AT + Winsock.WSABUF_BUF, buffer);
        if (length2 <= 0) {
            return 1;
        }
        op.setScratchInt(WSABUFS_AT + Winsock.WSABUF_SIZE + Winsock.WSABUF_LEN, length2);
        op.setScratchLong(WSABUFS_AT + Winsock.WSABUF_SIZE + Winsock.WSABUF_BUF, buffer2);
        return 2;
    }
}
