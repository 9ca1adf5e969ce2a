package dev.multiwait.win32;

import com.sun.jna.Pointer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Winsock constants, x64 layouts, and SOCKADDR_IN / SOCKADDR_IN6 in native memory. */
public final class Winsock {
    private Winsock() {
    }

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 23;
    public static final int SOCK_STREAM = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int WSA_FLAG_OVERLAPPED = 0x01;
    /** Windows 7 SP1 and later: the socket is not inherited by child processes. */
    public static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    public static final int SO_UPDATE_CONNECT_CONTEXT = 0x7010;
    public static final int SD_SEND = 1;
    /** getsockopt(SO_PROTOCOL_INFOW): the socket's WSAPROTOCOL_INFOW (628 bytes; dwServiceFlags1 first). */
    public static final int SO_PROTOCOL_INFOW = 0x2005;
    /** getsockopt(SO_TYPE): fails with WSAENOTSOCK on anything that is not a socket. */
    public static final int SO_TYPE = 0x1008;
    public static final int WSAPROTOCOL_INFOW_SIZE = 628;
    /** dwServiceFlags1 bit: the provider's sockets are real kernel (IFS) handles. */
    public static final int XP1_IFS_HANDLES = 0x00020000;
    public static final int SOMAXCONN = 0x7fffffff;

    /** WSABUF: ULONG len, (padding), CHAR* buf. */
    public static final int WSABUF_SIZE = 16;
    public static final int WSABUF_LEN = 0;
    public static final int WSABUF_BUF = 8;

    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int SOCKADDR_IN6_SIZE = 28;
    /** Room for the largest address this library uses (SOCKADDR_IN6). */
    public static final int SOCKADDR_MAX = SOCKADDR_IN6_SIZE;
    /** Each AcceptEx address slot: the largest sockaddr plus the 16 bytes AcceptEx requires. */
    public static final int ACCEPT_ADDRESS_LENGTH = SOCKADDR_MAX + 16;

    public static int family(InetAddress address) {
        return address instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /** Writes {@code address} as SOCKADDR_IN or SOCKADDR_IN6 at {@code at}; returns its length. */
    public static int encode(InetSocketAddress address, long at) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        Pointer p = new Pointer(at);
        int port = address.getPort();
        if (ip instanceof Inet4Address) {
            p.setMemory(0, SOCKADDR_IN_SIZE, (byte) 0);
            p.setShort(0, (short) AF_INET);
            p.setByte(2, (byte) (port >>> 8));
            p.setByte(3, (byte) port);
            p.write(4, ip.getAddress(), 0, 4);
            return SOCKADDR_IN_SIZE;
        }
        p.setMemory(0, SOCKADDR_IN6_SIZE, (byte) 0);
        p.setShort(0, (short) AF_INET6);
        p.setByte(2, (byte) (port >>> 8));
        p.setByte(3, (byte) port);
        p.write(8, ip.getAddress(), 0, 16);
        p.setInt(24, ((Inet6Address) ip).getScopeId());
        return SOCKADDR_IN6_SIZE;
    }

    /** Reads a SOCKADDR_IN or SOCKADDR_IN6 at {@code at}; null for another family or a short length. */
    public static InetSocketAddress decode(long at, int length) {
        if (at == 0 || length < 2) {
            return null;
        }
        Pointer p = new Pointer(at);
        int family = p.getShort(0) & 0xffff;
        try {
            if (family == AF_INET && length >= SOCKADDR_IN_SIZE) {
                return new InetSocketAddress(InetAddress.getByAddress(p.getByteArray(4, 4)), port(p));
            }
            if (family == AF_INET6 && length >= SOCKADDR_IN6_SIZE) {
                byte[] ip = p.getByteArray(8, 16);
                int scope = p.getInt(24);
                InetAddress a = scope != 0 ? Inet6Address.getByAddress(null, ip, scope) : InetAddress.getByAddress(ip);
                return new InetSocketAddress(a, port(p));
            }
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
        return null;
    }

    private static int port(Pointer p) {
        return ((p.getByte(2) & 0xff) << 8) | (p.getByte(3) & 0xff);
    }
}
