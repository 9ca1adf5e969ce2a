package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** What the library asks the kernel for when it opens and creates pipes. */
class NamedPipesTest {
    @Test
    void aClientEndIsOpenedAtIdentificationLevelOnly() {
        Win32 w = mock(Win32.class);
        when(w.createFile(anyString(), anyInt(), anyInt(), anyLong(), anyInt(), anyInt(), anyLong())).thenReturn(0x44L);
        assertEquals(0x44L, NamedPipes.openClient(w, "\\\\.\\pipe\\x", NamedPipes.GENERIC_READ, true));
        NamedPipes.openClient(w, "\\\\.\\pipe\\y", NamedPipes.GENERIC_WRITE, false);
        // SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION: without them the server may impersonate the caller.
        verify(w).createFile("\\\\.\\pipe\\x", NamedPipes.GENERIC_READ, 0, 0, 3, 0x40000000 | 0x00100000 | 0x00010000, 0);
        verify(w).createFile("\\\\.\\pipe\\y", NamedPipes.GENERIC_WRITE, 0, 0, 3, 0x00100000 | 0x00010000, 0);
    }

    @Test
    void aFailedOpenNamesTheCallThePipeAndTheError() {
        Win32 w = mock(Win32.class);
        when(w.createFile(anyString(), anyInt(), anyInt(), anyLong(), anyInt(), anyInt(), anyLong())).thenReturn(-1L);
        when(w.lastError()).thenReturn(231);
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> NamedPipes.openClient(w, "\\\\.\\pipe\\busy", NamedPipes.GENERIC_READ, true));
        assertEquals(231, e.win32Error());
        assertTrue(e.getMessage().startsWith("CreateFileW(\\\\.\\pipe\\busy)"), e.getMessage());
    }

    @Test
    void aFailedServerFreesItsSecurityDescriptor() {
        Win32 w = mock(Win32.class);
        when(w.currentUserSid()).thenReturn("S-1-5-21-1");
        when(w.convertStringSecurityDescriptor(anyString(), anyLong())).thenReturn(true);
        when(w.createNamedPipe(anyString(), anyInt(), anyInt(), anyInt(), anyInt(), anyInt(), anyInt(), anyLong()))
                .thenReturn(-1L);
        when(w.lastError()).thenReturn(231);
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> NamedPipes.createServer(w, "\\\\.\\pipe\\taken", NamedPipes.PIPE_ACCESS_INBOUND));
        assertEquals(231, e.win32Error());
        verify(w).localFree(anyLong());
        // first instance, overlapped, remote clients refused, one instance, 64 KiB each way
        verify(w).createNamedPipe(eq("\\\\.\\pipe\\taken"), eq(1 | 0x40000000 | 0x00080000), eq(8), eq(1),
                eq(65536), eq(65536), eq(0), anyLong());
    }
}
