package dev.multiwait.internal;

import com.sun.jna.Pointer;
import dev.multiwait.CloseReason;
import dev.multiwait.Registration;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Message-mode pipes (issue 10 item 1): a read shorter than its message returns FALSE/234 with bytes
 * copied and still queues a packet (native-probes/probe_message.c). Exact packet accounting: no
 * OVERLAPPED is reissued while a packet for it is queued, every packet finds its operation once, and
 * every byte arrives in order. Also: which handles get skip-on-success at attach.
 */
class MessagePipeTest {
    /** STATUS_BUFFER_OVERFLOW as this harness encodes NTSTATUS (its mock keeps the low 28 bits). */
    static final int MORE_DATA_STATUS = 0x80000000 | Win32Errors.ERROR_MORE_DATA;

    /** The mock kernel says {@code handle} is a pipe of the given type. */
    static void pipeInfo(Harness h, long handle, boolean message) {
        doAnswer(i -> {
            new Pointer((long) i.getArgument(1)).setInt(0, message ? Layouts.PIPE_TYPE_MESSAGE : 0);
            return true;
        }).when(h.win32).getNamedPipeInfo(eq(handle), anyLong());
    }

    /**
     * A read of a message with {@code rest} still waiting: copies what fits, writes the warning into
     * the OVERLAPPED, queues the packet (no skip-on-success: Windows and Wine both do) and returns FALSE/234.
     */
    static Harness.Script moreData(String message) {
        return (h, io) -> {
            byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
            int n = Math.min(b.length, io.length());
            new Pointer(io.buffer()).write(0, b, 0, n);
            Pointer ov = new Pointer(io.overlapped());
            ov.setInt(Layouts.OVERLAPPED_INTERNAL, MORE_DATA_STATUS);
            ov.setLong(Layouts.OVERLAPPED_INTERNAL_HIGH, n);
            h.port.push(h.port.keyOf(io.handle()), io.overlapped(), n);
            h.lastError = Win32Errors.ERROR_MORE_DATA;
            return false;
        };
    }

    /** A pending read ends with the part of a message that fit, and 234: buffer, OVERLAPPED, packet. */
    static void endsInMoreData(Harness h, Harness.Io io, String part) {
        byte[] b = part.getBytes(StandardCharsets.ISO_8859_1);
        new Pointer(io.buffer()).write(0, b, 0, b.length);
        Pointer ov = new Pointer(io.overlapped());
        ov.setInt(Layouts.OVERLAPPED_INTERNAL, MORE_DATA_STATUS);
        ov.setLong(Layouts.OVERLAPPED_INTERNAL_HIGH, b.length);
        h.port.push(h.port.keyOf(io.handle()), io.overlapped(), b.length);
    }

    /** Wraps a script: records a violation if the call reuses an OVERLAPPED a queued packet still names. */
    static Harness.Script accounted(List<String> violations, Harness.Script s) {
        return (h, io) -> {
            for (MemoryPort.Packet p : h.port.snapshot()) {
                if (p.overlapped() == io.overlapped()) {
                    violations.add("ReadFile reissued on OVERLAPPED 0x" + Long.toHexString(io.overlapped())
                            + " while its packet is still queued");
                }
            }
            return s.run(h, io);
        };
    }

    @Test
    void anImmediateMoreDataWaitsForItsPacketAndDeliversEveryByteInOrder() {
        Harness h = new Harness(false);
        pipeInfo(h, Harness.H, true);
        List<String> violations = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        h.loop.setErrorHandler((r, t) -> errors.add(t));
        // a 20-byte message through an 8-byte buffer: 234, 234, then TRUE (and its packet), then pending
        h.onRead(accounted(violations, moreData("01234567")), accounted(violations, moreData("89ABCDEF")),
                accounted(violations, Harness.syncRead("GHIJ", true)), accounted(violations, Harness.PENDING));
        Recorder rec = new Recorder();
        Registration reg = h.attach().read(8, rec);
        h.settle();
        assertEquals(List.of(), violations);
        assertEquals(List.of(), errors, "every packet must find the read it belongs to");
        assertEquals(List.of("data:01234567", "data:89ABCDEF", "data:GHIJ"), rec.events);
        assertEquals(4, h.reads.size(), "one read per packet, the fourth pending");
        assertEquals(0, h.port.queued());
        assertTrue(reg.isActive());

        h.completeRead(h.read(3), Win32Errors.ERROR_BROKEN_PIPE, "");
        h.settle();
        assertEquals(CloseReason.COMPLETED, rec.reason);
        assertFalse(Harness.opAllocated(reg), "freed once its last packet was consumed");
    }

    @Test
    void aPendingReadEndingInMoreDataDeliversAndReadsOn() {
        Harness h = new Harness(false);
        pipeInfo(h, Harness.H, true);
        Recorder rec = new Recorder();
        h.attach().read(4, rec);
        h.settle();
        endsInMoreData(h, h.read(0), "abcd");
        h.settle();
        assertEquals(List.of("data:abcd"), rec.events);
        assertEquals(2, h.reads.size());
        assertNull(rec.reason);
    }

    @Test
    void aMessagePipeNeverGetsSkipOnSuccessAByteModePipeDoes() {
        Harness h = new Harness(true);
        pipeInfo(h, 0x10, true);
        pipeInfo(h, 0x20, false);
        StreamEntry message = h.attach(0x10);
        StreamEntry bytes = h.attach(0x20);
        verify(h.win32, never()).setFileCompletionNotificationModes(eq(0x10L), anyInt());
        assertFalse(message.skipOnSuccess);
        assertTrue(bytes.skipOnSuccess);
    }

    @Test
    void aSocketGivenToAttachGetsSkipOnSuccessOnlyFromAnIfsProvider() {
        Harness h = new Harness(true);
        // not a pipe (GetNamedPipeInfo fails), yet GetFileType says pipe: a socket
        when(h.win32.getFileType(anyLong())).thenReturn(Win32.FILE_TYPE_PIPE);
        doAnswer(i -> {
            long socket = i.getArgument(0);
            new Pointer((long) i.getArgument(3)).setInt(0, socket == 0x30 ? Winsock.XP1_IFS_HANDLES : 0);
            return true;
        }).when(h.win32).getSockOpt(anyLong(), eq(Winsock.SOL_SOCKET), eq(Winsock.SO_PROTOCOL_INFOW), anyLong(),
                anyLong());
        StreamEntry ifs = h.attach(0x30);
        StreamEntry layered = h.attach(0x40);
        verify(h.win32, never()).setFileCompletionNotificationModes(eq(0x40L), anyInt());
        assertFalse(layered.skipOnSuccess, "a layered provider may queue a packet after an inline success");
        assertTrue(ifs.skipOnSuccess);
    }

    @Test
    void aRelayReadsOnWhenAMessageOutgrowsItsRoom() {
        Harness h = new Harness(false);
        pipeInfo(h, RelayPumpTest.A, true);
        StreamEntry a = h.attach(RelayPumpTest.A);
        StreamEntry b = h.attach(RelayPumpTest.B);
        RelayPumpTest.Events ev = new RelayPumpTest.Events();
        ev.a = a;
        Relay r = Relay.open(h.loop, a, b, 8, ev);
        h.settle();
        Harness.Io read = h.reads.stream().filter(io -> io.handle() == RelayPumpTest.A).findFirst().orElseThrow();
        endsInMoreData(h, read, "01234567");
        h.settle();
        assertTrue(r.isActive(), "234 is a message going on, not a failure: " + ev.error);
        assertEquals(List.of("01234567"), h.written, "the bytes that came with 234 are relayed");
    }
}
