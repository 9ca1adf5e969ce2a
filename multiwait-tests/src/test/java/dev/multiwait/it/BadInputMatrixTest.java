package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.ChildGroup;
import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadRegistration;
import dev.multiwait.Registration;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.Timeout;
import dev.multiwait.internal.NativeOp;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.multiwait.it.BridgeTestSupport.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input matrix: every entry point with every kind of bad input (null, NULL,
 * INVALID_HANDLE_VALUE, a closed handle, a handle of the wrong kind, a synchronous handle, a handle
 * bound to another port, double registration, use after close, zero/negative/too large sizes).
 * Each row states the exact exception type and Win32 error, checks that a {@link MultiWaitException}
 * names the handle (in hex) and the error, that nothing stays registered, and that a refused handle is
 * still open (still the caller's). The table is written to target/reliability/bad-input.md.
 */
class BadInputMatrixTest {
    private static final List<String> TABLE = new ArrayList<>();
    private static final AtomicInteger TRIED = new AtomicInteger();

    @AfterAll
    static void writeTable() {
        ProcessStats.reset("bad-input.md");
        ProcessStats.record("bad-input.md", "<!-- " + TRIED.get() + " inputs tried -->");
        ProcessStats.record("bad-input.md", "| Call | Input | Result |");
        ProcessStats.record("bad-input.md", "|---|---|---|");
        TABLE.forEach(r -> ProcessStats.record("bad-input.md", r));
        System.out.println("[BadInputMatrixTest] " + TRIED.get() + " inputs tried, " + TABLE.size() + " table rows");
    }

    private static String describe(Class<? extends Throwable> type, int error) {
        if (type == null) {
            return "accepted (see note)";
        }
        return "`" + type.getSimpleName() + "`" + (error >= 0 ? ", error " + error + " (`"
                + dev.multiwait.internal.ErrorText.name(error) + "`)" : "");
    }

    /**
     * One row: {@code call} with {@code input} must throw {@code type} (with {@code error} if a
     * MultiWaitException; -1 for any); the message must contain every string of {@code mentions}.
     */
    private static <T extends Throwable> T row(String call, String input, Class<T> type, int error, Executable action,
                                               String... mentions) {
        TRIED.incrementAndGet();
        T e = assertThrows(type, action, call + " with " + input);
        String message = String.valueOf(e.getMessage());
        if (e instanceof MultiWaitException m && error >= 0) {
            assertEquals(error, m.win32Error(), call + " with " + input + ": " + message);
            assertTrue(message.contains("Win32 error " + error), message);
            if (m.handle() != 0) {
                assertTrue(message.contains("0x" + Long.toHexString(m.handle())), "names the handle: " + message);
            }
        }
        for (String m : mentions) {
            assertTrue(message.contains(m), call + " with " + input + ": message lacks '" + m + "': " + message);
        }
        synchronized (TABLE) {
            String r = "| `" + call + "` | " + input + " | " + describe(type, error) + " |";
            if (!TABLE.contains(r)) {
                TABLE.add(r);
            }
        }
        return e;
    }

    /** A row whose input is accepted (documented as not an error). */
    private static void accepted(String call, String input, String result) {
        TRIED.incrementAndGet();
        synchronized (TABLE) {
            TABLE.add("| `" + call + "` | " + input + " | " + result + " |");
        }
    }

    static String hex(WinNT.HANDLE h) {
        return "0x" + Long.toHexString(raw(h));
    }

    static WinNT.HANDLE handle(long value) {
        return new WinNT.HANDLE(new Pointer(value));
    }

    static final WinNT.HANDLE NULL_VALUE = new WinNT.HANDLE(Pointer.NULL);
    static final WinNT.HANDLE INVALID = handle(-1);

    /** A handle value that was valid and is closed (the highest of many, so not reused at once). */
    static WinNT.HANDLE closedHandle(List<WinNT.HANDLE> keep) {
        List<WinNT.HANDLE> events = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            events.add(Kernel32.INSTANCE.CreateEvent(null, false, false, null));
        }
        events.sort(java.util.Comparator.comparingLong(BridgeTestSupport::raw));
        WinNT.HANDLE target = events.remove(events.size() - 1);
        Kernel32.INSTANCE.CloseHandle(target);
        keep.addAll(events);
        return target;
    }

    @Test
    void handlesGivenToAttachAndWatch() {
        List<WinNT.HANDLE> keep = new ArrayList<>();
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        OverlappedPipe.Pair bound = OverlappedPipe.create();
        WinNT.HANDLE event = Kernel32.INSTANCE.CreateEvent(null, true, false, null);
        WinNT.HANDLEByReference syncRead = new WinNT.HANDLEByReference();
        WinNT.HANDLEByReference syncWrite = new WinNT.HANDLEByReference();
        assertTrue(Kernel32.INSTANCE.CreatePipe(syncRead, syncWrite, null, 0));
        WinNT.HANDLE process = Kernel32.INSTANCE.OpenProcess(0x00100000 | 0x1000, false, Kernel32.INSTANCE.GetCurrentProcessId());
        long blocks = NativeOp.liveBlocks();
        try (MultiHandleWait other = new MultiHandleWait(); MultiHandleWait wait = new MultiHandleWait()) {
            WinNT.HANDLE closed = closedHandle(keep);
            other.attach(bound.server());

            // attach
            row("attach", "NULL (value 0)", MultiWaitException.class, 6, () -> wait.attach(Handles.raw(NULL_VALUE)), "NULL");
            row("attach", "`INVALID_HANDLE_VALUE`", MultiWaitException.class, 6, () -> wait.attach(Handles.raw(INVALID)),
                    "0xffffffffffffffff", "INVALID_HANDLE_VALUE");
            row("attach", "closed handle", MultiWaitException.class, 6, () -> wait.attach(Handles.raw(closed)), hex(closed));
            row("attach", "event (wrong kind)", MultiWaitException.class, 6, () -> wait.attach(Handles.raw(event)), hex(event), "use watch()");
            row("attach", "process handle (wrong kind)", MultiWaitException.class, 6, () -> wait.attach(Handles.raw(process)), hex(process));
            row("attach", "synchronous handle (`CreatePipe` end)", MultiWaitException.class, 87,
                    () -> wait.attach(Handles.raw(syncRead.getValue())), "overlapped");
            row("attach", "handle bound to another waiter's port", MultiWaitException.class, 87,
                    () -> wait.attach(bound.server()), "already bound");
            StreamHandle s = wait.attach(pipe.server());
            row("attach", "the same handle twice", MultiWaitException.class, 87, () -> wait.attach(pipe.server()), hex(Handles.handle(pipe.server())));
            assertTrue(Pipes.isOpen(syncRead.getValue()) && Pipes.isOpen(event) && Pipes.isOpen(Handles.handle(bound.server())),
                    "refused handles are still the caller's");

            // attachSocket
            row("attachSocket", "`INVALID_SOCKET`", MultiWaitException.class, 6, () -> wait.attachSocket(-1), "INVALID_SOCKET");
            row("attachSocket", "0", MultiWaitException.class, 6, () -> wait.attachSocket(0));
            row("attachSocket", "a pipe handle (not a socket)", MultiWaitException.class, 10038,
                    () -> wait.attachSocket(raw(Handles.handle(bound.client()))), "not an open socket");
            assertTrue(Pipes.isOpen(Handles.handle(bound.client())));

            // watch, watchProcess, watchConsoleInput
            row("watch", "`null` listener", NullPointerException.class, -1, () -> wait.watch(Handles.raw(event), false, null));
            row("watch", "NULL (value 0)", MultiWaitException.class, 6, () -> wait.watch(Handles.raw(NULL_VALUE), false, () -> { }), "NULL");
            row("watch", "`INVALID_HANDLE_VALUE` (= `GetCurrentProcess()`)", MultiWaitException.class, 6,
                    () -> wait.watch(Handles.raw(INVALID), false, () -> { }), "pseudo-handle");
            row("watch", "closed handle", MultiWaitException.class, 6, () -> wait.watch(Handles.raw(closed), false, () -> { }), hex(closed));
            row("watch", "overlapped pipe (wrong kind)", MultiWaitException.class, 6,
                    () -> wait.watch(pipe.client(), false, () -> { }), "use attach()");
            row("watch", "synchronous pipe end (wrong kind)", MultiWaitException.class, 6,
                    () -> wait.watch(Handles.raw(syncWrite.getValue()), false, () -> { }), "use attach()");
            row("watchProcess", "event (wrong kind)", MultiWaitException.class, 6,
                    () -> wait.watchProcess(Handles.raw(event), code -> { }), "not a process handle");
            row("watchProcess", "`INVALID_HANDLE_VALUE` (= `GetCurrentProcess()`)", MultiWaitException.class, 6,
                    () -> wait.watchProcess(Handles.raw(INVALID), code -> { }));
            row("watchProcess", "closed handle", MultiWaitException.class, 6, () -> wait.watchProcess(Handles.raw(closed), code -> { }));
            row("watchConsoleInput", "event (not a console)", MultiWaitException.class, 6,
                    () -> wait.watchConsoleInput(Handles.raw(event), text -> { }), "not a console input handle");
            assertEquals(0, wait.registrationCount(), "a refused call registers nothing");

            // double registration of a waitable handle is two registrations: both fire
            AtomicInteger fired = new AtomicInteger();
            wait.watch(Handles.raw(event), false, fired::incrementAndGet);
            wait.watch(Handles.raw(event), false, fired::incrementAndGet);
            Kernel32.INSTANCE.SetEvent(event);
            BridgeTestSupport.runGuarded(wait, "two watches of one event");
            assertEquals(2, fired.get());
            accepted("watch", "the same (manual-reset) event twice", "accepted: two independent registrations, both fire");

            // console handles cannot join a port
            WinNT.HANDLE conin = Kernel32.INSTANCE.CreateFile("CONIN$", 0xC0000000, 3, null, 3, 0, null);
            if (conin != null && !WinBase.INVALID_HANDLE_VALUE.equals(conin)) {
                keep.add(conin);
                row("attach", "console handle (wrong kind)", MultiWaitException.class, 87, () -> wait.attach(Handles.raw(conin)));
            }
            s.close();
        } finally {
            for (WinNT.HANDLE h : keep) {
                Kernel32.INSTANCE.CloseHandle(h);
            }
            for (WinNT.HANDLE h : List.of(Handles.handle(pipe.client()), event, syncRead.getValue(), syncWrite.getValue(), process)) {
                Kernel32.INSTANCE.CloseHandle(h);
            }
        }
        assertTrue(Pipes.isClosedPipe(Handles.handle(bound.server())), "the other waiter closed what it owned");
        Kernel32.INSTANCE.CloseHandle(Handles.handle(bound.client()));
        assertEquals(blocks, NativeOp.liveBlocks());
    }

    @Test
    void streamOperations() {
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pipe.server());
            StreamHandle client = wait.attach(pipe.client());
            String h = "0x" + Long.toHexString(server.handle());
            row("read", "buffer size 0", IllegalArgumentException.class, -1, () -> server.read(0, d -> { }), "0");
            row("read", "buffer size -1", IllegalArgumentException.class, -1, () -> server.read(-1, d -> { }), "-1");
            row("read", "`null` listener", NullPointerException.class, -1, () -> server.read(16, null), "listener");
            Registration first = server.read(16, d -> { });
            row("read", "a second read while one is active", IllegalStateException.class, -1,
                    () -> server.read(16, d -> { }), h, "already active");
            row("connect", "a second connect while one is pending", IllegalStateException.class, -1, () -> {
                server.connect(p -> { });
                server.connect(p -> { });
            }, "already pending");
            row("write", "`null` buffer", NullPointerException.class, -1, () -> client.write(null, null), "data");
            AtomicReference<String> empty = new AtomicReference<>();
            client.write(ByteBuffer.allocate(0), (n, e) -> empty.set(n + ":" + e));
            wait.runOnce(Duration.ofMillis(200));
            assertEquals("0:null", empty.get());
            accepted("write", "an empty buffer", "accepted: its listener gets (0, null)");
            server.close();
            row("read", "after the stream's close()", IllegalStateException.class, -1, () -> server.read(16, d -> { }), h, "closed");
            row("write", "after the stream's close()", IllegalStateException.class, -1,
                    () -> server.write(ByteBuffer.allocate(1), null), h, "closed");
            row("shutdownOutput", "after the stream's close()", IllegalStateException.class, -1, server::shutdownOutput, "closed");
            row("connect", "after the stream's close()", IllegalStateException.class, -1, () -> server.connect(p -> { }), "closed");
            BridgeTestSupport.runGuarded(wait, "closing");
            assertFalse(first.isActive());
            first.cancel(); // cancelling an ended registration: a no-op
            accepted("Registration.cancel", "an ended registration, or twice", "accepted: a no-op");
        }
    }

    @Test
    void pauseAndResume() {
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pipe.server());
            wait.attach(pipe.client());
            String h = "0x" + Long.toHexString(server.handle());
            ReadRegistration read = server.read(16, d -> { });
            row("ReadRegistration.resume", "without pause()", IllegalStateException.class, -1, read::resume, h, "not paused");
            read.pause();
            row("ReadRegistration.pause", "twice", IllegalStateException.class, -1, read::pause, h, "already paused");
            read.resume();
            row("ReadRegistration.resume", "twice", IllegalStateException.class, -1, read::resume, h, "not paused");
            server.close();
            row("ReadRegistration.pause", "after the stream's close()", IllegalStateException.class, -1, read::pause, h, "ended");
            row("ReadRegistration.resume", "after the stream's close()", IllegalStateException.class, -1, read::resume, h, "ended");
            BridgeTestSupport.runGuarded(wait, "closing");
            assertFalse(read.isActive());
            row("ReadRegistration.pause", "an ended read", IllegalStateException.class, -1, read::pause, h, "ended");
        }
    }

    @Test
    void writeBackpressure() {
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle client = wait.attach(pipe.client());
            wait.attach(pipe.server());
            String h = "0x" + Long.toHexString(client.handle());
            row("setWriteWaterMarks", "low -1", IllegalArgumentException.class, -1, () -> client.setWriteWaterMarks(-1, 10, null), "low -1");
            row("setWriteWaterMarks", "high below low", IllegalArgumentException.class, -1,
                    () -> client.setWriteWaterMarks(10, 9, null), "high 9");
            row("setMaxPendingWriteBytes", "0", IllegalArgumentException.class, -1, () -> client.setMaxPendingWriteBytes(0), "0");
            row("setMaxPendingWriteBytes", "-1", IllegalArgumentException.class, -1, () -> client.setMaxPendingWriteBytes(-1), "-1");
            client.setMaxPendingWriteBytes(100);
            row("write", "more than maxPendingWriteBytes", IllegalStateException.class, -1,
                    () -> client.write(ByteBuffer.allocate(101), null), h, "limit");
            assertEquals(0, client.pendingWriteBytes(), "a refused write queues nothing");
            row("asInputStream", "maxBuffered 0", IllegalArgumentException.class, -1, () -> client.asInputStream(16, 0), "0");
            row("asInputStream", "bufferSize 0", IllegalArgumentException.class, -1, () -> client.asInputStream(0, 16), "0");
            row("asOutputStream", "high below low", IllegalArgumentException.class, -1, () -> client.asOutputStream(10, 9), "high 9");
            client.close();
            row("setWriteWaterMarks", "after the stream's close()", IllegalStateException.class, -1,
                    () -> client.setWriteWaterMarks(1, 2, null), h, "closed");
            row("setMaxPendingWriteBytes", "after the stream's close()", IllegalStateException.class, -1,
                    () -> client.setMaxPendingWriteBytes(1), h, "closed");
            BridgeTestSupport.runGuarded(wait, "closing");
        }
    }

    @Test
    void gracefulCloseAndAddresses() throws Exception {
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle client = wait.attach(pipe.client());
            wait.attach(pipe.server());
            String h = "0x" + Long.toHexString(client.handle());
            row("closeAfterWrites", "`null` timeout", NullPointerException.class, -1, () -> client.closeAfterWrites(null, null), "timeout");
            row("closeAfterWrites", "negative timeout", IllegalArgumentException.class, -1,
                    () -> client.closeAfterWrites(Duration.ofMillis(-1), null), "negative");
            assertEquals(null, client.remoteAddress());
            accepted("remoteAddress / localAddress", "a pipe", "accepted: null");
            client.close();
            row("closeAfterWrites", "after the stream's close()", IllegalStateException.class, -1,
                    () -> client.closeAfterWrites(Duration.ZERO, null), h, "closed");
            SocketServer server = wait.listen(Net.loopback4(0), (s, c, p) -> c.close());
            AtomicReference<StreamHandle> connected = new AtomicReference<>();
            wait.connect(Net.loopback4(server.localAddress().getPort()), connected::set);
            while (connected.get() == null) {
                wait.runOnce(Duration.ofMillis(100));
            }
            StreamHandle socket = connected.get();
            String sh = "0x" + Long.toHexString(socket.handle());
            socket.close();
            server.close();
            BridgeTestSupport.runGuarded(wait, "closing");
            row("localAddress", "a closed socket never asked before", IllegalStateException.class, -1, socket::localAddress, sh, "closed");
        }
    }

    @Test
    void theWaiterItself() throws Exception {
        row("new MultiHandleWait", "`null` native layer", NullPointerException.class, -1, () -> Waiters.create(null, 64), "win32");
        row("new MultiHandleWait", "batch size 0", IllegalArgumentException.class, -1, () -> Waiters.create(JnaWin32.INSTANCE, 0));
        row("new MultiHandleWait", "batch size -1", IllegalArgumentException.class, -1, () -> Waiters.create(JnaWin32.INSTANCE, -1));
        WinNT.HANDLE event = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        try {
            MultiHandleWait wait = new MultiHandleWait();
            row("runOnce", "`null` timeout", NullPointerException.class, -1, () -> wait.runOnce(null));
            row("runOnce", "negative timeout", IllegalArgumentException.class, -1, () -> wait.runOnce(Duration.ofMillis(-1)), "negative");
            row("execute", "`null` task", NullPointerException.class, -1, () -> wait.execute(null));
            // run() on a second thread while one runs; close() from a listener
            Registration keeper = wait.watch(Handles.raw(event), false, () -> { });
            AtomicReference<Throwable> fromListener = new AtomicReference<>();
            List<Throwable> nestedRuns = new ArrayList<>();
            wait.execute(() -> {
                // a nested run()/runOnce() is refused, and close() after it still is (issue 10 item 3)
                for (Runnable nested : List.<Runnable>of(() -> wait.runOnce(Duration.ZERO), wait::run)) {
                    try {
                        nested.run();
                    } catch (Throwable t) {
                        nestedRuns.add(t);
                    }
                }
                try {
                    wait.close();
                } catch (Throwable t) {
                    fromListener.set(t);
                }
            });
            Thread second = new Thread(() -> {
                try {
                    row("run", "while another thread runs the loop", IllegalStateException.class, -1, wait::run, "already running");
                } catch (Throwable t) {
                    fromListener.compareAndSet(null, t);
                } finally {
                    wait.cancel();
                }
            });
            wait.execute(second::start);
            wait.run();
            second.join(10_000);
            assertInstanceOf(IllegalStateException.class, fromListener.get(), "close() from a listener");
            TRIED.incrementAndGet();
            TABLE.add("| `close` | from a listener (on the loop thread) | `IllegalStateException`: call cancel() and close after run() returns |");
            assertEquals(2, nestedRuns.size(), "run()/runOnce() from a listener: " + nestedRuns);
            nestedRuns.forEach(t -> assertInstanceOf(IllegalStateException.class, t));
            TRIED.addAndGet(2);
            TABLE.add("| `run` | from a listener (on the loop thread) | `IllegalStateException`: the loop already runs on this thread |");
            TABLE.add("| `runOnce` | from a listener (on the loop thread) | `IllegalStateException`: the loop already runs on this thread |");
            keeper.cancel();
            OverlappedPipe.Pair relayPair = OverlappedPipe.create();
            StreamHandle ra = wait.attach(relayPair.server());
            StreamHandle rb = wait.attach(relayPair.client());
            wait.close();
            assertTrue(Pipes.isClosedPipe(Handles.handle(relayPair.server())), "the waiter closed what it owned");
            row("relay", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> wait.relay(ra, rb, (x, y) -> { }), "closed");
            row("watchConsoleInput", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> wait.watchConsoleInput(Handles.raw(event), t -> { }), "closed");
            // everything after close
            String closed = "MultiHandleWait is closed";
            row("attach", "after the waiter's close()", IllegalStateException.class, -1, () -> wait.attach(pipe.server()), closed);
            row("attachSocket", "after the waiter's close()", IllegalStateException.class, -1, () -> wait.attachSocket(1), closed);
            row("watch", "after the waiter's close()", IllegalStateException.class, -1, () -> wait.watch(Handles.raw(event), false, () -> { }), closed);
            row("watchProcess", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> wait.watchProcess(Handles.raw(event), c -> { }), closed);
            row("listen", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> wait.listen(Net.loopback4(0), (srv, c, p) -> { }), closed);
            row("connect", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> wait.connect(Net.loopback4(9), p -> { }), closed);
            row("run", "after the waiter's close()", IllegalStateException.class, -1, wait::run, closed);
            row("runOnce", "after the waiter's close()", IllegalStateException.class, -1, () -> wait.runOnce(Duration.ZERO), closed);
            row("execute", "after the waiter's close()", IllegalStateException.class, -1, () -> wait.execute(() -> { }), closed);
            row("ChildProcess.start", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> ChildProcess.builder(Children.exe(), "exit", "0").start(wait), closed);
            row("ChildGroup.create", "after the waiter's close()", IllegalStateException.class, -1,
                    () -> ChildGroup.create(wait), closed);
            wait.cancel();
            wait.close();
            keeper.cancel();
            accepted("cancel / close / Registration.cancel", "after the waiter's close()", "accepted: no-ops");
            assertTrue(Pipes.isOpen(Handles.handle(pipe.server())), "refused after close: still the caller's");
        } finally {
            Kernel32.INSTANCE.CloseHandle(event);
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pipe.server()));
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pipe.client()));
        }
    }

    @Test
    void timeOnTheLoop() throws Exception {
        MultiHandleWait wait = new MultiHandleWait();
        OverlappedPipe.Pair pipe = OverlappedPipe.create();
        StreamHandle a = wait.attach(pipe.server());
        StreamHandle b = wait.attach(pipe.client());
        row("schedule", "`null` delay", NullPointerException.class, -1, () -> wait.schedule(null, () -> { }), "delay");
        row("schedule", "negative delay", IllegalArgumentException.class, -1,
                () -> wait.schedule(Duration.ofNanos(-1), () -> { }), "negative");
        row("schedule", "`null` task", NullPointerException.class, -1, () -> wait.schedule(Duration.ZERO, null), "task");
        row("connect", "`null` timeout", NullPointerException.class, -1,
                () -> wait.connect(Net.loopback4(9), null, p -> { }), "timeout");
        row("connect", "zero timeout", IllegalArgumentException.class, -1,
                () -> wait.connect(Net.loopback4(9), Duration.ZERO, p -> { }), "positive");
        row("connect", "negative timeout", IllegalArgumentException.class, -1,
                () -> wait.connect(Net.loopback4(9), Duration.ofMillis(-5), p -> { }), "negative");
        row("setIdleTimeout", "`null` timeout", NullPointerException.class, -1, () -> a.setIdleTimeout(null), "timeout");
        row("setIdleTimeout", "negative timeout", IllegalArgumentException.class, -1,
                () -> a.setIdleTimeout(Duration.ofSeconds(-1)), "negative");
        row("setIdleTimeout", "a duplex pair", UnsupportedOperationException.class, -1,
                () -> wait.duplex(a, b).setIdleTimeout(Duration.ofSeconds(1)));
        Timeout huge = wait.schedule(Duration.ofSeconds(Long.MAX_VALUE), () -> { });
        accepted("schedule", "`Duration.ofSeconds(Long.MAX_VALUE)`", "accepted: saturated (about 146 years)");
        Timeout once = wait.schedule(Duration.ofDays(1), () -> { });
        assertTrue(once.cancel());
        assertFalse(once.cancel());
        accepted("Timeout.cancel", "twice", "accepted: the second returns false");
        AtomicReference<Boolean> afterFire = new AtomicReference<>();
        Timeout[] fired = new Timeout[1];
        fired[0] = wait.schedule(Duration.ZERO, () -> wait.execute(() -> afterFire.set(fired[0].cancel())));
        wait.runOnce(Duration.ofMillis(100));
        wait.runOnce(Duration.ofMillis(100));
        assertEquals(Boolean.FALSE, afterFire.get());
        accepted("Timeout.cancel", "after the task ran (or from inside it)", "accepted: returns false");
        a.close();
        b.close();
        row("setIdleTimeout", "after the stream's close()", IllegalStateException.class, -1,
                () -> a.setIdleTimeout(Duration.ofSeconds(1)), "closed");
        wait.close();
        assertFalse(huge.isPending());
        assertFalse(huge.cancel());
        accepted("Timeout", "pending at the waiter's close()", "accepted: dropped, never runs; isPending() false, cancel() false");
        String closed = "MultiHandleWait is closed";
        row("schedule", "after the waiter's close()", IllegalStateException.class, -1,
                () -> wait.schedule(Duration.ZERO, () -> { }), closed);
        row("connect", "with a timeout, after the waiter's close()", IllegalStateException.class, -1,
                () -> wait.connect(Net.loopback4(9), Duration.ofSeconds(1), p -> { }), closed);
        row("runUntilCancelled", "after the waiter's close()", IllegalStateException.class, -1, wait::runUntilCancelled, closed);
    }

    @Test
    void relayAndDuplex() {
        try (MultiHandleWait wait = new MultiHandleWait(); MultiHandleWait other = new MultiHandleWait()) {
            OverlappedPipe.Pair p1 = OverlappedPipe.create();
            OverlappedPipe.Pair p2 = OverlappedPipe.create();
            OverlappedPipe.Pair p3 = OverlappedPipe.create();
            StreamHandle a = wait.attach(p1.server());
            StreamHandle b = wait.attach(p2.server());
            StreamHandle foreign = other.attach(p3.server());
            wait.attach(p1.client()).close();
            wait.attach(p2.client()).close();
            other.attach(p3.client()).close();
            row("relay", "`null` stream", NullPointerException.class, -1, () -> wait.relay(null, b, (x, y) -> { }));
            row("relay", "the same stream twice", IllegalArgumentException.class, -1, () -> wait.relay(a, a, (x, y) -> { }), "two different streams");
            row("relay", "buffer size 0", IllegalArgumentException.class, -1, () -> wait.relay(a, b, 0, (x, y) -> { }));
            row("relay", "buffer size -1", IllegalArgumentException.class, -1, () -> wait.relay(a, b, -1, (x, y) -> { }));
            row("relay", "buffer size above 64 MiB", IllegalArgumentException.class, -1,
                    () -> wait.relay(a, b, (64 << 20) + 1, (x, y) -> { }));
            row("relay", "a stream of another waiter", IllegalArgumentException.class, -1,
                    () -> wait.relay(a, foreign, (x, y) -> { }), "another MultiHandleWait");
            Registration reading = a.read(16, d -> { });
            row("relay", "a stream with a read active", IllegalStateException.class, -1, () -> wait.relay(a, b, (x, y) -> { }),
                    "already active");
            reading.cancel();
            row("duplex", "the same stream as both sides", IllegalArgumentException.class, -1, () -> wait.duplex(b, b));
            a.close();
            b.close();
            foreign.close();
        }
    }

    @Test
    void socketsAndChildren() throws Exception {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            row("listen", "`null` address", NullPointerException.class, -1, () -> wait.listen(null, (s, c, p) -> { }));
            row("listen", "unresolved address", IllegalArgumentException.class, -1,
                    () -> wait.listen(InetSocketAddress.createUnresolved("localhost", 0), (s, c, p) -> { }), "unresolved");
            row("listen", "backlog 0", IllegalArgumentException.class, -1, () -> wait.listen(Net.loopback4(0), 0, 1, (s, c, p) -> { }));
            row("listen", "pending accepts 0", IllegalArgumentException.class, -1, () -> wait.listen(Net.loopback4(0), 8, 0, (s, c, p) -> { }));
            row("listen", "pending accepts 1025", IllegalArgumentException.class, -1,
                    () -> wait.listen(Net.loopback4(0), 8, 1025, (s, c, p) -> { }));
            SocketServer server = wait.listen(Net.loopback4(0), (s, c, p) -> c.close());
            row("listen", "address in use", MultiWaitException.class, 10048,
                    () -> wait.listen(server.localAddress(), (s, c, p) -> { }), server.localAddress().toString());
            row("listen", "address not local", MultiWaitException.class, 10049,
                    () -> wait.listen(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0), (s, c, p) -> { }));
            row("connect", "`null` address or listener", NullPointerException.class, -1, () -> wait.connect(null, p -> { }));
            TRIED.incrementAndGet();
            assertThrows(NullPointerException.class, () -> wait.connect(Net.loopback4(1), null));
            row("connect", "unresolved address", IllegalArgumentException.class, -1,
                    () -> wait.connect(InetSocketAddress.createUnresolved("localhost", 80), p -> { }), "unresolved");
            server.close();
            row("ChildProcess.builder", "no arguments", IllegalArgumentException.class, -1, ChildProcess::builder, "empty");
            row("ChildProcess.builder", "a `null` argument", NullPointerException.class, -1,
                    () -> ChildProcess.builder("x.exe", null), "argument 1");
            for (String unsafe : List.of("\"&calc.exe", "%PATH%", "a\nb")) {
                row("ChildProcess.builder", "a `.bat`/`.cmd` argument holding `\"`, `%` or a line break",
                        IllegalArgumentException.class, -1, () -> ChildProcess.builder("build.bat", unsafe), "argument 1");
            }
            row("ChildProcess.start", "`null` waiter", NullPointerException.class, -1,
                    () -> ChildProcess.builder(Children.exe()).start(null));
            row("ChildProcess.start", "missing executable", MultiWaitException.class, 2,
                    () -> ChildProcess.builder("no-such-program-xyz.exe").start(wait), "no-such-program-xyz.exe", "not found");
            row("ChildProcess.Builder.redirectInput", "`Redirect.to(file)` (an output redirect)", IllegalArgumentException.class, -1,
                    () -> ChildProcess.builder(Children.exe()).redirectInput(dev.multiwait.Redirect.to(Path.of("x.txt"))), "stdin");
            row("ChildProcess.start", "`Redirect.from(file)` of a missing file", MultiWaitException.class, 2,
                    () -> ChildProcess.builder(Children.exe(), "cat").redirectInput(dev.multiwait.Redirect.from(Path.of("no-such-input-xyz.txt")))
                            .start(wait), "no-such-input-xyz.txt", "stdin");
            row("ChildProcess.start", "a missing `.bat`/`.cmd`", MultiWaitException.class, 2,
                    () -> ChildProcess.builder("no-such-script-xyz.bat", "x").start(wait), "no-such-script-xyz.bat");
            Path badDir = Path.of("target", "no-such-dir-xyz").toAbsolutePath();
            MultiWaitException dir = row("ChildProcess.start", "missing working directory", MultiWaitException.class, -1,
                    () -> ChildProcess.builder(Children.exe(), "exit", "0").directory(badDir).start(wait), badDir.toString());
            assertTrue(dir.win32Error() == 267 || dir.win32Error() == 3, dir.getMessage());
            TABLE.set(TABLE.size() - 1, "| `ChildProcess.start` | missing working directory | `MultiWaitException`, error 267 (`ERROR_DIRECTORY`) or 3 (`ERROR_PATH_NOT_FOUND`), naming the directory |");
            ChildProcess child = ChildProcess.builder(Children.exe(), "cat").start(wait);
            row("ChildProcess.stop", "`null` timeout", NullPointerException.class, -1, () -> child.stop(null), "timeout");
            row("ChildProcess.stop", "negative timeout", IllegalArgumentException.class, -1,
                    () -> child.stop(Duration.ofMillis(-1)), "negative");
            assertTrue(child.exitCode().isEmpty(), "a refused stop does nothing");
            child.kill();
            ChildTreeTest.waitExit(wait, child);
            assertFalse(child.stop(Duration.ZERO));
            accepted("ChildProcess.stop", "after the child's exit", "returns false, does nothing");
            child.close();
            row("ChildProcess.stop", "after the child's close()", IllegalStateException.class, -1,
                    () -> child.stop(Duration.ZERO), "closed");
            row("ChildProcess.killTree", "after the child's close()", IllegalStateException.class, -1, child::killTree,
                    "closed");
            row("ChildGroup.create", "`null` waiter", NullPointerException.class, -1, () -> ChildGroup.create(null), "wait");
            try (MultiHandleWait another = new MultiHandleWait()) {
                ChildGroup foreign = ChildGroup.create(another);
                row("ChildProcess.start", "a group of another waiter", IllegalArgumentException.class, -1,
                        () -> ChildProcess.builder(Children.exe(), "exit", "0").group(foreign).start(wait), "another");
            }
            ChildGroup group = ChildGroup.create(wait);
            group.close();
            row("ChildProcess.start", "a closed group", IllegalStateException.class, -1,
                    () -> ChildProcess.builder(Children.exe(), "exit", "0").group(group).start(wait), "group is closed");
            BridgeTestSupport.runGuarded(wait, "server close");
            assertEquals(0, wait.registrationCount());
        }
    }
}
