package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.ChildPipes;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child processes with overlapped stdio, pumped by one waiter. */
class ChildProcessTest {
    private static final JnaWin32 W = JnaWin32.INSTANCE;
    private static final int PIPE_ACCESS_INBOUND = 0x1;
    private static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    private static final int GENERIC_WRITE = 0x40000000;
    private static final int OPEN_EXISTING = 3;

    @Test
    void twoHundredChildrenPumpedConcurrently() {
        int n = 200;
        int outBytes = 100_000;
        int errBytes = 5_000;
        List<Children.Checker> outs = new ArrayList<>();
        List<Children.Checker> errs = new ArrayList<>();
        int[] codes = new int[n];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<ChildProcess> children = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int exit = (i * 7) % 250;
                ChildProcess c = ChildProcess.builder(Children.exe(), "stream", String.valueOf(i),
                        String.valueOf(outBytes), String.valueOf(errBytes), String.valueOf(exit)).start(wait);
                Children.Checker out = new Children.Checker(i);
                Children.Checker err = new Children.Checker(i + 1);
                outs.add(out);
                errs.add(err);
                c.stdout().read(64 * 1024, out);
                c.stderr().read(16 * 1024, err);
                int index = i;
                codes[i] = -1;
                c.onExit(code -> codes[index] = code);
                children.add(c);
            }
            wait.run();
            children.forEach(ChildProcess::close);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(outBytes, outs.get(i).received, "stdout bytes of child " + i);
            assertEquals(-1, outs.get(i).firstMismatch, "stdout of child " + i);
            assertEquals(CloseReason.COMPLETED, outs.get(i).reason);
            assertEquals(errBytes, errs.get(i).received, "stderr bytes of child " + i);
            assertEquals(-1, errs.get(i).firstMismatch, "stderr of child " + i);
            assertEquals((i * 7) % 250, codes[i], "exit code of child " + i);
        }
    }

    @Test
    void megabytesOnStderrWhileStdoutIsQuiet() {
        int errBytes = 8 << 20; // far beyond any pipe buffer: a parent reading only stdout would deadlock
        Children.Checker out = new Children.Checker(3);
        Children.Checker err = new Children.Checker(4);
        int[] code = {-1};
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "stream", "3", "0", String.valueOf(errBytes), "9").start(wait);
            c.stdout().read(4096, out);
            c.stderr().read(64 * 1024, err);
            c.onExit(x -> code[0] = x);
            wait.run();
            c.close();
        }
        assertEquals(0, out.received);
        assertEquals(CloseReason.COMPLETED, out.reason);
        assertEquals(errBytes, err.received);
        assertEquals(-1, err.firstMismatch);
        assertEquals(9, code[0]);
    }

    @Test
    void childKilledMidStream() {
        AtomicInteger received = new AtomicInteger();
        CloseReason[] end = new CloseReason[1];
        int[] code = {-1};
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "slow", "1000", "20").start(wait);
            c.stdout().read(4096, new dev.multiwait.ReadListener() {
                @Override
                public void onData(ByteBuffer data) {
                    if (received.addAndGet(data.remaining()) >= 3000 && c.exitCode().isEmpty()) {
                        assertTrue(c.kill(), "kill of a running child");
                    }
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    end[0] = reason;
                }
            });
            c.stderr().close();
            c.onExit(x -> code[0] = x);
            wait.run();
            assertFalse(c.kill(), "kill after exit reports nothing to kill");
            c.close();
            assertThrows(IllegalStateException.class, c::kill);
        }
        assertEquals(1, code[0], "TerminateProcess exit code");
        assertEquals(CloseReason.COMPLETED, end[0], "stdout ends when the killed child's end closes");
        assertTrue(received.get() >= 3000);
    }

    @Test
    void stdinRoundTripThroughACatLikeChild() {
        byte[] data = Pipes.randomBytes(11, 1_000_003);
        Pipes.Collector out = new Pipes.Collector();
        int[] code = {-1};
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(wait);
            c.stdout().read(64 * 1024, out);
            c.stderr().close();
            for (int off = 0; off < data.length; off += 100_000) {
                c.writeStdin(ByteBuffer.wrap(data, off, Math.min(100_000, data.length - off)), null);
            }
            c.closeStdin(); // after the queued writes; cat then sees end of file and exits
            assertThrows(IllegalStateException.class, () -> c.writeStdin(ByteBuffer.allocate(1), null));
            c.onExit(x -> code[0] = x);
            wait.run();
            c.close();
        }
        assertEquals(0, code[0]);
        assertArrayEquals(data, out.data());
    }

    @Test
    void argumentsWithSpacesAndQuotesArriveIntact() {
        List<String> args = List.of("plain", "with space", "q\"uote", "trailing\\", "back\\\\slash \"mix\"\\",
                "", "tab\there", "\\\\server\\share\\", "ünïcødé ✓", "  ");
        List<String> command = new ArrayList<>(List.of(Children.exe(), "args"));
        command.addAll(args);
        Pipes.Collector out = new Pipes.Collector();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(command).start(wait);
            c.stdout().read(4096, out);
            c.stderr().close();
            wait.run();
            c.close();
        }
        String text = new String(out.data(), StandardCharsets.UTF_8);
        List<String> got = List.of(text.split("\n", -1)).subList(0, args.size());
        assertEquals(args, got);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void environmentNamesIgnoreCaseAndSystemRootIsAlwaysThere() {
        ChildProcess.Builder b = ChildProcess.builder("cmd.exe", "/d", "/c", "set");
        Map<String, String> env = b.environment();
        env.put("MW_Env_Case", "old");
        env.put("MW_ENV_CASE", "new");
        env.put("MW_GONE", "x");
        env.remove("mw_gone");
        String systemRoot = System.getenv("SystemRoot");
        assertNotNull(systemRoot);
        env.keySet().removeIf(k -> k.equalsIgnoreCase("SystemRoot"));
        Pipes.Collector out = new Pipes.Collector();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = b.start(wait);
            c.stdout().read(64 * 1024, out);
            c.stderr().close();
            c.closeStdin();
            wait.run();
            c.close();
        }
        List<String> lines = List.of(new String(out.data(), StandardCharsets.US_ASCII).split("\r?\n"));
        List<String> mine = lines.stream().filter(l -> l.toUpperCase().startsWith("MW_ENV_CASE=")
                || l.toUpperCase().startsWith("MW_GONE=")).toList();
        assertEquals(List.of("MW_Env_Case=new"), mine, "one entry, the last value put, under any case");
        assertTrue(lines.stream().anyMatch(l -> l.equalsIgnoreCase("SystemRoot=" + systemRoot)),
                "SystemRoot added from this process: " + lines);
    }

    @Test
    void stderrMergedIntoStdout() {
        Pipes.Collector out = new Pipes.Collector();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "stream", "5", "1000", "500")
                    .redirectErrorStream(true).start(wait);
            assertNull(c.stderr());
            c.stdout().read(4096, out);
            wait.run();
            c.close();
        }
        byte[] expected = concat(dev.multiwait.demo.SeededStream.bytes(5, 1000), dev.multiwait.demo.SeededStream.bytes(6, 500));
        assertArrayEquals(expected, out.data());
    }

    @Test
    void onlyTheThreeStdioHandlesAreInherited() {
        // Inheritable handles the child must NOT get (a plain bInheritHandles=TRUE launch would pass them).
        WinBase.SECURITY_ATTRIBUTES inheritable = new WinBase.SECURITY_ATTRIBUTES();
        inheritable.bInheritHandle = true;
        List<WinNT.HANDLE> leaks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leaks.add(Kernel32.INSTANCE.CreateEvent(inheritable, true, false, null));
        }
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<Integer> codes = new ArrayList<>();
            for (WinNT.HANDLE h : leaks) {
                ChildProcess c = ChildProcess.builder(Children.exe(), "handle",
                        Long.toString(Pointer.nativeValue(h.getPointer()))).start(wait);
                c.stdout().close();
                c.stderr().close();
                c.onExit(codes::add);
                wait.run();
                c.close();
            }
            assertEquals(List.of(0, 0, 0, 0), codes, "exit 0 = handle not open in the child");
            // Control: the probe does see a handle that is open in the child (its own stdout here).
            ChildProcess c = ChildProcess.builder(Children.exe(), "handle", "-11").start(wait); // not a handle value
            c.stdout().close();
            c.stderr().close();
            wait.run();
            c.close();
        } finally {
            leaks.forEach(Kernel32.INSTANCE::CloseHandle);
        }
    }

    @Test
    void childPipesAdmitNoSecondInstanceAndNoOtherClient() {
        ChildPipes.Pipe pipe = ChildPipes.create(W, false);
        try {
            String name = pipe.name();
            long second = W.createNamedPipe(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED, 0, 1, 4096, 4096, 0, 0);
            int secondError = W.lastError();
            assertEquals(-1, second, "a second server instance of the name must fail");
            assertTrue(secondError == 5 || secondError == 231, "error " + secondError);
            long client = W.createFile(name, GENERIC_WRITE, 0, 0, OPEN_EXISTING, 0, 0);
            int clientError = W.lastError();
            assertEquals(-1, client, "a second client must fail");
            assertEquals(231, clientError, "ERROR_PIPE_BUSY");
        } finally {
            W.closeHandle(pipe.parentEnd());
            W.closeHandle(pipe.childEnd());
        }
    }

    /** Bindings for reading a kernel object's DACL back as SDDL (jna-platform lacks the W forms used here). */
    interface Sddl extends com.sun.jna.Library {
        Sddl INSTANCE = Native.load("advapi32", Sddl.class);

        boolean GetKernelObjectSecurity(WinNT.HANDLE h, int info, Memory sd, int length, com.sun.jna.ptr.IntByReference needed);

        boolean ConvertSecurityDescriptorToStringSecurityDescriptorW(Memory sd, int revision, int info,
                com.sun.jna.ptr.PointerByReference out, com.sun.jna.ptr.IntByReference length);
    }

    /** The DACL of the object behind {@code h}, as SDDL. */
    static String dacl(WinNT.HANDLE h) {
        Memory sd = new Memory(4096);
        com.sun.jna.ptr.IntByReference needed = new com.sun.jna.ptr.IntByReference();
        assertTrue(Sddl.INSTANCE.GetKernelObjectSecurity(h, WinNT.DACL_SECURITY_INFORMATION, sd, 4096, needed),
                "GetKernelObjectSecurity " + Kernel32.INSTANCE.GetLastError());
        com.sun.jna.ptr.PointerByReference text = new com.sun.jna.ptr.PointerByReference();
        assertTrue(Sddl.INSTANCE.ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, 1, WinNT.DACL_SECURITY_INFORMATION,
                text, new com.sun.jna.ptr.IntByReference()));
        String s = text.getValue().getWideString(0);
        Kernel32.INSTANCE.LocalFree(text.getValue());
        return s;
    }

    static String currentUserSid() {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        assertTrue(com.sun.jna.platform.win32.Advapi32.INSTANCE.OpenProcessToken(Kernel32.INSTANCE.GetCurrentProcess(),
                WinNT.TOKEN_QUERY, token));
        try {
            return com.sun.jna.platform.win32.Advapi32Util.getTokenAccount(token.getValue()).sidString;
        } finally {
            Kernel32.INSTANCE.CloseHandle(token.getValue());
        }
    }

    @Test
    void childAndInProcessPipesAdmitOnlyTheCurrentUser() {
        // Wine stores a pipe's DACL and reads it back, but does not enforce it (one user): so this checks
        // what the library asks for; Windows enforces it.
        String onlyMe = "D:P(A;;GA;;;" + currentUserSid() + ")";
        for (boolean parentWrites : new boolean[] {true, false}) {
            ChildPipes.Pipe pipe = ChildPipes.create(W, parentWrites);
            try {
                assertEquals(onlyMe, dacl(new WinNT.HANDLE(new Pointer(pipe.parentEnd()))),
                        "protected DACL, one ACE: the current user (child " + (parentWrites ? "stdin" : "stdout") + " pipe)");
            } finally {
                W.closeHandle(pipe.parentEnd());
                W.closeHandle(pipe.childEnd());
            }
        }
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        try {
            assertEquals(onlyMe, dacl(Handles.handle(pair.server())), "OverlappedPipe pairs too");
            String name = pair.name();
            long second = W.createNamedPipe(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED, 0, 1, 4096, 4096, 0, 0);
            int secondError = W.lastError();
            assertEquals(-1, second, "a second server instance of an OverlappedPipe name must fail");
            assertTrue(secondError == 5 || secondError == 231, "error " + secondError);
            long third = W.createFile(name, GENERIC_WRITE, 0, 0, OPEN_EXISTING, 0, 0);
            assertEquals(-1, third, "a second client of an OverlappedPipe must fail");
            assertEquals(231, W.lastError(), "ERROR_PIPE_BUSY");
        } finally {
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.server()));
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.client()));
        }
    }

    /** Launches {@code mwchild handles}: the number of handles open in the child, counted by the child. */
    private static int handlesInAChild(MultiHandleWait wait) {
        Pipes.Collector out = new Pipes.Collector();
        ChildProcess c = ChildProcess.builder(Children.exe(), "handles").start(wait);
        c.stdout().read(4096, out);
        c.stderr().close();
        int[] code = {-1};
        c.onExit(x -> code[0] = x);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((code[0] == -1 || out.reason == null) && System.nanoTime() < deadline) {
            wait.runOnce(java.time.Duration.ofMillis(50)); // not run(): other children may stay running
        }
        c.close();
        assertEquals(0, code[0]);
        return Integer.parseInt(new String(out.data(), StandardCharsets.US_ASCII).trim());
    }

    @Test
    void aChildHoldsNoHandleOfOursBeyondItsStdioHoweverManyAreInheritable() throws Exception {
        // Counted from inside the child: a quiet launch, then one amid hundreds of inheritable handles of
        // every kind and other children's live pipes. Control: Java's ProcessBuilder, which inherits
        // everything inheritable, must show the noise (so the probe can fail).
        WinBase.SECURITY_ATTRIBUTES inheritable = new WinBase.SECURITY_ATTRIBUTES();
        inheritable.bInheritHandle = true;
        List<WinNT.HANDLE> noise = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            handlesInAChild(wait); // warm-up
            int quiet = handlesInAChild(wait);
            for (int i = 0; i < 100; i++) {
                noise.add(Kernel32.INSTANCE.CreateEvent(inheritable, true, false, null));
            }
            for (int i = 0; i < 20; i++) {
                WinNT.HANDLEByReference r = new WinNT.HANDLEByReference();
                WinNT.HANDLEByReference w = new WinNT.HANDLEByReference();
                assertTrue(Kernel32.INSTANCE.CreatePipe(r, w, inheritable, 0));
                noise.add(r.getValue());
                noise.add(w.getValue());
            }
            List<StreamHandle> attached = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                OverlappedPipe.Pair p = OverlappedPipe.create();
                attached.add(wait.attach(p.server()));
                attached.add(wait.attach(p.client()));
            }
            ChildProcess running = ChildProcess.builder(Children.exe(), "slow", "10", "100").start(wait);
            running.stdout().read(4096, d -> { });
            running.stderr().close();
            int noisy = handlesInAChild(wait);
            running.kill();
            running.close();
            attached.forEach(StreamHandle::close);
            BridgeTestSupport.runGuarded(wait, "noise closed");

            Process control = new ProcessBuilder(Children.exe(), "handles").redirectErrorStream(true).start();
            String text = new String(control.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertEquals(0, control.waitFor());
            int inheritedByProcessBuilder = Integer.parseInt(text);
            String figures = "handles in a child: quiet launch " + quiet + ", amid " + noise.size()
                    + " inheritable handles and 40 attached pipe ends " + noisy + "; a ProcessBuilder child amid the same "
                    + inheritedByProcessBuilder;
            System.out.println("[ChildProcessTest] " + figures);
            ProcessStats.reset("inheritance.txt");
            ProcessStats.record("inheritance.txt", figures);
            assertEquals(quiet, noisy, "the child holds exactly as many handles as without any noise: its stdio and its own");
            assertTrue(inheritedByProcessBuilder >= quiet + 100, "the control inherits the noise: " + figures);
        } finally {
            noise.forEach(Kernel32.INSTANCE::CloseHandle);
        }
    }

    @Test
    void launchesFromFourThreadsAtOnceEachInheritOnlyTheirOwnStdio() throws Exception {
        // No lock between launches: each CreateProcessW's handle list names only its own ends, so a
        // child started while other launches have their ends inheritable still holds the quiet count.
        int quiet;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            handlesInAChild(wait); // warm-up
            quiet = handlesInAChild(wait);
        }
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Thread loop = new Thread(wait::runUntilCancelled, "loop");
            loop.start();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CyclicBarrier together = new CyclicBarrier(4);
                List<Future<List<Integer>>> counts = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    counts.add(pool.submit(() -> {
                        List<Integer> mine = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            together.await(30, TimeUnit.SECONDS);
                            ChildProcess c = ChildProcess.builder(Children.exe(), "handles").start(wait);
                            Pipes.Collector out = new Pipes.Collector();
                            c.stderr().close();
                            c.stdout().read(4096, out);
                            c.finished().get(30, TimeUnit.SECONDS); // the exit and the end of stdout
                            assertEquals(0, c.onExit().get());
                            c.close();
                            mine.add(Integer.parseInt(new String(out.data(), StandardCharsets.US_ASCII).trim()));
                        }
                        return mine;
                    }));
                }
                for (Future<List<Integer>> f : counts) {
                    assertEquals(List.of(quiet, quiet, quiet, quiet, quiet), f.get(120, TimeUnit.SECONDS),
                            "every child launched amid three other launches holds only its stdio and its own handles");
                }
            } finally {
                pool.shutdownNow();
                wait.cancel();
                loop.join();
            }
        }
    }

    @Test
    void launchErrorsNameTheCauseAndLeakNothing() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            MultiWaitException missing = assertThrows(MultiWaitException.class,
                    () -> ChildProcess.builder("no-such-program-xyz.exe").start(wait));
            assertEquals(2, missing.win32Error());
            assertTrue(missing.getMessage().contains("no-such-program-xyz.exe"), missing.getMessage());
            assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
            Path badDir = Path.of("target", "no-such-dir-xyz").toAbsolutePath();
            MultiWaitException dir = assertThrows(MultiWaitException.class,
                    () -> ChildProcess.builder(Children.exe(), "exit", "0").directory(badDir).start(wait));
            assertTrue(dir.win32Error() == 267 || dir.win32Error() == 3, "error " + dir.win32Error());
            assertTrue(dir.getMessage().contains(badDir.toString()), dir.getMessage());
            assertEquals(0, wait.registrationCount(), "a failed launch leaves nothing registered");
            assertThrows(IllegalArgumentException.class, () -> ChildProcess.builder());
        }
    }

    @Test
    void writingToAnExitedChildFailsClearly() throws InterruptedException {
        MultiWaitException[] error = new MultiWaitException[1];
        int attempts = 0;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "exit", "4").start(wait);
            c.stdout().close();
            c.stderr().close();
            wait.run();
            assertEquals(4, c.exitCode().getAsInt());
            // Windows closes a process's handles before signalling its exit, so the first write fails.
            // Wine signals first and closes the child's pipe end a few milliseconds later; until then a
            // small write still lands in the pipe buffer. Either way a write soon fails with 232.
            while (error[0] == null && attempts++ < 50) {
                c.writeStdin(ByteBuffer.wrap(new byte[100]), (n, e) -> error[0] = e);
                wait.run();
                Thread.sleep(20);
            }
            c.close();
        }
        assertNotNull(error[0], "a write to a child that has exited must fail");
        assertTrue(error[0].win32Error() == 232 || error[0].win32Error() == 109, error[0].getMessage());
        assertTrue(error[0].getMessage().contains("WriteFile"), error[0].getMessage());
        System.out.println("write to exited child failed after " + attempts + " attempt(s): " + error[0].getMessage());
    }

    @Test
    void environmentAndDirectoryReachTheChild() {
        // cmd.exe prints what it got; both set through the builder.
        Pipes.Collector out = new Pipes.Collector();
        Path dir = Path.of("target").toAbsolutePath();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess.Builder b = ChildProcess.builder("cmd.exe", "/c", "echo %MW_TEST_VAR%& cd").directory(dir);
            b.environment().put("MW_TEST_VAR", "value with spaces");
            ChildProcess c = b.start(wait);
            c.stdout().read(4096, out);
            c.stderr().close();
            wait.run();
            c.close();
        }
        String text = new String(out.data(), StandardCharsets.UTF_8).replace("\r", "");
        assertTrue(text.startsWith("value with spaces\n"), text);
        assertTrue(text.toLowerCase().contains(dir.toString().toLowerCase()), text);
    }

    static byte[] concat(byte[] a, byte[] b) {
        return PipeStreamTest.concat(a, b);
    }
}
