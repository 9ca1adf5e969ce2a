package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real message-mode pipe (issue 10 item 1): messages longer than the read buffer arrive as FALSE/234
 * reads whose bytes and packets must all be taken, in order, by a plain read and by a relay.
 */
class MessagePipeTest {
    static final int MESSAGES = 200;
    private static final int PIPE_TYPE_MESSAGE = 0x4;
    private static final int PIPE_READMODE_MESSAGE = 0x2;

    /** A connected pair of a message-mode pipe, both ends overlapped and in message read mode. */
    static OverlappedPipe.Pair messagePair() {
        String name = OverlappedPipe.uniqueName();
        WinNT.HANDLE server = Kernel32.INSTANCE.CreateNamedPipe(name,
                WinBase.PIPE_ACCESS_DUPLEX | WinNT.FILE_FLAG_OVERLAPPED,
                PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | WinBase.PIPE_WAIT, 1, 4096, 4096, 0, null);
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, server, "CreateNamedPipe: " + Kernel32.INSTANCE.GetLastError());
        WinNT.HANDLE client = Handles.handle(OverlappedPipe.openClient(name));
        assertTrue(Kernel32.INSTANCE.SetNamedPipeHandleState(client, new IntByReference(PIPE_READMODE_MESSAGE), null,
                null), "SetNamedPipeHandleState: " + Kernel32.INSTANCE.GetLastError());
        return new OverlappedPipe.Pair(Handles.raw(server), Handles.raw(client), name);
    }

    /** MESSAGES messages of 1..300 bytes, each a distinct pattern. */
    static byte[][] messages(long seed) {
        Random r = new Random(seed);
        byte[][] m = new byte[MESSAGES][];
        for (int i = 0; i < MESSAGES; i++) {
            m[i] = new byte[1 + r.nextInt(300)];
            r.nextBytes(m[i]);
        }
        return m;
    }

    static byte[] concat(byte[][] parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** Writes every message (one WriteFile each: one message each), then closes {@code to}. */
    static void sendAll(StreamHandle to, byte[][] messages, AtomicInteger written) {
        for (int i = 0; i < messages.length; i++) {
            boolean last = i == messages.length - 1;
            to.write(ByteBuffer.wrap(messages[i]), (n, err) -> {
                assertNull(err);
                written.addAndGet(n);
                if (last) {
                    to.close();
                }
            });
        }
    }

    @Test
    void everyByteOfManyMessagesLongerThanTheBufferArrivesInOrder() {
        byte[][] messages = messages(1);
        byte[] expected = concat(messages);
        Pipes.Collector got = new Pipes.Collector();
        AtomicInteger written = new AtomicInteger();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            OverlappedPipe.Pair pair = messagePair();
            StreamHandle server = wait.attach(pair.server());
            StreamHandle client = wait.attach(pair.client());
            assertFalse(server.toString().contains("skip-on-success"), "a message pipe must wait for every packet");
            server.read(16, got);
            sendAll(client, messages, written);
            wait.run();
            assertEquals(0, wait.registrationCount());
        }
        assertEquals(expected.length, written.get());
        assertNull(got.error);
        assertEquals(CloseReason.COMPLETED, got.reason);
        assertArrayEquals(expected, got.data(), "every byte, in order");
        assertTrue(got.chunks >= expected.length / 16, "16-byte reads: " + got.chunks);
    }

    @Test
    void aRelayFromAMessagePipeMovesEveryByte() {
        byte[][] messages = messages(2);
        byte[] expected = concat(messages);
        Pipes.Collector got = new Pipes.Collector();
        AtomicInteger written = new AtomicInteger();
        CloseReason[] relayEnd = new CloseReason[1];
        Exception[] relayError = new Exception[1];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            OverlappedPipe.Pair msg = messagePair();
            OverlappedPipe.Pair bytes = OverlappedPipe.create();
            StreamHandle msgServer = wait.attach(msg.server());
            StreamHandle msgClient = wait.attach(msg.client());
            StreamHandle byteServer = wait.attach(bytes.server());
            StreamHandle byteClient = wait.attach(bytes.client());
            // a 16-byte ring: most messages outgrow the room a read has
            Registration relay = wait.relay(msgServer, byteServer, 16, (reason, error) -> {
                relayEnd[0] = reason;
                relayError[0] = error;
            });
            byteClient.read(4096, data -> {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                got.bytes.writeBytes(b);
                if (got.bytes.size() == expected.length) {
                    byteClient.close(); // everything is through: end the other direction too
                }
            });
            sendAll(msgClient, messages, written);
            wait.run();
            assertFalse(relay.isActive());
        }
        assertNull(relayError[0], "234 is a message going on, not a failure");
        assertEquals(CloseReason.COMPLETED, relayEnd[0]);
        assertArrayEquals(expected, got.data(), "every byte, in order");
    }

    @Test
    void attachTellsMessagePipesAndSocketsApartAtAttach() {
        FaultyWin32 counted = new FaultyWin32();
        try (MultiHandleWait wait = Waiters.create(counted, 64)) {
            OverlappedPipe.Pair bytes = OverlappedPipe.create();
            assertTrue(wait.attach(bytes.server()).toString().contains("skip-on-success"), "a byte pipe skips");
            wait.attach(bytes.client());
            long raw = counted.wsaSocket(2, 1, 6, 1); // AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED
            int sockOpts = counted.calls(FaultyWin32.Call.GET_SOCK_OPT);
            // a socket given to attach(): not a pipe, GetFileType says pipe, getsockopt(SO_TYPE) works: a socket,
            // whose provider is asked (SO_PROTOCOL_INFOW) before skip-on-success, closed with closesocket
            StreamHandle socket = wait.attach(Handles.raw(new WinNT.HANDLE(new com.sun.jna.Pointer(raw))));
            assertEquals(sockOpts + 2, counted.calls(FaultyWin32.Call.GET_SOCK_OPT), "SO_TYPE, then SO_PROTOCOL_INFOW");
            assertTrue(socket.isSocket());
            int closes = counted.calls(FaultyWin32.Call.CLOSE_SOCKET);
            socket.close();
            wait.runOnce(java.time.Duration.ZERO);
            assertEquals(closes + 1, counted.calls(FaultyWin32.Call.CLOSE_SOCKET), "closed as a socket");
            assertEquals(3, counted.calls(FaultyWin32.Call.GET_NAMED_PIPE_INFO));
            // Wine's provider hands out kernel handles, as Windows' own does
            assertTrue(socket.toString().contains("skip-on-success"), socket.toString());
        }
    }
}
