package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.ExitListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A child's exit listeners are each called exactly once, whatever else throws or fails; stdin closes as promised. */
class ChildExitListenerTest {
    /** Records every call it gets. */
    static final class Heard implements ExitListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Exception error;

        @Override
        public void onExit(int code) {
            calls.add("exit " + code);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.error = error;
            calls.add("close " + reason);
        }
    }

    static void pump(MultiHandleWait wait, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            wait.runOnce(Duration.ofMillis(20));
        }
    }

    @Test
    void aWriteThatThrowsDoesNotHoldCloseStdinBack() {
        Pipes.Collector out = new Pipes.Collector();
        Heard heard = new Heard();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(wait);
            c.stdout().read(4096, out);
            c.stderr().close();
            c.writeStdin(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)), null);
            assertThrows(NullPointerException.class, () -> c.writeStdin(null, null));
            c.closeStdin();
            c.onExit(heard);
            pump(wait, () -> !heard.calls.isEmpty() && out.reason != null, "cat to see end of file and exit");
            c.close();
        }
        assertEquals(List.of("exit 0"), heard.calls);
        assertEquals("abc", new String(out.data(), StandardCharsets.US_ASCII));
    }

    @Test
    void aThrowingExitListenerSkipsNoOther() {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Heard first = new Heard();
        Heard last = new Heard();
        Heard late = new Heard();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.setCallbackErrorHandler((reg, t) -> reported.add(t));
            ChildProcess c = ChildProcess.builder(Children.exe(), "exit", "5").start(wait);
            c.stdout().close();
            c.stderr().close();
            c.closeStdin();
            c.onExit(first);
            c.onExit(code -> {
                throw new IllegalStateException("listener fails on purpose");
            });
            c.onExit(last);
            pump(wait, () -> !last.calls.isEmpty(), "the exit");
            c.onExit(late);
            pump(wait, () -> !late.calls.isEmpty(), "a listener added after the exit");
            wait.run();
            c.close();
        }
        assertEquals(List.of("exit 5"), first.calls);
        assertEquals(List.of("exit 5"), last.calls);
        assertEquals(List.of("exit 5"), late.calls);
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("listener fails on purpose", reported.get(0).getMessage());
    }

    @Test
    void closingBeforeTheExitTellsEachListenerOnceWithAnError() {
        Heard heard = new Heard();
        Heard late = new Heard();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(wait);
            c.onExit(heard);
            wait.runOnce(Duration.ZERO);
            c.close(); // stops watching; the child (cat) then sees end of file and exits unseen
            pump(wait, () -> !heard.calls.isEmpty(), "the listener");
            c.onExit(late);
            pump(wait, () -> !late.calls.isEmpty(), "a listener added after the watch ended");
            wait.run();
        }
        assertEquals(List.of("close CANCELLED"), heard.calls);
        assertTrue(heard.error.getMessage().contains("was not seen"), heard.error.getMessage());
        assertEquals(List.of("close CANCELLED"), late.calls);
    }

    @Test
    void aFailedExitWatchTellsEachListenerOnceWithItsError() {
        FaultyWin32 faulty = new FaultyWin32();
        faulty.fail(FaultyWin32.Call.GET_EXIT_CODE_PROCESS, FaultInjectionTest.ERR).always();
        Heard heard = new Heard();
        try (MultiHandleWait wait = Waiters.create(faulty, 64)) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "exit", "3").start(wait);
            c.stdout().close();
            c.stderr().close();
            c.closeStdin();
            c.onExit(heard);
            pump(wait, () -> !heard.calls.isEmpty(), "the listener");
            wait.run();
            c.close();
        }
        assertEquals(List.of("close FAILED"), heard.calls);
        MultiWaitException e = assertInstanceOf(MultiWaitException.class, heard.error);
        assertEquals(FaultInjectionTest.ERR, e.win32Error(), e.getMessage());
    }
}
