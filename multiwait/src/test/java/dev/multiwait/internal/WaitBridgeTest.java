package dev.multiwait.internal;

import com.sun.jna.Pointer;
import dev.multiwait.CloseReason;
import dev.multiwait.ExitListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SignalListener;
import dev.multiwait.win32.Layouts;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Bridged waits: the mock plays the wait pool, calling the registered callback from its own thread. */
class WaitBridgeTest {
    static final long EVENT = 0x2b0;

    record Armed(long waitHandle, Win32.WaitCallback callback, long context, int flags) {
    }

    static final class Pool {
        final List<Armed> armed = Collections.synchronizedList(new ArrayList<>());
        long nextWait = 0x5000;

        Pool(Harness h) {
            when(h.win32.isHandleOpen(anyLong())).thenReturn(true);
            when(h.win32.getProcessId(anyLong())).thenReturn(1234);
            when(h.win32.unregisterWaitEx(anyLong(), anyLong())).thenReturn(true);
            doAnswer(i -> {
                long w = nextWait++;
                new Pointer(i.<Long>getArgument(0)).setLong(0, w);
                armed.add(new Armed(w, i.getArgument(2), i.getArgument(3), i.getArgument(5)));
                return true;
            }).when(h.win32).registerWaitForSingleObject(anyLong(), anyLong(), any(), anyLong(), anyInt(), anyInt());
        }

        /** The handle is signalled: the pool thread runs the last armed callback. */
        void fire() throws InterruptedException {
            Armed a = armed.get(armed.size() - 1);
            Thread t = new Thread(() -> a.callback().invoke(a.context(), (byte) 0), "wait-pool");
            t.start();
            t.join(5000);
        }
    }

    static final class Signals implements SignalListener, ExitListener, dev.multiwait.ConsoleInputListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        volatile Exception error;

        @Override
        public void onSignal() {
            events.add("signal");
        }

        @Override
        public void onExit(int exitCode) {
            events.add("exit:" + exitCode);
        }

        @Override
        public void onInput(String typed) {
            events.add("input:" + typed);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            events.add("close:" + reason);
            this.error = error;
        }
    }

    @Test
    void aOneShotWatchFiresOnceAndUnregisters() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        Signals sig = new Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, false, sig).start();
        assertEquals(1, pool.armed.size());
        Armed a = pool.armed.get(0);
        assertEquals(Layouts.WT_EXECUTEONLYONCE, a.flags() & Layouts.WT_EXECUTEONLYONCE);
        assertTrue(h.loop.table().get(a.context()) != null, "the callback's context is a live key");
        assertEquals(1, h.loop.liveCount());

        pool.fire();
        assertEquals(1, h.port.queued());
        h.settle();
        assertEquals(List.of("signal", "close:COMPLETED"), sig.events);
        verify(h.win32).unregisterWaitEx(a.waitHandle(), Win32.INVALID_HANDLE_VALUE);
        assertFalse(w.isActive());
        assertNull(h.loop.table().get(a.context()));
        assertEquals(0, h.loop.liveCount());
        assertEquals(1, pool.armed.size());
    }

    @Test
    void aRepeatingWatchReArmsAfterEachSignal() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        Signals sig = new Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        for (int i = 0; i < 3; i++) {
            pool.fire();
            h.settle();
        }
        assertEquals(List.of("signal", "signal", "signal"), sig.events);
        assertEquals(4, pool.armed.size());
        assertTrue(w.isActive());
        w.cancel();
        h.settle();
        assertEquals(List.of("signal", "signal", "signal", "close:CANCELLED"), sig.events);
        verify(h.win32).unregisterWaitEx(pool.armed.get(3).waitHandle(), Win32.INVALID_HANDLE_VALUE);
        assertEquals(0, h.loop.liveCount());
    }

    @Test
    void cancelAfterTheCallbackPostedEndsWhenThePacketIsConsumed() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        Signals sig = new Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        long key = pool.armed.get(0).context();
        pool.fire(); // packet queued, not yet consumed
        h.loop.execute(w::cancel);
        // the cancel task runs first in the turn, then the packet comes
        h.settle();
        assertEquals(List.of("close:CANCELLED"), sig.events, "a cancelled watch must not signal");
        assertFalse(w.isActive());
        assertNull(h.loop.table().get(key));
        assertEquals(1, pool.armed.size(), "no re-arm after cancel");
    }

    @Test
    void processExitDeliversTheExitCode() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        doAnswer(i -> {
            new Pointer(i.<Long>getArgument(1)).setInt(0, 42);
            return true;
        }).when(h.win32).getExitCodeProcess(eq(0x3c0L), anyLong());
        Signals sig = new Signals();
        new WaitBridge(h.loop, 0x3c0, WaitBridge.Kind.PROCESS_EXIT, false, sig).start();
        pool.fire();
        h.settle();
        assertEquals(List.of("exit:42", "close:COMPLETED"), sig.events);
    }

    @Test
    void watchingAClosedHandleFailsAtOnceAndLeavesNothingLive() {
        Harness h = new Harness(true);
        when(h.win32.isHandleOpen(anyLong())).thenAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_HANDLE;
            return false;
        });
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, false, new Signals()).start());
        assertEquals(6, e.win32Error());
        assertEquals(EVENT, e.handle());
        assertTrue(e.getMessage().contains("0x2b0"), e.getMessage());
        assertEquals(0, h.loop.liveCount());
        assertEquals(0, h.loop.table().size());
        verify(h.win32, never()).registerWaitForSingleObject(anyLong(), anyLong(), any(), anyLong(), anyInt(), anyInt());
    }

    @Test
    void aRefusedRegistrationFailsAtOnceAndLeavesNoKey() {
        Harness h = new Harness(true);
        when(h.win32.isHandleOpen(anyLong())).thenReturn(true);
        doAnswer(i -> {
            h.lastError = Win32Errors.ERROR_INVALID_PARAMETER;
            return false;
        }).when(h.win32).registerWaitForSingleObject(anyLong(), anyLong(), any(), anyLong(), anyInt(), anyInt());
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, false, new Signals()).start());
        assertTrue(e.getMessage().contains("RegisterWaitForSingleObject"), e.getMessage());
        assertEquals(0, h.loop.liveCount());
        assertEquals(0, h.loop.table().size());
    }

    @Test
    void loopCloseUnregistersAnIdleWatch() {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        Signals sig = new Signals();
        new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        assertTrue(h.loop.close(1000));
        verify(h.win32, times(1)).unregisterWaitEx(pool.armed.get(0).waitHandle(), Win32.INVALID_HANDLE_VALUE);
        assertEquals(List.of("close:CANCELLED"), sig.events);
        verify(h.win32, never()).closeHandle(EVENT);
    }

    @Test
    void aWatchWhosePacketNeverComesStillEndsWhenCloseGivesUpDraining() {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        Signals sig = new Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.SIGNAL, true, sig).start();
        long key = pool.armed.get(0).context();
        // the pool's callback has marked its post but not made it (still retrying): no packet yet
        h.loop.table().get(key).aboutToPost();
        assertFalse(h.loop.close(200), "the drain gives up on the missing packet");
        assertEquals(List.of("close:CANCELLED"), sig.events, "an abandoned watch still tells its listener");
        assertFalse(w.isActive());
        assertNull(h.loop.table().get(key));
        assertEquals(0, h.loop.liveCount());
    }

    /** Console records for a mock read: key-down records typing {@code text}, written at {@code records}. */
    private static int typeInto(long records, long readOut, String text) {
        Pointer p = new Pointer(records);
        for (int i = 0; i < text.length(); i++) {
            long at = (long) i * Layouts.INPUT_RECORD_SIZE;
            p.setShort(at, (short) Layouts.KEY_EVENT);
            p.setInt(at + Layouts.KEY_DOWN, 1);
            p.setShort(at + Layouts.KEY_REPEAT, (short) 1);
            p.setChar(at + Layouts.KEY_CHAR, text.charAt(i));
        }
        new Pointer(readOut).setInt(0, text.length());
        return text.length();
    }

    @Test
    void consoleInputEmptiedByAnotherReaderNeverBlocksTheLoopWhereReadsCanReturnAtOnce() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        when(h.win32.getNumberOfConsoleInputEvents(anyLong(), anyLong())).thenAnswer(i -> {
            new Pointer(i.<Long>getArgument(1)).setInt(0, 3); // counted before another reader took them
            return true;
        });
        when(h.win32.readConsoleInput(anyLong(), anyLong(), anyInt(), anyLong()))
                .thenThrow(new AssertionError("ReadConsoleInputW would block the loop: the records are gone"));
        when(h.win32.hasReadConsoleInputNoWait()).thenReturn(true);
        List<String> reads = Collections.synchronizedList(new ArrayList<>(List.of("ab", "c", "", "")));
        when(h.win32.readConsoleInputNoWait(eq(EVENT), anyLong(), anyInt(), anyLong()))
                .thenAnswer(i -> typeInto(i.getArgument(1), i.getArgument(3), reads.remove(0)) >= 0);
        Signals typed = new Signals();
        WaitBridge w = new WaitBridge(h.loop, EVENT, WaitBridge.Kind.CONSOLE_INPUT, true, typed).start();
        pool.fire();
        h.settle();
        assertEquals(List.of("input:abc"), typed.events, "everything queued is read in one drain");
        pool.fire(); // signalled, but another reader emptied the console first
        h.settle();
        assertEquals(List.of("input:abc"), typed.events, "nothing to deliver, and the loop went on");
        assertTrue(w.isActive());
        assertEquals(3, pool.armed.size(), "re-armed after each drain");
        verify(h.win32, never()).readConsoleInput(anyLong(), anyLong(), anyInt(), anyLong());
    }

    @Test
    void withoutANoWaitReadTheDrainReadsNoMoreThanCounted() throws Exception {
        Harness h = new Harness(true);
        Pool pool = new Pool(h);
        List<Integer> counts = Collections.synchronizedList(new ArrayList<>(List.of(0, 2, 0))); // the first answers start()'s check
        when(h.win32.getNumberOfConsoleInputEvents(anyLong(), anyLong())).thenAnswer(i -> {
            new Pointer(i.<Long>getArgument(1)).setInt(0, counts.remove(0));
            return true;
        });
        when(h.win32.readConsoleInput(eq(EVENT), anyLong(), eq(2), anyLong()))
                .thenAnswer(i -> typeInto(i.getArgument(1), i.getArgument(3), "hi") >= 0);
        Signals typed = new Signals();
        new WaitBridge(h.loop, EVENT, WaitBridge.Kind.CONSOLE_INPUT, true, typed).start();
        pool.fire();
        h.settle();
        assertEquals(List.of("input:hi"), typed.events);
        verify(h.win32, never()).readConsoleInputNoWait(anyLong(), anyLong(), anyInt(), anyLong());
    }
}
