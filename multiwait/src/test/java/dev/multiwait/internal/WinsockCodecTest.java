package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** SOCKADDR layouts and the socket error mapping, without Windows. */
class WinsockCodecTest {
    @Test
    void ipv4AndIpv6AddressesRoundTripInTheWindowsLayout() throws Exception {
        try (Memory m = new Memory(Winsock.SOCKADDR_MAX)) {
            long at = Pointer.nativeValue(m);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1f90);
            assertEquals(16, Winsock.encode(v4, at));
            assertEquals(2, m.getShort(0), "AF_INET");
            assertEquals(0x1f, m.getByte(2) & 0xff, "port in network order");
            assertEquals(0x90, m.getByte(3) & 0xff);
            assertEquals(10, m.getByte(4));
            assertEquals(v4, Winsock.decode(at, 16));

            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
            assertEquals(28, Winsock.encode(v6, at));
            assertEquals(23, m.getShort(0), "AF_INET6 is 23 on Windows");
            assertEquals(1, m.getByte(23), "last byte of ::1 at offset 8 + 15");
            assertEquals(v6, Winsock.decode(at, 28));

            assertNull(Winsock.decode(at, 27), "too short for the family");
            assertThrows(IllegalArgumentException.class,
                    () -> Winsock.encode(InetSocketAddress.createUnresolved("x", 1), at));
        }
    }

    @Test
    void socketStatusesMapToWinsockErrors() {
        Win32 win32 = mock(Win32.class);
        when(win32.ntStatusToWin32(anyInt())).thenReturn(12345);
        assertEquals(0, WsaErrors.fromNtStatus(0, win32));
        assertEquals(10054, WsaErrors.fromNtStatus(0xC000020D, win32), "STATUS_CONNECTION_RESET");
        assertEquals(10061, WsaErrors.fromNtStatus(0xC0000236, win32), "STATUS_CONNECTION_REFUSED");
        assertEquals(10060, WsaErrors.fromNtStatus(0xC00000B5, win32), "STATUS_IO_TIMEOUT");
        assertEquals(10065, WsaErrors.fromNtStatus(0xC000023D, win32), "STATUS_HOST_UNREACHABLE");
        assertEquals(10051, WsaErrors.fromNtStatus(0xC000023C, win32), "STATUS_NETWORK_UNREACHABLE");
        assertEquals(10053, WsaErrors.fromNtStatus(0xC000013B, win32), "STATUS_LOCAL_DISCONNECT");
        assertEquals(995, WsaErrors.fromNtStatus(0xC0000120, win32), "STATUS_CANCELLED stays 995");
        assertEquals(12345, WsaErrors.fromNtStatus(0xC0000001, win32), "anything else: the Win32 translation");
        assertTrue(WsaErrors.isConnectionLevel(10054));
        assertTrue(WsaErrors.isConnectionLevel(64));
        assertTrue(!WsaErrors.isConnectionLevel(10038));
        assertTrue(WsaErrors.isConnectionLevel(59), "Wine's ERROR_UNEXP_NET_ERR");
        // Wine 8 fails an AcceptEx whose client reset with STATUS_INVALID_CONNECTION (0xC0000140), which
        // the table had under 0xC0000235 (STATUS_HANDLE_NOT_CLOSABLE): GetLastError's 59 came through instead
        assertEquals(10057, WsaErrors.fromNtStatus(0xC0000140, win32), "STATUS_INVALID_CONNECTION");
        assertEquals(12345, WsaErrors.fromNtStatus(0xC0000235, win32), "STATUS_HANDLE_NOT_CLOSABLE is no socket status");
    }

    @Test
    void everyErrorTheLibraryGivesMeaningToHasAName() throws Exception {
        for (Class<?> c : new Class<?>[] {dev.multiwait.win32.Win32Errors.class, WsaErrors.class}) {
            for (java.lang.reflect.Field f : c.getFields()) {
                if (f.getType() == int.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    int code = f.getInt(null);
                    assertEquals(f.getName(), ErrorText.name(code), c.getSimpleName() + "." + f.getName());
                }
            }
        }
        assertEquals("ERROR_UNEXP_NET_ERR", ErrorText.name(59));
    }

    @Test
    void messagesNameTheErrorAndExplainIt() {
        String m = new MultiWaitException("ConnectEx to /127.0.0.1:9", 0x3f4, 10061, WsaErrors.hint(10061)).getMessage();
        assertEquals("ConnectEx to /127.0.0.1:9 on handle 0x3f4 failed: Win32 error 10061 (WSAECONNREFUSED): "
                + "connection refused: nothing is listening there", m);
        assertTrue(ErrorText.name(10060).equals("WSAETIMEDOUT"));
        assertTrue(WsaErrors.hint(10060).contains("timed out"));
        assertTrue(WsaErrors.hint(10051).contains("unreachable"));
        assertTrue(WsaErrors.hint(10065).contains("unreachable"));
    }
}
