package dev.multiwait.internal;

import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The real port's translation between the Win32 calls and the loop's batch, against a scripted kernel. */
class IocpPortTest {
    static final long PORT = 0x88;
    final Win32 win32 = mock(Win32.class);
    volatile int lastError;

    @BeforeEach
    void setUp() {
        when(win32.lastError()).thenAnswer(i -> lastError);
        when(win32.createIoCompletionPort(Win32.INVALID_HANDLE_VALUE, 0, 0, 1)).thenReturn(PORT);
    }

    @Test
    void creationFailureNamesTheCall() {
        when(win32.createIoCompletionPort(Win32.INVALID_HANDLE_VALUE, 0, 0, 1)).thenAnswer(i -> {
            lastError = 8;
            return 0L;
        });
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> new IocpPort(win32, 4));
        assertTrue(e.getMessage().contains("CreateIoCompletionPort"), e.getMessage());
        assertEquals(8, e.win32Error());
    }

    @Test
    void dequeueReadsEveryEntryOfTheBatch() {
        IocpPort port = new IocpPort(win32, 8);
        AtomicInteger asked = new AtomicInteger();
        doAnswer(i -> {
            long entries = i.getArgument(1);
            asked.set(i.getArgument(2));
            Pointer p = new Pointer(entries);
            for (int k = 0; k < 3; k++) {
                long at = (long) k * Layouts.ENTRY_SIZE;
                p.setLong(at + Layouts.ENTRY_KEY, 0x100000000L * (k + 1) + k);
                p.setLong(at + Layouts.ENTRY_OVERLAPPED, 0x7000L + k);
                p.setLong(at + 16, 0xC0000120L); // Internal: not what the loop reads
                p.setInt(at + Layouts.ENTRY_BYTES, 100 * k);
            }
            new Pointer(i.<Long>getArgument(3)).setInt(0, 3);
            return true;
        }).when(win32).getQueuedCompletionStatusEx(eq(PORT), anyLong(), anyInt(), anyLong(), eq(250));
        PacketBatch out = new PacketBatch(4);
        port.dequeue(out, 250);
        assertEquals(4, asked.get(), "asks for no more than the batch holds");
        assertEquals(3, out.count);
        for (int k = 0; k < 3; k++) {
            assertEquals(0x100000000L * (k + 1) + k, out.keys[k]);
            assertEquals(0x7000L + k, out.overlapped[k]);
            assertEquals(100 * k, out.bytes[k]);
        }
    }

    @Test
    void aTimeoutIsAnEmptyBatchNotAnError() {
        IocpPort port = new IocpPort(win32, 8);
        when(win32.getQueuedCompletionStatusEx(anyLong(), anyLong(), anyInt(), anyLong(), anyInt())).thenAnswer(i -> {
            lastError = Win32Errors.WAIT_TIMEOUT;
            return false;
        });
        PacketBatch out = new PacketBatch(8);
        out.count = 5;
        port.dequeue(out, 0);
        assertEquals(0, out.count);
    }

    @Test
    void anyOtherDequeueFailureIsThrownNamingThePort() {
        IocpPort port = new IocpPort(win32, 8);
        when(win32.getQueuedCompletionStatusEx(anyLong(), anyLong(), anyInt(), anyLong(), anyInt())).thenAnswer(i -> {
            lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        PacketBatch out = new PacketBatch(8);
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> port.dequeue(out, -1));
        assertEquals(PORT, e.handle());
        assertTrue(e.getMessage().contains("GetQueuedCompletionStatusEx"), e.getMessage());
        assertEquals(0, out.count);
    }

    @Test
    void associateFailuresExplainThemselves() {
        IocpPort port = new IocpPort(win32, 8);
        when(win32.createIoCompletionPort(eq(0x44L), eq(PORT), anyLong(), anyInt())).thenAnswer(i -> {
            lastError = Win32Errors.ERROR_INVALID_PARAMETER;
            return 0L;
        });
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> port.associate(0x44, 0x100000001L));
        assertEquals(0x44, e.handle());
        assertEquals(87, e.win32Error());
        assertTrue(e.getMessage().contains("overlapped"), e.getMessage());
        assertTrue(IocpPort.explainAssociate(Win32Errors.ERROR_INVALID_HANDLE).contains("watch()"));
        verify(win32).createIoCompletionPort(0x44, PORT, 0x100000001L, 0);
    }

    @Test
    void postAndClose() {
        IocpPort port = new IocpPort(win32, 8);
        when(win32.postQueuedCompletionStatus(PORT, 7, 0x200000003L, 0)).thenReturn(true);
        assertTrue(port.post(0x200000003L, 7));
        port.close();
        verify(win32).closeHandle(PORT);
    }
}
