package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import com.sun.jna.NativeLibrary;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.ChildGroup;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.ReadListener;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process trees: a child started by the library and the grandchildren it starts live in the
 * waiter's job (kill on close) and in the child's own nested job; killTree(), the waiter's close()
 * and the death of the process holding the waiter each end every descendant. Checked by pid.
 */
class ChildTreeTest {
    private static final int SYNCHRONIZE = 0x00100000;
    private static final int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

    /** Collects a child's stdout as text (its grandchildren's pids, one per line). */
    static final class Lines implements ReadListener {
        final StringBuilder text = new StringBuilder();
        volatile CloseReason reason;

        @Override
        public void onData(ByteBuffer data) {
            text.append(StandardCharsets.US_ASCII.decode(data));
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
        }

        List<Integer> pids() {
            List<Integer> pids = new ArrayList<>();
            for (String line : text.toString().split("\\R")) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.trim()));
                }
            }
            return pids;
        }
    }

    static void pump(MultiHandleWait wait, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            wait.runOnce(Duration.ofMillis(50));
        }
    }

    /** Starts {@code mwchild tree n} and waits until it has reported its n grandchildren. */
    static ChildProcess tree(MultiHandleWait wait, int n, List<Integer> pids) {
        return tree(wait, null, n, pids);
    }

    static ChildProcess tree(MultiHandleWait wait, ChildGroup group, int n, List<Integer> pids) {
        ChildProcess c = ChildProcess.builder(Children.exe(), "tree", String.valueOf(n), "120000").group(group).start(wait);
        Lines lines = new Lines();
        c.stdout().read(4096, lines);
        pump(wait, () -> lines.pids().size() == n, "the pids of " + n + " grandchildren");
        pids.add((int) c.pid());
        pids.addAll(lines.pids());
        return c;
    }

    /** Whether a process with this pid is still running (gone, or exited, is false). */
    static boolean running(int pid) {
        WinNT.HANDLE h = Kernel32.INSTANCE.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
        if (h == null) {
            return false;
        }
        try {
            return Kernel32.INSTANCE.WaitForSingleObject(h, 0) == 0x102; // WAIT_TIMEOUT
        } finally {
            Kernel32.INSTANCE.CloseHandle(h);
        }
    }

    /** Every pid ends within 20 s (termination is asynchronous). */
    static void assertAllEnd(List<Integer> pids, String after) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Integer> left = new ArrayList<>(pids);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left.removeIf(pid -> !running(pid));
            FaultInjectionTest.sleep(50);
        }
        assertEquals(List.of(), left, "processes still running after " + after + " (of " + pids + ")");
    }

    static boolean underWine() {
        try {
            NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    @Test
    void killTreeEndsTheChildAndItsGrandchildrenOnly() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<Integer> killed = new ArrayList<>();
            List<Integer> bystanders = new ArrayList<>();
            ChildProcess c = tree(wait, 3, killed);
            ChildProcess other = tree(wait, 2, bystanders);
            assertEquals(4, killed.size());
            assertTrue(killed.stream().allMatch(ChildTreeTest::running), "the tree runs: " + killed);
            Integer[] code = new Integer[1];
            c.onExit(x -> code[0] = x);
            assertTrue(c.killTree());
            assertAllEnd(killed, "killTree()");
            pump(wait, () -> code[0] != null, "the exit of the killed child");
            assertEquals(1, code[0]);
            assertFalse(c.killTree(), "nothing left to kill");
            assertTrue(bystanders.stream().allMatch(ChildTreeTest::running), "another child's tree is untouched: " + bystanders);
            c.close();
            assertThrows(IllegalStateException.class, c::killTree);
            other.close();
        }
    }

    @Test
    void killTreeAfterTheChildExitedEndsWhatItLeft() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<Integer> pids = new ArrayList<>();
            ChildProcess c = tree(wait, 2, pids);
            assertTrue(c.kill(), "the child alone");
            assertEquals(1, waitExit(wait, c));
            List<Integer> grandchildren = pids.subList(1, pids.size());
            assertTrue(grandchildren.stream().allMatch(ChildTreeTest::running), "kill() leaves the grandchildren: " + pids);
            assertTrue(c.killTree(), "the grandchildren were running");
            assertAllEnd(grandchildren, "killTree() after the child's exit");
            c.close();
        }
    }

    @Test
    void closingAGroupEndsItsChildrensTreesOnly() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildGroup group = ChildGroup.create(wait);
            List<Integer> grouped = new ArrayList<>();
            List<Integer> killed = new ArrayList<>();
            List<Integer> outside = new ArrayList<>();
            tree(wait, group, 2, grouped);
            ChildProcess second = tree(wait, group, 1, killed);
            ChildProcess other = tree(wait, 1, outside);
            assertTrue(second.killTree(), "killTree inside a group (three nested jobs)");
            assertAllEnd(killed, "killTree() in a group");
            assertTrue(grouped.stream().allMatch(ChildTreeTest::running), "the group's other tree runs: " + grouped);
            group.close();
            assertAllEnd(grouped, "the group's close()");
            assertTrue(outside.stream().allMatch(ChildTreeTest::running), "a child outside the group runs: " + outside);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ChildProcess.builder(Children.exe(), "exit", "0").group(group).start(wait));
            assertTrue(e.getMessage().contains("group is closed"), e.getMessage());
            try (MultiHandleWait another = new MultiHandleWait()) {
                ChildGroup foreign = ChildGroup.create(another);
                assertThrows(IllegalArgumentException.class,
                        () -> ChildProcess.builder(Children.exe(), "exit", "0").group(foreign).start(wait));
            }
            other.close();
        }
    }

    @Test
    void closingAChildLeavesItsTreeToTheWaitersClose() {
        List<Integer> pids = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            tree(wait, 2, pids).close();
            FaultInjectionTest.sleep(300);
            assertTrue(pids.stream().allMatch(ChildTreeTest::running), "ChildProcess.close() does not kill: " + pids);
        }
        assertAllEnd(pids, "the waiter's close()");
    }

    @Test
    void closingTheWaiterEndsEveryDescendant() {
        List<Integer> pids = new ArrayList<>();
        MultiHandleWait wait = new MultiHandleWait();
        for (int i = 0; i < 3; i++) {
            tree(wait, 2, pids);
        }
        assertEquals(9, pids.size());
        wait.close();
        assertAllEnd(pids, "the waiter's close()");
        assertThrows(IllegalStateException.class,
                () -> ChildProcess.builder(Children.exe(), "exit", "0").start(wait));
    }

    /** A JVM holding a waiter with a child tree is killed: Windows closes its job handle, which ends the tree. */
    @Test
    void theDeathOfTheProcessHoldingTheWaiterEndsEveryDescendant() {
        String java = System.getProperty("java.home") + "\\bin\\java.exe";
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess holder = ChildProcess.builder(java, "-cp", System.getProperty("java.class.path"),
                    TreeHolder.class.getName(), Children.exe()).start(wait);
            Lines lines = new Lines();
            holder.stdout().read(4096, lines);
            Lines errors = new Lines();
            holder.stderr().read(4096, errors);
            pump(wait, () -> lines.pids().size() == 3 || holder.exitCode().isPresent(), "the holder's tree pids");
            List<Integer> pids = lines.pids();
            assertEquals(3, pids.size(), "holder stdout " + lines.text + " stderr " + errors.text);
            assertTrue(pids.stream().allMatch(ChildTreeTest::running), "the holder's tree runs: " + pids);
            assertTrue(holder.kill(), "TerminateProcess of the holder JVM alone");
            assertAllEnd(pids, "the death of the JVM holding the waiter");
            holder.close();
        }
    }

    @Test
    void stopUnderWineIsRefusedAndKillsTheTreeAtOnce() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "ctrl", "120000").start(wait);
            FaultInjectionTest.sleep(500); // let it install its handler
            boolean sent = c.stop(Duration.ofMinutes(5));
            int code = waitExit(wait, c);
            if (underWine()) {
                assertFalse(sent, "Wine 8 refuses GenerateConsoleCtrlEvent (error 12)");
                assertEquals(1, code, "killed at once, not after 5 minutes");
            } else {
                // Windows: delivered only to a child on our console; 42 = it got Ctrl-Break, 1 = killed
                assertTrue(sent ? code == 42 || code == 1 : code == 1, "sent " + sent + ", exit " + code);
            }
            assertFalse(c.stop(Duration.ZERO), "stop after the exit does nothing");
            c.close();
            assertThrows(IllegalStateException.class, () -> c.stop(Duration.ZERO));
        }
    }

    /** Ctrl-Break accepted (a layer that says so) but ignored: the tree is killed after the timeout. */
    @Test
    void stopEscalatesToKillTreeAfterTheTimeout() {
        JnaWin32 accepting = new JnaWin32() {
            @Override
            public boolean generateConsoleCtrlEvent(int event, int group) {
                return true;
            }
        };
        try (MultiHandleWait wait = Waiters.create(accepting, 64)) {
            List<Integer> pids = new ArrayList<>();
            ChildProcess c = tree(wait, 2, pids);
            long start = System.nanoTime();
            assertTrue(c.stop(Duration.ofMillis(800)));
            FaultInjectionTest.sleep(300);
            assertTrue(pids.stream().allMatch(ChildTreeTest::running), "nothing killed before the timeout: " + pids);
            assertEquals(1, waitExit(wait, c));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(800), "not before the timeout");
            assertAllEnd(pids, "stop()'s escalation");
            c.close();
        }
    }

    /** The escalation's killTree() fails: the error goes to the CallbackErrorHandler, on the loop thread. */
    @Test
    void aFailedEscalationIsReportedOnTheLoopThread() {
        java.util.concurrent.atomic.AtomicBoolean failTerminate = new java.util.concurrent.atomic.AtomicBoolean(true);
        JnaWin32 layer = new JnaWin32() {
            @Override
            public boolean generateConsoleCtrlEvent(int event, int group) {
                return true;
            }

            /** Set on the thread that saw the injected failure, for its next lastError() only. */
            private final ThreadLocal<Boolean> injected = ThreadLocal.withInitial(() -> false);

            @Override
            public boolean terminateJobObject(long job, int exitCode) {
                if (failTerminate.getAndSet(false)) {
                    injected.set(true);
                    return false;
                }
                return super.terminateJobObject(job, exitCode);
            }

            @Override
            public int lastError() {
                if (injected.get()) {
                    injected.set(false);
                    return 1450;
                }
                return super.lastError();
            }
        };
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MultiHandleWait wait = Waiters.create(layer, 64)) {
            wait.setCallbackErrorHandler((registration, error) -> {
                reported.add(error);
                threads.add(Thread.currentThread().getName());
            });
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(wait);
            assertTrue(c.stop(Duration.ofMillis(100)));
            pump(wait, () -> !reported.isEmpty(), "the report of the failed escalation");
            dev.multiwait.MultiWaitException e = org.junit.jupiter.api.Assertions.assertInstanceOf(
                    dev.multiwait.MultiWaitException.class, reported.get(0));
            assertTrue(e.getMessage().startsWith("TerminateJobObject"), e.getMessage());
            assertEquals(1450, e.win32Error());
            assertEquals(List.of(Thread.currentThread().getName()), threads, "reported on the loop (this) thread");
            assertTrue(c.exitCode().isEmpty(), "still running");
            assertTrue(c.killTree());
            assertEquals(1, waitExit(wait, c));
            c.close();
        }
    }

    static int waitExit(MultiHandleWait wait, ChildProcess c) {
        pump(wait, () -> c.exitCode().isPresent(), "the exit of " + c);
        return c.exitCode().getAsInt();
    }
}
