package dev.multiwait.win32;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * JNA direct-mapped ws2_32 entry points, plus the Winsock extension functions (AcceptEx,
 * GetAcceptExSockaddrs, ConnectEx) looked up per socket with WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER).
 * Pointers are raw addresses of native memory the library owns. Every call returns the Winsock
 * convention (0 / SOCKET_ERROR, INVALID_SOCKET); the error is left for GetLastError, which is
 * where WSAGetLastError reads it.
 */
final class Ws2_32Direct {
    static {
        Native.register(Ws2_32Direct.class, NativeLibrary.getInstance("ws2_32"));
    }

    static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;
    /** {b5367df1-cbac-11cf-95ca-00805f48a192} */
    static final byte[] WSAID_ACCEPTEX = guid(0xb5367df1, (short) 0xcbac, (short) 0x11cf,
            new byte[] {(byte) 0x95, (byte) 0xca, 0x00, (byte) 0x80, 0x5f, 0x48, (byte) 0xa1, (byte) 0x92});
    /** {b5367df2-cbac-11cf-95ca-00805f48a192} */
    static final byte[] WSAID_GETACCEPTEXSOCKADDRS = guid(0xb5367df2, (short) 0xcbac, (short) 0x11cf,
            new byte[] {(byte) 0x95, (byte) 0xca, 0x00, (byte) 0x80, 0x5f, 0x48, (byte) 0xa1, (byte) 0x92});
    /** {25a207b9-ddf3-4660-8ee9-76e58c74063e} */
    static final byte[] WSAID_CONNECTEX = guid(0x25a207b9, (short) 0xddf3, (short) 0x4660,
            new byte[] {(byte) 0x8e, (byte) 0xe9, 0x76, (byte) 0xe5, (byte) 0x8c, 0x74, 0x06, 0x3e});

    private Ws2_32Direct() {
    }

    static native int WSAStartup(short version, long wsaData);

    static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    static native int bind(long s, long name, int nameLength);

    static native int listen(long s, int backlog);

    static native int getsockname(long s, long name, long nameLengthInOut);

    static native int getpeername(long s, long name, long nameLengthInOut);

    static native int setsockopt(long s, int level, int option, long value, int length);

    static native int getsockopt(long s, int level, int option, long value, long lengthInOut);

    static native int WSAIoctl(long s, int code, long in, int inLength, long out, int outLength, long returned,
                               long overlapped, long completionRoutine);

    static native int WSARecv(long s, long buffers, int count, long received, long flagsInOut, long overlapped,
                              long completionRoutine);

    static native int WSASend(long s, long buffers, int count, long sent, int flags, long overlapped,
                              long completionRoutine);

    static native int shutdown(long s, int how);

    static native int closesocket(long s);

    /**
     * Looks an extension function up on {@code socket}'s provider: its address, or 0 if WSAIoctl
     * failed (its error is then in GetLastError).
     */
    static long extension(long socket, byte[] guid) {
        try (Memory in = new Memory(16); Memory out = new Memory(16)) {
            in.write(0, guid, 0, 16);
            out.clear();
            int rc = WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, Pointer.nativeValue(in), 16,
                    Pointer.nativeValue(out), 8, Pointer.nativeValue(out) + 8, 0, 0);
            long fn = out.getLong(0);
            return rc != 0 ? 0 : fn;
        }
    }

    private static byte[] guid(int data1, short data2, short data3, byte[] data4) {
        byte[] g = new byte[16];
        for (int i = 0; i < 4; i++) {
            g[i] = (byte) (data1 >>> (8 * i));
        }
        g[4] = (byte) data2;
        g[5] = (byte) (data2 >>> 8);
        g[6] = (byte) data3;
        g[7] = (byte) (data3 >>> 8);
        System.arraycopy(data4, 0, g, 8, 8);
        return g;
    }
}
