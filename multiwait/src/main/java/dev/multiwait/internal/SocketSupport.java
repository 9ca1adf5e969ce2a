package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/** Socket set-up shared by listeners and connects: Winsock start, overlapped sockets, bind. */
final class SocketSupport {
    private SocketSupport() {
    }

    static InetSocketAddress checkAddress(InetSocketAddress address, String what) {
        Objects.requireNonNull(address, what);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(what + " is unresolved: " + address);
        }
        return address;
    }

    static String familyName(int family) {
        return family == Winsock.AF_INET6 ? "AF_INET6" : "AF_INET";
    }

    /**
     * A new overlapped TCP socket that child processes do not inherit; throws a
     * {@link MultiWaitException} naming the family and the WSA error.
     */
    static long newSocket(Win32 win32, int family) {
        long s = newSocketOrInvalid(win32, family);
        if (s == Win32.INVALID_SOCKET) {
            int error = win32.lastError();
            throw new MultiWaitException("WSASocketW(" + familyName(family) + ")", 0, error, WsaErrors.hint(error));
        }
        return s;
    }

    /** As {@link #newSocket}, but INVALID_SOCKET (error in lastError) instead of throwing. */
    static long newSocketOrInvalid(Win32 win32, int family) {
        int started = win32.wsaStartup();
        if (started != 0) {
            throw new MultiWaitException("WSAStartup(2.2)", 0, started, null);
        }
        long s = win32.wsaSocket(family, Winsock.SOCK_STREAM, Winsock.IPPROTO_TCP,
                Winsock.WSA_FLAG_OVERLAPPED | Winsock.WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == Win32.INVALID_SOCKET && win32.lastError() == WsaErrors.WSAEINVAL) {
            // before Windows 7 SP1 the no-inherit flag is unknown
            s = win32.wsaSocket(family, Winsock.SOCK_STREAM, Winsock.IPPROTO_TCP, Winsock.WSA_FLAG_OVERLAPPED);
        }
        return s;
    }

    /** bind(); throws naming the socket and the address. */
    static void bind(Win32 win32, long socket, InetSocketAddress address) {
        try (Memory sa = new Memory(Winsock.SOCKADDR_MAX)) {
            int len = Winsock.encode(address, Pointer.nativeValue(sa));
            if (!win32.bind(socket, Pointer.nativeValue(sa), len)) {
                int error = win32.lastError();
                throw new MultiWaitException("bind(" + address + ")", socket, error, WsaErrors.hint(error));
            }
        }
    }

    /**
     * The address a bound socket has (with the port the system chose for port 0); throws naming the
     * socket and {@code requested} if getsockname fails (guessing would report port 0 as bound).
     */
    static InetSocketAddress localAddress(Win32 win32, long socket, InetSocketAddress requested) {
        InetSocketAddress got = socketAddress(win32, socket, false, "getsockname(" + requested + ")");
        return got != null ? got : requested;
    }

    /** getpeername ({@code peer}) or getsockname of a socket, decoded; throws naming {@code call} and the socket. */
    static InetSocketAddress socketAddress(Win32 win32, long socket, boolean peer, String call) {
        try (Memory sa = new Memory(Winsock.SOCKADDR_MAX + 8)) {
            long len = Pointer.nativeValue(sa) + Winsock.SOCKADDR_MAX;
            sa.setInt(Winsock.SOCKADDR_MAX, Winsock.SOCKADDR_MAX);
            boolean ok = peer ? win32.getPeerName(socket, Pointer.nativeValue(sa), len)
                    : win32.getSockName(socket, Pointer.nativeValue(sa), len);
            if (!ok) {
                int error = win32.lastError();
                throw new MultiWaitException(call, socket, error, WsaErrors.hint(error));
            }
            return Winsock.decode(Pointer.nativeValue(sa), sa.getInt(Winsock.SOCKADDR_MAX));
        }
    }

    /**
     * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on a socket, but only when its provider hands out real
     * kernel handles (XP1_IFS_HANDLES): with a layered (non-IFS) provider in the chain a synchronous
     * success may still queue a packet, so skipping is unsafe there (libuv makes the same check).
     * False whenever that cannot be established: every operation then waits for its packet.
     * {@code ifsHandles} comes from {@link #hasIfsHandles} (an accepted socket has its listener's).
     */
    static boolean skipOnSuccess(Win32 win32, long socket, boolean ifsHandles) {
        return ifsHandles && win32.setFileCompletionNotificationModes(socket,
                Layouts.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Layouts.FILE_SKIP_SET_EVENT_ON_HANDLE);
    }

    /** The socket's provider hands out real kernel handles (XP1_IFS_HANDLES); false if that cannot be read. */
    static boolean hasIfsHandles(Win32 win32, long socket) {
        try (Memory info = new Memory(Winsock.WSAPROTOCOL_INFOW_SIZE + 8)) {
            info.clear();
            long len = Pointer.nativeValue(info) + Winsock.WSAPROTOCOL_INFOW_SIZE;
            info.setInt(Winsock.WSAPROTOCOL_INFOW_SIZE, Winsock.WSAPROTOCOL_INFOW_SIZE);
            return win32.getSockOpt(socket, Winsock.SOL_SOCKET, Winsock.SO_PROTOCOL_INFOW, Pointer.nativeValue(info), len)
                    && (info.getInt(0) & Winsock.XP1_IFS_HANDLES) != 0;
        }
    }

    /** Throws naming the handle if it is not a socket (getsockopt(SO_TYPE) fails with WSAENOTSOCK). */
    static void checkSocket(Win32 win32, long socket) {
        if (!isSocket(win32, socket)) {
            int error = win32.lastError();
            throw new MultiWaitException("attachSocket", socket, error, "not an open socket (use attach() for pipes and files)");
        }
    }

    /** getsockopt(SO_TYPE) works on it; if not, the WSA error is in lastError. */
    static boolean isSocket(Win32 win32, long handle) {
        try (Memory value = new Memory(8)) {
            value.setInt(4, 4);
            return win32.getSockOpt(handle, Winsock.SOL_SOCKET, Winsock.SO_TYPE, Pointer.nativeValue(value),
                    Pointer.nativeValue(value) + 4);
        }
    }

    /**
     * The address of an extension function ({@link Win32#ACCEPT_EX}...) for {@code socket}'s provider;
     * throws naming the function, the socket and the WSA error if WSAIoctl cannot give it.
     */
    static long extensionFunction(Win32 win32, long socket, int which) {
        long fn = win32.extensionFunction(socket, which);
        if (fn == 0) {
            int error = win32.lastError();
            String name = which == Win32.ACCEPT_EX ? "AcceptEx"
                    : which == Win32.GET_ACCEPT_EX_SOCKADDRS ? "GetAcceptExSockaddrs" : "ConnectEx";
            throw new MultiWaitException("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, " + name + ")", socket, error,
                    "the socket's provider does not offer " + name);
        }
        return fn;
    }

    /** The any address of {@code family}, port 0: what ConnectEx needs its socket bound to. */
    static InetSocketAddress anyOf(int family) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[family == Winsock.AF_INET6 ? 16 : 4]), 0);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static int familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? Winsock.AF_INET6 : Winsock.AF_INET;
    }
}
