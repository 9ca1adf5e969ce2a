package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Library;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.W32APIOptions;
import dev.multiwait.ChildGroup;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.ExitListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.SignalListener;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import dev.multiwait.it.FaultyWin32.Call;
import dev.multiwait.demo.HandleCount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static dev.multiwait.it.BridgeTestSupport.raw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fault injection on the real loop under Wine (or Windows): each Win32 call the library makes is
 * made to fail in turn through {@link FaultyWin32}. Every row checks that the fault was really
 * injected, that it surfaced as documented (an exception naming the call, the handle and the
 * error, or one registration's FAILED end, or a report to the CallbackErrorHandler), that control
 * registrations on the same waiter (a pipe read, a repeating event watch) still work afterwards,
 * and, across {@link #ROUNDS} repetitions with a fresh waiter each, that no handle, socket or
 * native block leaked. The table is printed at the end.
 */
class FaultInjectionTest {
    /** ERROR_NO_SYSTEM_RESOURCES: no call made here fails with it by itself. */
    static final int ERR = 1450;
    static final int ROUNDS = Integer.getInteger("multiwait.fault.rounds", 6);
    private static final Map<String, String> TABLE = Collections.synchronizedMap(new LinkedHashMap<>());
    private static final AtomicInteger INJECTED = new AtomicInteger();
    private static final AtomicInteger ROUNDS_RUN = new AtomicInteger();

    @AfterAll
    static void printTable() {
        String summary = TABLE.size() + " fault rows, " + ROUNDS_RUN.get() + " rounds, " + INJECTED.get() + " faults injected";
        System.out.println("[FaultInjectionTest] " + summary);
        ProcessStats.reset("faults.md");
        ProcessStats.record("faults.md", "<!-- " + summary + " -->");
        ProcessStats.record("faults.md", "| Call that fails | How it surfaces | Injected | Leak check |");
        ProcessStats.record("faults.md", "|---|---|---|---|");
        TABLE.forEach((k, v) -> {
            System.out.println("| " + k + " | " + v + " |");
            ProcessStats.record("faults.md", "| " + k + " | " + v + " |");
        });
    }

    // ---- the rig ----

    interface Scenario {
        void run(Rig r) throws Exception;
    }

    /** A waiter over a FaultyWin32, with control registrations that must keep working. */
    static final class Rig implements AutoCloseable {
        final List<FaultyWin32> layers = new ArrayList<>();
        final FaultyWin32 w = layer();
        final MultiHandleWait wait = Waiters.create(w, 64);
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        final List<WinNT.HANDLE> toClose = new ArrayList<>();
        final OverlappedPipe.Pair controlPair = OverlappedPipe.create();
        final StreamHandle controlServer = wait.attach(controlPair.server());
        final StreamHandle controlClient = wait.attach(controlPair.client());
        final Pipes.Collector controlGot = new Pipes.Collector();
        final Registration controlRead = controlServer.read(4096, controlGot);
        final WinNT.HANDLE controlEvent = event();
        final AtomicInteger controlSignals = new AtomicInteger();
        final Registration controlWatch = wait.watch(Handles.raw(controlEvent), true, controlSignals::incrementAndGet);

        Rig() {
            wait.setCallbackErrorHandler((reg, t) -> reported.add(t));
            // Issue the control read here, on the test's own thread: under Wine, I/O issued by a thread
            // that exits before it completes may complete without a result (see RELIABILITY.md).
            wait.runOnce(Duration.ZERO);
        }

        FaultyWin32 layer() {
            FaultyWin32 l = new FaultyWin32();
            layers.add(l);
            return l;
        }

        FaultyWin32.Fault fail(Call call, int error) {
            return w.fail(call, error);
        }

        WinNT.HANDLE event() {
            WinNT.HANDLE e = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
            toClose.add(e);
            return e;
        }

        void pump(BooleanSupplier done, String what) {
            pump(done, what, () -> "live " + wait.registrationCount() + ", reported " + reported);
        }

        void pump(BooleanSupplier done, String what, java.util.function.Supplier<String> state) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    org.junit.jupiter.api.Assertions.fail("timed out waiting for: " + what + " (" + state.get() + ")");
                }
                wait.runOnce(Duration.ofMillis(20));
            }
        }

        /** The control registrations, set up before the fault, still deliver. */
        void checkControl() {
            w.clearFaults();
            assertTrue(controlRead.isActive(), "the control read survived the fault");
            assertTrue(controlWatch.isActive(), "the control watch survived the fault");
            byte[] data = Pipes.randomBytes(controlGot.data().length, 3000);
            int before = controlGot.data().length;
            int signals = controlSignals.get();
            controlClient.write(ByteBuffer.wrap(data), null);
            Kernel32.INSTANCE.SetEvent(controlEvent);
            pump(() -> controlGot.data().length >= before + data.length && controlSignals.get() > signals,
                    "control pipe data and control event signal", () -> "control read " + controlGot.reason + " "
                            + controlGot.error + ", got " + (controlGot.data().length - before) + " bytes, signals "
                            + (controlSignals.get() - signals) + ", live " + wait.registrationCount() + ", reported "
                            + reported);
            byte[] all = controlGot.data();
            assertArrayEquals(data, java.util.Arrays.copyOfRange(all, before, all.length));
        }

        int hits() {
            return layers.stream().mapToInt(l -> l.injectedTotal.get()).sum();
        }

        @Override
        public void close() {
            try {
                wait.close();
            } finally {
                toClose.forEach(Kernel32.INSTANCE::CloseHandle);
            }
            for (FaultyWin32 l : layers) {
                assertEquals(List.of(), l.problems, "socket bookkeeping");
                assertEquals(Set.of(), l.openSockets(), "sockets left open");
            }
        }
    }

    /**
     * One row: a warm-up round, then {@link #ROUNDS} rounds, each with a fresh rig; the fault must
     * have been injected in each; handles and native blocks after all rounds back to where they were.
     */
    private static void row(String call, String surfacesAs, Scenario scenario) {
        round(scenario, call);
        int handles = HandleCount.ofThisProcess();
        long blocks = NativeOp.liveBlocks();
        int abandoned = NativeOp.abandonedCount();
        int hits = 0;
        for (int i = 0; i < ROUNDS; i++) {
            hits += round(scenario, call);
        }
        int after = HandleCounts.settled(handles, 3);
        assertTrue(after - handles <= 3, call + ": handles before " + handles + ", after " + ROUNDS + " rounds " + after);
        assertEquals(blocks, NativeOp.liveBlocks(), call + ": native blocks allocated minus freed");
        assertEquals(abandoned, NativeOp.abandonedCount(), call + ": abandoned blocks");
        INJECTED.addAndGet(hits);
        TABLE.put(call, surfacesAs + " | " + hits + " in " + ROUNDS + " rounds | handles " + handles + " -> " + after
                + ", native blocks " + blocks + " -> " + NativeOp.liveBlocks());
    }

    private static int round(Scenario scenario, String call) {
        ROUNDS_RUN.incrementAndGet();
        try (Rig r = new Rig()) {
            scenario.run(r);
            r.checkControl();
            assertTrue(r.hits() > 0, call + ": the fault was never injected (the path was not taken)");
            return r.hits();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void assertNames(MultiWaitException e, String call, long handle, int error) {
        assertEquals(error, e.win32Error(), e.getMessage());
        assertTrue(e.getMessage().startsWith(call), () -> "expected the call " + call + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("Win32 error " + error), e.getMessage());
        if (handle != 0) {
            assertEquals(handle, e.handle());
            assertTrue(e.getMessage().contains("0x" + Long.toHexString(handle)), e.getMessage());
        }
    }

    /** WSAEINVAL: what AcceptEx says on a socket that is not listening (an error about the listener itself). */
    static final int NOT_LISTENING = 10022;

    /**
     * A one-connection server on the rig survives the armed fault: {@code onAcceptFailed} names the call,
     * {@code handle} (-1: the listening socket; 0: not checked) and the error, and a client that connects
     * afterwards is accepted. {@code triggeredByAClient}: the fault needs a connection to happen first.
     */
    static void acceptsThroughAFault(Rig r, String call, long handle, int error, boolean triggeredByAClient) {
        List<MultiWaitException> failures = new CopyOnWriteArrayList<>();
        List<StreamHandle> accepted = new CopyOnWriteArrayList<>();
        Net.End end = new Net.End();
        SocketServer server = r.wait.listen(Net.loopback4(0), 16, 1, new dev.multiwait.AcceptListener() {
            @Override
            public void onAccepted(SocketServer s, StreamHandle c, InetSocketAddress p) {
                accepted.add(c);
            }

            @Override
            public void onAcceptFailed(SocketServer s, MultiWaitException e) {
                failures.add(e);
            }

            @Override
            public void onClose(CloseReason reason, Exception e) {
                end.onClose(reason, e);
            }
        });
        SocketConnectTest.Connecting first = new SocketConnectTest.Connecting();
        if (triggeredByAClient) {
            r.wait.connect(server.localAddress(), first);
        }
        r.pump(() -> !failures.isEmpty() && (!triggeredByAClient || first.socket != null), "the failed accept");
        assertNames(failures.get(0), call, handle == -1 ? server.socket() : handle, error);
        SocketConnectTest.Connecting client = new SocketConnectTest.Connecting();
        r.wait.connect(server.localAddress(), client);
        r.pump(() -> !accepted.isEmpty() && client.socket != null, "the next accept");
        assertTrue(server.isActive(), "the server goes on");
        assertEquals(1, failures.size(), "one failure: " + failures);
        server.close();
        r.pump(() -> end.reason != null, "the server to end");
        assertEquals(CloseReason.CANCELLED, end.reason);
        accepted.forEach(StreamHandle::close);
        client.socket.close();
        if (first.socket != null) {
            first.socket.close();
        }
    }

    static final class End implements SignalListener, ExitListener, ConnectListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile CloseReason reason;
        volatile Exception error;

        @Override
        public void onSignal() {
            events.add("signal");
        }

        @Override
        public void onExit(int code) {
            events.add("exit " + code);
        }

        @Override
        public void onConnected(StreamHandle s) {
            events.add("connected");
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
        }

        MultiWaitException failure() {
            assertEquals(CloseReason.FAILED, reason, () -> "ended " + reason + " after " + events);
            return assertInstanceOf(MultiWaitException.class, error);
        }
    }

    /** A connected socket pair on the rig's waiter: [0] the client (ConnectEx), [1] the accepted side. */
    static StreamHandle[] socketPair(Rig r) {
        List<StreamHandle> accepted = new CopyOnWriteArrayList<>();
        SocketServer server = r.wait.listen(Net.loopback4(0), 16, 1, (srv, s, peer) -> accepted.add(s));
        SocketConnectTest.Connecting c = new SocketConnectTest.Connecting();
        r.wait.connect(server.localAddress(), c);
        r.pump(() -> c.socket != null && !accepted.isEmpty(), "socket pair");
        server.close();
        return new StreamHandle[] {c.socket, accepted.get(0)};
    }

    // ---- the port ----

    @Test
    void portCreation() {
        row("CreateIoCompletionPort (new port)", "`new MultiHandleWait` throws MultiWaitException naming the call and error", r -> {
            FaultyWin32 other = r.layer();
            other.fail(Call.CREATE_PORT, ERR);
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> Waiters.create(other, 64));
            assertNames(e, "CreateIoCompletionPort", 0, ERR);
        });
    }

    @Test
    void association() {
        row("CreateIoCompletionPort (associate)", "`attach` throws naming the handle and error; the handle stays the caller's", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            r.toClose.add(Handles.handle(p.client()));
            r.fail(Call.ASSOCIATE, ERR).on(raw(Handles.handle(p.server())));
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> r.wait.attach(p.server()));
            assertNames(e, "CreateIoCompletionPort(associate)", raw(Handles.handle(p.server())), ERR);
            assertTrue(Pipes.isOpen(Handles.handle(p.server())), "a refused handle is still the caller's");
            assertEquals(2, r.wait.registrationCount(), "nothing registered for it");
            r.wait.attach(p.server()).close(); // the same handle attaches once the fault is gone
        });
    }

    @Test
    void childStdioAssociation() {
        row("CreateIoCompletionPort (a child's stdout)", "`ChildProcess.start` throws; the child is terminated, every end closed", r -> {
            r.fail(Call.ASSOCIATE, ERR).after(1); // stdin attaches, stdout does not
            MultiWaitException e = assertThrows(MultiWaitException.class,
                    () -> ChildProcess.builder(Children.exe(), "slow", "10", "50").start(r.wait));
            assertNames(e, "CreateIoCompletionPort(associate)", 0, ERR);
            r.pump(() -> r.wait.registrationCount() == 2, "the attached stdin end closed");
        });
    }

    /** A launch that must fail at {@code call}: nothing registered, every descriptor freed, the attribute list deleted. */
    private static void failedLaunch(Rig r, String call) {
        int registered = r.wait.registrationCount();
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> ChildProcess.builder(Children.exe(), "exit", "0").start(r.wait));
        assertNames(e, call, 0, ERR);
        assertEquals(registered, r.wait.registrationCount(), "nothing registered");
        assertEquals(r.w.calls(Call.SECURITY_DESCRIPTOR) - (call.startsWith("Convert") ? 1 : 0), r.w.calls(Call.LOCAL_FREE),
                "every security descriptor freed");
        assertEquals(0, r.w.calls(Call.CREATE_PROCESS) - (call.startsWith("CreateProcessW") ? 1 : 0), "nothing launched");
    }

    /** A launch refused after CreateProcessW (a job call, ResumeThread): the suspended child terminated, nothing registered; the waiter launches again. */
    private static void refusedLaunch(Rig r, String call) {
        int registered = r.wait.registrationCount();
        MultiWaitException e = assertThrows(MultiWaitException.class,
                () -> ChildProcess.builder(Children.exe(), "exit", "0").start(r.wait));
        assertNames(e, call, 0, ERR);
        assertEquals(registered, r.wait.registrationCount(), "nothing registered");
        assertEquals(1, r.w.calls(Call.CREATE_PROCESS), "launched (suspended)");
        assertEquals(1, r.w.calls(Call.TERMINATE_PROCESS), "terminated before it ran");
        assertEquals(call.startsWith("ResumeThread") ? 1 : 0, r.w.calls(Call.RESUME_THREAD), "never resumed");
        ChildProcess next = ChildProcess.builder(Children.exe(), "exit", "3").start(r.wait);
        End end = new End();
        next.onExit(end);
        r.pump(() -> end.events.equals(List.of("exit 3")), "the next child's exit");
        next.close();
        r.pump(() -> r.wait.registrationCount() == registered, "the next child's ends closed");
    }

    /** A running child whose tree call fails once: the call throws naming it; the next one kills the tree. */
    private static void treeCallFailsOnce(Rig r, Call fault, String call) {
        ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(r.wait);
        End end = new End();
        c.onExit(end);
        r.fail(fault, ERR);
        MultiWaitException e = assertThrows(MultiWaitException.class, c::killTree);
        assertNames(e, call, 0, ERR);
        assertTrue(c.killTree(), "the second killTree");
        r.pump(() -> end.events.equals(List.of("exit 1")), "the exit of the killed tree");
        assertFalse(c.killTree(), "nothing left to kill");
        c.close();
        r.pump(() -> r.wait.registrationCount() == 2, "the child's ends closed");
    }

    @Test
    void childJobCalls() {
        String refused = "`ChildProcess.start` throws naming the call and error; the suspended child terminated before it ran, "
                + "every end and job closed; the next start works";
        row("CreateJobObjectW (the waiter's job, first child)", refused, r -> {
            r.fail(Call.CREATE_JOB, ERR);
            refusedLaunch(r, "CreateJobObjectW");
        });
        row("CreateJobObjectW (a child group)", "`ChildGroup.create` throws naming the call and error; the next create works", r -> {
            r.fail(Call.CREATE_JOB, ERR);
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> ChildGroup.create(r.wait));
            assertNames(e, "CreateJobObjectW", 0, ERR);
            ChildGroup.create(r.wait).close();
        });
        row("SetInformationJobObject (kill-on-close limit)", refused, r -> {
            r.fail(Call.SET_JOB_INFORMATION, ERR);
            refusedLaunch(r, "SetInformationJobObject");
        });
        row("AssignProcessToJobObject (the waiter's job)", refused, r -> {
            r.fail(Call.ASSIGN_TO_JOB, ERR);
            refusedLaunch(r, "AssignProcessToJobObject");
        });
        row("CreateJobObjectW (the child's own job)", refused, r -> {
            r.fail(Call.CREATE_JOB, ERR).after(1);
            refusedLaunch(r, "CreateJobObjectW");
        });
        row("AssignProcessToJobObject (the child's own job)", refused, r -> {
            r.fail(Call.ASSIGN_TO_JOB, ERR).after(1);
            refusedLaunch(r, "AssignProcessToJobObject");
        });
        row("ResumeThread", refused, r -> {
            r.fail(Call.RESUME_THREAD, ERR);
            refusedLaunch(r, "ResumeThread");
        });
        String once = "`killTree()` throws naming the call, the job handle and the error; a later `killTree()` works";
        row("QueryInformationJobObject (killTree)", once, r -> treeCallFailsOnce(r, Call.QUERY_JOB_INFORMATION,
                "QueryInformationJobObject"));
        row("TerminateJobObject (killTree)", once, r -> treeCallFailsOnce(r, Call.TERMINATE_JOB, "TerminateJobObject"));
        row("GenerateConsoleCtrlEvent (stop)", "`stop()` returns false and kills the child's tree at once", r -> {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(r.wait);
            End end = new End();
            c.onExit(end);
            r.fail(Call.CONSOLE_CTRL_EVENT, ERR);
            assertFalse(c.stop(Duration.ofMinutes(5)));
            r.pump(() -> end.events.equals(List.of("exit 1")), "the exit of the stopped child");
            c.close();
            r.pump(() -> r.wait.registrationCount() == 2, "the child's ends closed");
        });
        row("TerminateJobObject (stop, the event refused)", "`stop()` throws naming the call and error; a later `stop()` kills the tree", r -> {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(r.wait);
            End end = new End();
            c.onExit(end);
            r.fail(Call.CONSOLE_CTRL_EVENT, ERR).times(2);
            r.fail(Call.TERMINATE_JOB, ERR);
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> c.stop(Duration.ZERO));
            assertNames(e, "TerminateJobObject", 0, ERR);
            assertFalse(c.stop(Duration.ZERO), "refused again: the tree killed");
            r.pump(() -> end.events.equals(List.of("exit 1")), "the exit of the stopped child");
            c.close();
            r.pump(() -> r.wait.registrationCount() == 2, "the child's ends closed");
        });
    }

    @Test
    void childLaunchCalls() {
        String closed = "`ChildProcess.start` throws naming the call and error; nothing launched, every pipe end closed";
        row("CreateNamedPipeW (a child's stdout pipe)", closed, r -> {
            r.fail(Call.CREATE_NAMED_PIPE, ERR).when(mode -> (mode & 3) == 1); // PIPE_ACCESS_INBOUND: stdout, stderr
            failedLaunch(r, "CreateNamedPipeW");
        });
        row("CreateFileW (pipe client: a child's stderr end)", closed, r -> {
            r.fail(Call.CREATE_FILE, ERR).when(access -> access == (0x40000000 | 0x80)).after(1); // stdout's opens
            failedLaunch(r, "CreateFileW");
        });
        row("ConvertStringSecurityDescriptorToSecurityDescriptorW (a pipe's DACL)", closed, r -> {
            r.fail(Call.SECURITY_DESCRIPTOR, ERR).after(1);
            failedLaunch(r, "ConvertStringSecurityDescriptorToSecurityDescriptorW");
        });
        row("InitializeProcThreadAttributeList", closed, r -> {
            r.fail(Call.INIT_ATTRIBUTE_LIST, ERR).when(list -> list != 0); // the real call, not the size query
            failedLaunch(r, "InitializeProcThreadAttributeList");
        });
        row("UpdateProcThreadAttribute (the inherit list)", closed + "; the attribute list deleted", r -> {
            r.fail(Call.UPDATE_ATTRIBUTE, ERR);
            failedLaunch(r, "UpdateProcThreadAttribute");
            assertEquals(1, r.w.calls(Call.DELETE_ATTRIBUTE_LIST), "the attribute list deleted");
        });
        row("SetHandleInformation (making a child's end inheritable)", closed + "; no end left inheritable", r -> {
            r.fail(Call.SET_HANDLE_INFORMATION, ERR).when(flags -> flags == 1).after(1);
            failedLaunch(r, "SetHandleInformation");
            assertEquals(3, r.w.calls(Call.SET_HANDLE_INFORMATION) - 2, "all three ends made non-inheritable again");
        });
        row("CreateProcessW", closed + "; the attribute list deleted", r -> {
            r.fail(Call.CREATE_PROCESS, ERR);
            failedLaunch(r, "CreateProcessW");
            assertEquals(1, r.w.calls(Call.DELETE_ATTRIBUTE_LIST), "the attribute list deleted");
        });
        row("DuplicateHandle (our stdin, for `Redirect.INHERIT`)", closed, r -> {
            r.fail(Call.DUPLICATE_HANDLE, ERR);
            int registered = r.wait.registrationCount();
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> ChildProcess.builder(Children.exe(), "exit", "0")
                    .redirectInput(dev.multiwait.Redirect.INHERIT).start(r.wait));
            assertNames(e, "DuplicateHandle", 0, ERR);
            assertEquals(registered, r.wait.registrationCount(), "nothing registered");
            assertEquals(0, r.w.calls(Call.CREATE_PROCESS), "nothing launched");
        });
        row("GetSystemDirectoryW (where cmd.exe is, for a batch file)", closed, r -> {
            r.fail(Call.SYSTEM_DIRECTORY, ERR);
            int registered = r.wait.registrationCount();
            MultiWaitException e = assertThrows(MultiWaitException.class,
                    () -> ChildProcess.builder("build.bat", "x").start(r.wait));
            assertNames(e, "GetSystemDirectoryW", 0, ERR);
            assertEquals(registered, r.wait.registrationCount(), "nothing registered");
            assertEquals(0, r.w.calls(Call.CREATE_PROCESS), "nothing launched");
        });
        row("TerminateProcess (kill)", "`kill()` throws naming the pid, the handle and the error; a later `kill()` works", r -> {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(r.wait);
            End end = new End();
            c.onExit(end);
            r.fail(Call.TERMINATE_PROCESS, ERR);
            MultiWaitException e = assertThrows(MultiWaitException.class, c::kill);
            assertNames(e, "TerminateProcess(pid " + c.pid() + ")", 0, ERR);
            assertTrue(c.kill(), "the second kill");
            r.pump(() -> end.events.equals(List.of("exit 1")), "the exit of the killed child");
            c.close();
            r.pump(() -> r.wait.registrationCount() == 2, "the child's ends closed");
        });
    }

    @Test
    void skipOnSuccess() {
        row("SetFileCompletionNotificationModes", "nothing to surface: every operation waits for its packet; data intact", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            r.fail(Call.SKIP_ON_SUCCESS, ERR).on(raw(Handles.handle(p.server())));
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            assertFalse(server.toString().contains("skip-on-success"), server.toString());
            assertTrue(client.toString().contains("skip-on-success"), client.toString());
            byte[] data = Pipes.randomBytes(5, 300_000);
            Pipes.Collector got = new Pipes.Collector();
            server.read(8192, got);
            client.write(ByteBuffer.wrap(data), (n, err) -> client.close());
            r.pump(() -> got.reason != null, "transfer");
            assertArrayEquals(data, got.data());
            server.close();
        });
    }

    @Test
    void dequeue() {
        row("GetQueuedCompletionStatusEx", "`run()`/`runOnce()` throw it; no packet lost, every registration intact; run again", r -> {
            int live = r.wait.registrationCount();
            r.fail(Call.GET_QUEUED_COMPLETION_STATUS_EX, ERR);
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> r.wait.runOnce(Duration.ofMillis(20)));
            assertNames(e, "GetQueuedCompletionStatusEx", 0, ERR);
            assertTrue(e.getMessage().contains("every registration is intact"), e.getMessage());
            r.fail(Call.GET_QUEUED_COMPLETION_STATUS_EX, ERR);
            assertThrows(MultiWaitException.class, r.wait::run);
            assertEquals(live, r.wait.registrationCount());
        });
    }

    // ---- PostQueuedCompletionStatus ----

    /** Runs the waiter on its own thread, blocked in the port once started. */
    static Thread loopThread(Rig r, AtomicReference<Throwable> failed) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        r.wait.execute(running::countDown);
        Thread t = new Thread(() -> {
            try {
                r.wait.run();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "fault-loop");
        t.start();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        Thread.sleep(50);
        return t;
    }

    @Test
    void postOnCancel() {
        row("PostQueuedCompletionStatus (cancel's wake)", "`cancel()` throws naming the call and error; the stop request stands; a later `cancel()` works", r -> {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loop = loopThread(r, failed);
            r.fail(Call.POST_QUEUED_COMPLETION_STATUS, ERR).on(0).times(3);
            MultiWaitException e = assertThrows(MultiWaitException.class, r.wait::cancel);
            assertNames(e, "PostQueuedCompletionStatus(wake)", 0, ERR);
            assertTrue(e.getMessage().contains("stop request stands"), e.getMessage());
            Thread.sleep(100);
            assertTrue(loop.isAlive(), "no wake came: the loop is still blocked");
            r.wait.cancel();
            loop.join(10_000);
            assertFalse(loop.isAlive());
            assertNull(failed.get());
        });
    }

    @Test
    void postOnCancelRefusedOnce() {
        row("PostQueuedCompletionStatus (cancel's wake, refused once)", "retried (1 ms later): `cancel()` succeeds", r -> {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loop = loopThread(r, failed);
            r.fail(Call.POST_QUEUED_COMPLETION_STATUS, ERR).on(0).times(1);
            r.wait.cancel();
            loop.join(10_000);
            assertFalse(loop.isAlive(), "the retried wake stopped the loop");
        });
    }

    @Test
    void postOnACallFromAnotherThread() {
        row("PostQueuedCompletionStatus (wake for a call from another thread)", "the call (here `read()`) throws; nothing was registered", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loop = loopThread(r, failed);
            int live = r.wait.registrationCount();
            long blocks = NativeOp.liveBlocks();
            r.fail(Call.POST_QUEUED_COMPLETION_STATUS, ERR).on(0).times(3);
            Pipes.Collector never = new Pipes.Collector();
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> server.read(4096, never));
            assertNames(e, "PostQueuedCompletionStatus(wake)", 0, ERR);
            assertEquals(live, r.wait.registrationCount());
            assertEquals(blocks, NativeOp.liveBlocks(), "the refused read's buffer was freed");
            r.wait.cancel();
            loop.join(10_000);
            assertNull(never.reason, "a refused call tells no listener");
            server.close();
            client.close();
        });
    }

    @Test
    void postFromAWaitBridge() {
        row("PostQueuedCompletionStatus (a wait bridge's packet)", "retried 5 times over ~15 ms, then that watch ends FAILED naming the call", r -> {
            WinNT.HANDLE e = r.event();
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), false, end);
            r.fail(Call.POST_QUEUED_COMPLETION_STATUS, ERR).onThread("multiwait-wait").times(5);
            Kernel32.INSTANCE.SetEvent(e);
            r.pump(() -> !reg.isActive(), "the watch to end");
            assertNames(end.failure(), "PostQueuedCompletionStatus", 0, ERR);
            assertEquals(List.of(), end.events, "no signal was delivered");
        });
    }

    @Test
    void postFromAWaitBridgeRefusedTwice() {
        row("PostQueuedCompletionStatus (a wait bridge's packet, refused twice)", "retried: the signal is delivered", r -> {
            WinNT.HANDLE e = r.event();
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), false, end);
            r.fail(Call.POST_QUEUED_COMPLETION_STATUS, ERR).onThread("multiwait-wait").times(2);
            Kernel32.INSTANCE.SetEvent(e);
            r.pump(() -> !reg.isActive(), "the watch to end");
            assertEquals(CloseReason.COMPLETED, end.reason);
            assertEquals(List.of("signal"), end.events);
        });
    }

    // ---- stream I/O ----

    @Test
    void readFileImmediateError() {
        row("ReadFile (immediate error)", "that read ends FAILED naming ReadFile, the handle and the error; the stream can read again", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            r.fail(Call.READ_FILE, ERR).on(raw(Handles.handle(p.server())));
            Pipes.Collector first = new Pipes.Collector();
            server.read(4096, first);
            r.pump(() -> first.reason != null, "the read to fail");
            assertEquals(CloseReason.FAILED, first.reason);
            assertNames((MultiWaitException) first.error, "ReadFile", raw(Handles.handle(p.server())), ERR);
            Pipes.Collector second = new Pipes.Collector();
            server.read(4096, second);
            client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), (n, err) -> client.close());
            r.pump(() -> second.reason != null, "the second read");
            assertArrayEquals(new byte[] {1, 2, 3}, second.data());
            server.close();
        });
    }

    @Test
    void writeFileImmediateError() {
        row("WriteFile (immediate error)", "that write's listener gets it (and every write queued behind it)", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            r.fail(Call.WRITE_FILE, ERR).on(raw(Handles.handle(p.client())));
            List<MultiWaitException> errors = new CopyOnWriteArrayList<>();
            client.write(ByteBuffer.wrap(new byte[100]), (n, err) -> errors.add(err));
            client.write(ByteBuffer.wrap(new byte[100]), (n, err) -> errors.add(err));
            r.pump(() -> errors.size() == 2, "both write listeners");
            assertNames(errors.get(0), "WriteFile", raw(Handles.handle(p.client())), ERR);
            assertNames(errors.get(1), "WriteFile", raw(Handles.handle(p.client())), ERR);
            client.close();
            server.close();
        });
    }

    @Test
    void connectNamedPipeImmediateError() {
        row("ConnectNamedPipe (immediate error)", "that connect ends FAILED naming the call, the handle and the error", r -> {
            WinNT.HANDLE h = Handles.handle(OverlappedPipe.createServer(OverlappedPipe.uniqueName()));
            StreamHandle server = r.wait.attach(Handles.raw(h));
            r.fail(Call.CONNECT_NAMED_PIPE, ERR).on(raw(h));
            End end = new End();
            server.connect(end);
            r.pump(() -> end.reason != null, "the connect to fail");
            assertNames(end.failure(), "ConnectNamedPipe", raw(h), ERR);
            server.close();
        });
    }

    @Test
    void cancelIoExFailsOnARead() {
        row("CancelIoEx (cancelling a read)", "reported to the CallbackErrorHandler naming the handle; the read ends when its I/O completes", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            Pipes.Collector got = new Pipes.Collector();
            Registration read = server.read(4096, got);
            r.wait.runOnce(Duration.ofMillis(20));
            r.fail(Call.CANCEL_IO_EX, ERR).on(raw(Handles.handle(p.server()))).always();
            read.cancel();
            r.pump(() -> !r.reported.isEmpty(), "the report");
            assertNames(assertInstanceOf(MultiWaitException.class, r.reported.get(0)), "CancelIoEx", raw(Handles.handle(p.server())), ERR);
            assertTrue(read.isActive(), "the read is still pending");
            client.write(ByteBuffer.wrap(new byte[] {7}), null);
            r.pump(() -> got.reason != null, "the read to end");
            assertEquals(CloseReason.CANCELLED, got.reason);
            assertArrayEquals(new byte[] {7}, got.data(), "what the read moved is delivered");
            server.close();
            client.close();
        });
    }

    @Test
    void cancelIoExFailsOnClose() {
        row("CancelIoEx (closing a stream)", "reported; the handle is closed at once instead, which ends the read (CANCELLED)", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            r.toClose.add(Handles.handle(p.client()));
            StreamHandle server = r.wait.attach(p.server());
            Pipes.Collector got = new Pipes.Collector();
            server.read(4096, got);
            r.wait.runOnce(Duration.ofMillis(20));
            r.fail(Call.CANCEL_IO_EX, ERR).on(raw(Handles.handle(p.server()))).always();
            server.close();
            r.pump(() -> got.reason != null, "the read to end");
            assertEquals(CloseReason.CANCELLED, got.reason);
            assertEquals(1, r.reported.size(), () -> "reported: " + r.reported);
            assertNames((MultiWaitException) r.reported.get(0), "CancelIoEx", raw(Handles.handle(p.server())), ERR);
            assertTrue(Pipes.isClosedPipe(Handles.handle(p.server())), "closed");
        });
    }

    @Test
    void closeHandleFails() {
        row("CloseHandle", "reported to the CallbackErrorHandler naming the handle and error", r -> {
            OverlappedPipe.Pair p = OverlappedPipe.create();
            StreamHandle server = r.wait.attach(p.server());
            StreamHandle client = r.wait.attach(p.client());
            r.fail(Call.CLOSE_HANDLE, ERR).on(raw(Handles.handle(p.server()))).afterDoing();
            server.close();
            r.pump(() -> !r.reported.isEmpty(), "the report");
            assertNames((MultiWaitException) r.reported.get(0), "CloseHandle", raw(Handles.handle(p.server())), ERR);
            client.close();
        });
    }

    // ---- bridged waits ----

    @Test
    void registerWaitFailsOnFirstArm() {
        row("RegisterWaitForSingleObject (first arm)", "`watch()` throws naming the handle and error; nothing registered", r -> {
            WinNT.HANDLE e = r.event();
            r.fail(Call.REGISTER_WAIT, ERR).on(raw(e));
            int live = r.wait.registrationCount();
            MultiWaitException x = assertThrows(MultiWaitException.class, () -> r.wait.watch(Handles.raw(e), true, () -> { }));
            assertNames(x, "RegisterWaitForSingleObject", raw(e), ERR);
            assertEquals(live, r.wait.registrationCount());
        });
    }

    @Test
    void registerWaitFailsOnReArm() {
        row("RegisterWaitForSingleObject (re-arm)", "the signal is delivered, then the watch ends FAILED naming the call", r -> {
            WinNT.HANDLE e = r.event();
            r.fail(Call.REGISTER_WAIT, ERR).on(raw(e)).after(1);
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), true, end);
            Kernel32.INSTANCE.SetEvent(e);
            r.pump(() -> !reg.isActive(), "the watch to end");
            assertEquals(List.of("signal"), end.events);
            assertNames(end.failure(), "RegisterWaitForSingleObject", raw(e), ERR);
        });
    }

    @Test
    void unregisterWaitFailsAfterASignal() {
        row("UnregisterWaitEx (after a signal)", "the signal is delivered, then the watch ends FAILED naming the call (callback pinned)", r -> {
            WinNT.HANDLE e = r.event();
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), true, end);
            r.fail(Call.UNREGISTER_WAIT, ERR).afterDoing();
            Kernel32.INSTANCE.SetEvent(e);
            r.pump(() -> !reg.isActive(), "the watch to end");
            assertEquals(List.of("signal"), end.events);
            assertNames(end.failure(), "UnregisterWaitEx", raw(e), ERR);
        });
    }

    @Test
    void unregisterWaitFailsOnCancel() {
        row("UnregisterWaitEx (on cancel)", "the watch ends FAILED (not CANCELLED) naming the call", r -> {
            WinNT.HANDLE e = r.event();
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), true, end);
            r.fail(Call.UNREGISTER_WAIT, ERR).afterDoing();
            reg.cancel();
            r.pump(() -> !reg.isActive(), "the watch to end");
            assertNames(end.failure(), "UnregisterWaitEx", raw(e), ERR);
        });
    }

    @Test
    void handleChecksFail() {
        row("GetHandleInformation (handle check)", "`watch()` throws naming the handle and error", r -> {
            WinNT.HANDLE e = r.event();
            r.fail(Call.IS_HANDLE_OPEN, ERR).on(raw(e));
            assertNames(assertThrows(MultiWaitException.class, () -> r.wait.watch(Handles.raw(e), false, () -> { })), "watch", raw(e), ERR);
        });
        row("GetFileType (kind check)", "nothing to surface: an unknown type is not refused; the watch works", r -> {
            WinNT.HANDLE e = r.event();
            r.fail(Call.GET_FILE_TYPE, ERR).on(raw(e));
            End end = new End();
            Registration reg = r.wait.watch(Handles.raw(e), false, end);
            Kernel32.INSTANCE.SetEvent(e);
            r.pump(() -> !reg.isActive(), "the watch");
            assertEquals(List.of("signal"), end.events);
        });
    }

    @Test
    void processCalls() {
        try (MultiHandleWait launcher = new MultiHandleWait()) {
            row("GetProcessId (kind check)", "`watchProcess()` throws naming the handle and error", r -> {
                WinNT.HANDLE process = child(launcher, r, 0);
                r.fail(Call.GET_PROCESS_ID, ERR).on(raw(process));
                MultiWaitException e = assertThrows(MultiWaitException.class, () -> r.wait.watchProcess(Handles.raw(process), code -> { }));
                assertNames(e, "watchProcess", raw(process), ERR);
            });
            row("GetExitCodeProcess", "that watch ends FAILED naming the call, the handle and the error", r -> {
                WinNT.HANDLE process = child(launcher, r, 3);
                r.fail(Call.GET_EXIT_CODE_PROCESS, ERR).on(raw(process));
                End end = new End();
                Registration reg = r.wait.watchProcess(Handles.raw(process), end);
                r.pump(() -> !reg.isActive(), "the exit watch");
                assertNames(end.failure(), "GetExitCodeProcess", raw(process), ERR);
            });
        }
    }

    /** A short-lived child launched on {@code launcher}; a handle of ours to its process (closed by the rig). */
    private static WinNT.HANDLE child(MultiHandleWait launcher, Rig r, int exitCode) {
        ChildProcess c = ChildProcess.builder(Children.exe(), "exit", String.valueOf(exitCode)).start(launcher);
        WinNT.HANDLE h = Kernel32.INSTANCE.OpenProcess(0x00100000 | 0x1000, false, (int) c.pid()); // SYNCHRONIZE | QUERY_LIMITED
        assertNotNull(h, "OpenProcess " + Kernel32.INSTANCE.GetLastError());
        r.toClose.add(h);
        c.stdout().close();
        c.stderr().close();
        launcher.run();
        c.close();
        return h;
    }

    /** WriteConsoleInputW, to queue a key record in our own console. */
    interface ConsoleWrite extends Library {
        ConsoleWrite INSTANCE = Native.load("kernel32", ConsoleWrite.class, W32APIOptions.DEFAULT_OPTIONS);

        boolean WriteConsoleInputW(WinNT.HANDLE console, Memory records, int length, IntByReference written);
    }

    @Test
    void consoleCalls() {
        WinNT.HANDLE conin = Kernel32.INSTANCE.CreateFile("CONIN$", 0xC0000000, 3, null, 3, 0, null);
        org.junit.jupiter.api.Assumptions.assumeTrue(conin != null && !WinBase.INVALID_HANDLE_VALUE.equals(conin),
                "no console: the console rows need the pseudo-terminal wine-tests.sh provides");
        try {
            row("GetNumberOfConsoleInputEvents", "`watchConsoleInput()` throws naming the handle and error", r -> {
                r.fail(Call.CONSOLE_EVENTS, ERR).on(raw(conin));
                MultiWaitException e = assertThrows(MultiWaitException.class, () -> r.wait.watchConsoleInput(Handles.raw(conin), t -> { }));
                assertNames(e, "watchConsoleInput", raw(conin), ERR);
            });
            row("ReadConsoleInputW", "that watch ends FAILED naming the call, the handle and the error", r -> {
                r.fail(Call.READ_CONSOLE_INPUT, ERR).on(raw(conin));
                End end = new End();
                AtomicReference<String> typed = new AtomicReference<>();
                Registration reg = r.wait.watchConsoleInput(Handles.raw(conin), new dev.multiwait.ConsoleInputListener() {
                    @Override
                    public void onInput(String text) {
                        typed.set(text);
                    }

                    @Override
                    public void onClose(CloseReason reason, Exception error) {
                        end.onClose(reason, error);
                    }
                });
                Memory rec = new Memory(20);
                rec.clear();
                rec.setShort(0, (short) 1); // KEY_EVENT
                rec.setInt(4, 1); // key down
                rec.setShort(8, (short) 1); // repeat
                rec.setChar(14, 'x');
                assertTrue(ConsoleWrite.INSTANCE.WriteConsoleInputW(conin, rec, 1, new IntByReference()));
                r.pump(() -> !reg.isActive(), "the console watch to end");
                assertNames(end.failure(), "ReadConsoleInputW", raw(conin), ERR);
                Kernel32.INSTANCE.FlushConsoleInputBuffer(conin);
            });
        } finally {
            Kernel32.INSTANCE.CloseHandle(conin);
        }
    }

    // ---- sockets ----

    @Test
    void winsockSetUp() {
        row("WSAStartup", "`listen()`/`connect()` throw naming the call and error; nothing opened", r -> {
            r.fail(Call.WSA_STARTUP, ERR);
            assertNames(assertThrows(MultiWaitException.class, () -> r.wait.listen(Net.loopback4(0), (s, c, p) -> { })),
                    "WSAStartup", 0, ERR);
        });
        row("WSASocketW (listening socket)", "`listen()` throws naming the family and error", r -> {
            r.fail(Call.WSA_SOCKET, ERR);
            assertNames(assertThrows(MultiWaitException.class, () -> r.wait.listen(Net.loopback4(0), (s, c, p) -> { })),
                    "WSASocketW(AF_INET)", 0, ERR);
        });
        row("WSASocketW (an accept's socket)", "`onAcceptFailed` gets it naming the call; that accept is posted again after a back-off (10 ms doubling to 1 s), the server goes on", r -> {
            r.fail(Call.WSA_SOCKET, ERR).after(1); // the listening socket is made, the first accept's socket is not
            acceptsThroughAFault(r, "WSASocketW(AF_INET) for an accept", -1, ERR, false);
        });
        for (Call call : List.of(Call.BIND, Call.LISTEN, Call.GET_SOCK_NAME)) {
            String name = call == Call.BIND ? "bind" : call == Call.LISTEN ? "listen" : "getsockname";
            row(name, "`listen()` throws naming the address, the socket and the error; the socket is closed", r -> {
                r.fail(call, ERR);
                MultiWaitException e = assertThrows(MultiWaitException.class, () -> r.wait.listen(Net.loopback4(0), (s, c, p) -> { }));
                assertNames(e, name + "(/127.0.0.1:0)", 0, ERR);
                assertTrue(e.handle() != 0, "names the socket");
            });
        }
        row("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", "`listen()`/`connect()` throw naming the function, the socket and the error; the socket is closed", r -> {
            r.fail(Call.EXTENSION_FUNCTION, ERR);
            MultiWaitException l = assertThrows(MultiWaitException.class, () -> r.wait.listen(Net.loopback4(0), (s, c, p) -> { }));
            assertNames(l, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, AcceptEx)", 0, ERR);
            assertTrue(l.handle() != 0, "names the socket");
            r.fail(Call.EXTENSION_FUNCTION, ERR);
            MultiWaitException c = assertThrows(MultiWaitException.class, () -> r.wait.connect(Net.loopback4(9), new End()));
            assertNames(c, "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, ConnectEx)", 0, ERR);
            assertTrue(r.w.openSockets().isEmpty(), "no socket left open: " + r.w.openSockets());
        });
        row("WSASocketW (connect)", "`connect()` throws naming the family and error", r -> {
            r.fail(Call.WSA_SOCKET, ERR);
            assertNames(assertThrows(MultiWaitException.class, () -> r.wait.connect(Net.loopback4(9), new End())),
                    "WSASocketW(AF_INET)", 0, ERR);
        });
    }

    @Test
    void acceptAndConnect() {
        row("AcceptEx (immediate error about the listening socket)", "the server ends FAILED naming AcceptEx, the address and the error", r -> {
            r.fail(Call.ACCEPT_EX, NOT_LISTENING);
            Net.End end = new Net.End();
            SocketServer server = r.wait.listen(Net.loopback4(0), 16, 1, new dev.multiwait.AcceptListener() {
                @Override
                public void onAccepted(SocketServer s, StreamHandle c, InetSocketAddress p) {
                    c.close();
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    end.onClose(reason, error);
                }
            });
            r.pump(() -> !server.isActive(), "the server to end");
            assertEquals(CloseReason.FAILED, end.reason);
            assertNames((MultiWaitException) end.error, "AcceptEx on /127.0.0.1:", server.socket(), NOT_LISTENING);
        });
        row("AcceptEx (immediate shortage)", "`onAcceptFailed` gets it naming AcceptEx; that accept is posted again after a back-off, the server goes on", r -> {
            r.fail(Call.ACCEPT_EX, ERR);
            acceptsThroughAFault(r, "AcceptEx on /127.0.0.1:", -1, ERR, false);
        });
        row("AcceptEx (immediate reset)", "`onAcceptFailed` gets it naming AcceptEx; that accept is posted again at once, the server goes on", r -> {
            r.fail(Call.ACCEPT_EX, 10054);
            acceptsThroughAFault(r, "AcceptEx on /127.0.0.1:", -1, 10054, false);
        });
        row("setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", "`onAcceptFailed` gets it; that connection is dropped, the server goes on", r -> {
            r.fail(Call.SET_SOCK_OPT, ERR).on(0x700B);
            acceptsThroughAFault(r, "setsockopt(SO_UPDATE_ACCEPT_CONTEXT)", 0, ERR, true);
        });
        row("ConnectEx (immediate error)", "that connect ends FAILED naming ConnectEx, the address and the error; socket closed", r -> {
            SocketServer server = r.wait.listen(Net.loopback4(0), (s, c, p) -> c.close());
            r.fail(Call.CONNECT_EX, ERR);
            End end = new End();
            Registration c = r.wait.connect(server.localAddress(), end);
            r.pump(() -> !c.isActive(), "the connect to end");
            assertNames(end.failure(), "ConnectEx to " + server.localAddress(), 0, ERR);
            server.close();
        });
        row("setsockopt(SO_UPDATE_CONNECT_CONTEXT)", "that connect ends FAILED naming the call; socket closed", r -> {
            SocketServer server = r.wait.listen(Net.loopback4(0), (s, c, p) -> c.close());
            r.fail(Call.SET_SOCK_OPT, ERR).on(0x7010);
            End end = new End();
            Registration c = r.wait.connect(server.localAddress(), end);
            r.pump(() -> !c.isActive(), "the connect to end");
            assertNames(end.failure(), "setsockopt(SO_UPDATE_CONNECT_CONTEXT) after ConnectEx", 0, ERR);
            server.close();
        });
        row("getsockopt(SO_TYPE) (socket check)", "`attachSocket()` throws naming the socket and error; the socket stays the caller's", r -> {
            assertEquals(0, r.w.wsaStartup());
            long s = r.w.wsaSocket(dev.multiwait.win32.Winsock.AF_INET, dev.multiwait.win32.Winsock.SOCK_STREAM,
                    dev.multiwait.win32.Winsock.IPPROTO_TCP, dev.multiwait.win32.Winsock.WSA_FLAG_OVERLAPPED);
            r.fail(Call.GET_SOCK_OPT, ERR).on(dev.multiwait.win32.Winsock.SO_TYPE);
            assertNames(assertThrows(MultiWaitException.class, () -> r.wait.attachSocket(s)), "attachSocket", s, ERR);
            r.wait.attachSocket(s).close(); // the same socket attaches once the fault is gone
        });
        row("getsockopt(SO_PROTOCOL_INFOW)", "nothing to surface: no skip-on-success for that socket; data intact", r -> {
            r.fail(Call.GET_SOCK_OPT, ERR).on(0x2005).always(); // SO_PROTOCOL_INFOW
            StreamHandle[] pair = socketPair(r);
            assertFalse(pair[0].toString().contains("skip-on-success"), pair[0].toString());
            byte[] data = Pipes.randomBytes(9, 200_000);
            Pipes.Collector got = new Pipes.Collector();
            pair[1].read(8192, got);
            pair[0].write(ByteBuffer.wrap(data), null);
            pair[0].shutdownOutput();
            r.pump(() -> got.reason != null, "transfer");
            assertArrayEquals(data, got.data());
            pair[0].close();
            pair[1].close();
        });
    }

    @Test
    void socketIo() {
        row("WSARecv (immediate error)", "that read ends FAILED naming WSARecv, the socket and the error", r -> {
            StreamHandle[] pair = socketPair(r);
            r.fail(Call.WSA_RECV, ERR).on(pair[1].handle());
            Pipes.Collector got = new Pipes.Collector();
            pair[1].read(4096, got);
            r.pump(() -> got.reason != null, "the read to fail");
            assertEquals(CloseReason.FAILED, got.reason);
            assertNames((MultiWaitException) got.error, "WSARecv", pair[1].handle(), ERR);
            pair[0].close();
            pair[1].close();
        });
        row("WSASend (immediate error)", "that write's listener gets it naming WSASend, the socket and the error", r -> {
            StreamHandle[] pair = socketPair(r);
            r.fail(Call.WSA_SEND, ERR).on(pair[0].handle());
            AtomicReference<MultiWaitException> err = new AtomicReference<>();
            pair[0].write(ByteBuffer.wrap(new byte[10]), (n, e) -> err.set(e));
            r.pump(() -> err.get() != null, "the write to fail");
            assertNames(err.get(), "WSASend", pair[0].handle(), ERR);
            pair[0].close();
            pair[1].close();
        });
        row("shutdown(SD_SEND)", "the `shutdownOutput` listener gets it naming the call and the socket", r -> {
            StreamHandle[] pair = socketPair(r);
            r.fail(Call.SHUTDOWN, ERR).on(pair[0].handle());
            AtomicReference<MultiWaitException> err = new AtomicReference<>();
            pair[0].shutdownOutput((n, e) -> err.set(e));
            r.pump(() -> err.get() != null, "the half-close to fail");
            assertNames(err.get(), "shutdown(SD_SEND)", pair[0].handle(), ERR);
            pair[0].close();
            pair[1].close();
        });
        row("closesocket", "reported to the CallbackErrorHandler naming the socket and error", r -> {
            StreamHandle[] pair = socketPair(r);
            r.fail(Call.CLOSE_SOCKET, ERR).on(pair[0].handle()).afterDoing();
            pair[0].close();
            r.pump(() -> !r.reported.isEmpty(), "the report");
            assertNames((MultiWaitException) r.reported.get(0), "closesocket", pair[0].handle(), ERR);
            pair[1].close();
        });
    }
}
