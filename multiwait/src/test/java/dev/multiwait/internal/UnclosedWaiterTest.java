package dev.multiwait.internal;

import com.sun.jna.Memory;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.Registration;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * A waiter dropped without close() while the kernel owns a read's OVERLAPPED and buffer: JNA's
 * Memory frees its block when the Memory object is collected, so that block must stay reachable.
 * The waiter leaks instead; close() lets it go.
 */
class UnclosedWaiterTest {
    private volatile int lastError;

    private Win32 kernel() {
        Win32 w = mock(Win32.class);
        when(w.lastError()).thenAnswer(i -> lastError);
        when(w.createIoCompletionPort(anyLong(), anyLong(), anyLong(), anyInt())).thenReturn(0x7770L);
        when(w.postQueuedCompletionStatus(anyLong(), anyInt(), anyLong(), anyLong())).thenReturn(true);
        when(w.getQueuedCompletionStatusEx(anyLong(), anyLong(), anyInt(), anyLong(), anyInt())).thenAnswer(i -> {
            lastError = Win32Errors.WAIT_TIMEOUT;
            return false;
        });
        when(w.readFile(anyLong(), anyLong(), anyInt(), anyLong())).thenAnswer(i -> {
            lastError = Win32Errors.ERROR_IO_PENDING; // the kernel now owns the OVERLAPPED and the buffer
            return false;
        });
        return w;
    }

    /** Starts a pending read on a fresh waiter and returns a weak reference to the read's native block. */
    private WeakReference<Memory> pendingReadOnADroppedWaiter(Win32 w) {
        MultiHandleWait wait = Waiters.create(w, 16);
        Registration read = wait.attach(0x1a4)
                .read(64, data -> { });
        wait.runOnce(Duration.ZERO); // issues the ReadFile: pending
        return new WeakReference<>(Harness.memoryOf(Harness.opOf(read)));
    }

    @Test
    void aWaiterDroppedWithAReadPendingKeepsTheReadsNativeBlock() throws Exception {
        WeakReference<Memory> block = pendingReadOnADroppedWaiter(kernel());
        for (int i = 0; i < 20 && block.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        Memory m = block.get();
        assertNotNull(m, "the block of a pending read was collected (JNA would free it under the kernel)");
        assertTrue(m.valid(), "and it is still allocated");
    }

    @Test
    void closeLetsTheWaiterGo() throws Exception {
        Win32 w = kernel();
        when(w.cancelIoEx(anyLong(), anyLong())).thenReturn(false); // the read's packet never comes: kept forever
        MultiHandleWait wait = Waiters.create(w, 16);
        EventLoop loop = (EventLoop) Harness.field(wait, "loop");
        assertTrue(UnclosedLoops.holds(loop));
        wait.close();
        assertFalse(UnclosedLoops.holds(loop));
        WeakReference<EventLoop> gone = new WeakReference<>(loop);
        loop = null;
        wait = null;
        for (int i = 0; i < 20 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(gone.get(), "a closed waiter is not held");
    }
}
