package dev.multiwait.it;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.Redirect;
import dev.multiwait.demo.SeededStream;
import dev.multiwait.internal.Waiters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redirects of a child's stdio: files (truncate, append, read), NUL, this process's own handles. */
class ChildRedirectTest {
    private Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("mwredirect");
    }

    /**
     * Under Wine an exited child's handles close a little after its exit is seen (measured: deleting a
     * file it had open failed for 70-130 ms after, with our handle count back to its baseline), so
     * deleting waits for them; Windows closes a process's handles before it signals its exit.
     */
    @AfterEach
    void removeDir() throws IOException, InterruptedException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                deleteWhenFree(p);
            }
        }
        Files.delete(dir);
    }

    private static void deleteWhenFree(Path p) throws IOException, InterruptedException {
        for (int i = 0; ; i++) {
            try {
                Files.delete(p);
                return;
            } catch (java.nio.file.FileSystemException e) {
                if (i >= 400) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    /** Runs {@code b} on a fresh waiter, pumping whatever is piped; returns the exit code and what came on stdout. */
    private static int run(ChildProcess.Builder b, ByteArrayOutputStream stdout) {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = b.start(wait);
            Pipes.Collector out = new Pipes.Collector();
            if (c.stdout() != null) {
                c.stdout().read(4096, out);
            }
            if (c.stderr() != null) {
                c.stderr().read(4096, new Pipes.Collector());
            }
            c.closeStdin();
            CompletableFuture<Integer> finished = c.finished();
            wait.run();
            c.close();
            if (c.stdout() != null) {
                assertEquals(CloseReason.COMPLETED, out.reason);
            }
            stdout.writeBytes(out.data());
            return finished.join();
        }
    }

    private static ChildProcess.Builder stream(long seed, int out, int err, int code) {
        return ChildProcess.builder(Children.exe(), "stream", String.valueOf(seed), String.valueOf(out),
                String.valueOf(err), String.valueOf(code));
    }

    @Test
    void outputToAFileTruncatesOrAppends() throws IOException {
        Path file = dir.resolve("out.bin");
        Files.write(file, new byte[50_000]);
        assertEquals(3, run(stream(1, 20_000, 100, 3).redirectOutput(Redirect.to(file)), new ByteArrayOutputStream()));
        assertArrayEquals(SeededStream.bytes(1, 20_000), Files.readAllBytes(file), "truncated, then written");
        assertEquals(0, run(stream(2, 7_000, 0, 0).redirectOutput(Redirect.appendTo(file)), new ByteArrayOutputStream()));
        byte[] both = Files.readAllBytes(file);
        assertEquals(27_000, both.length);
        assertArrayEquals(SeededStream.bytes(2, 7_000), Arrays.copyOfRange(both, 20_000, 27_000), "appended");
        Path missing = dir.resolve("new.bin");
        run(stream(3, 10, 0, 0).redirectOutput(Redirect.appendTo(missing)), new ByteArrayOutputStream());
        assertArrayEquals(SeededStream.bytes(3, 10), Files.readAllBytes(missing), "append creates the file");
    }

    @Test
    void mergedStderrFollowsStdoutIntoTheFile() throws IOException {
        Path file = dir.resolve("both.bin");
        ChildProcess.Builder b = stream(5, 1000, 500, 0).redirectOutput(Redirect.to(file)).redirectErrorStream(true);
        assertEquals(0, run(b, new ByteArrayOutputStream()));

        byte[] got = Files.readAllBytes(file);
        assertEquals(1500, got.length);
        assertArrayEquals(SeededStream.bytes(5, 1000), Arrays.copyOfRange(got, 0, 1000));
        assertArrayEquals(SeededStream.bytes(6, 500), Arrays.copyOfRange(got, 1000, 1500));
    }

    @Test
    void stdinFromAFileAndNulForTheRest() throws IOException {
        Path file = dir.resolve("in.bin");
        byte[] data = SeededStream.bytes(9, 100_000);
        Files.write(file, data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, run(ChildProcess.builder(Children.exe(), "cat").redirectInput(Redirect.from(file))
                .redirectError(Redirect.DISCARD), out));
        assertArrayEquals(data, out.toByteArray());
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        assertEquals(0, run(ChildProcess.builder(Children.exe(), "cat").redirectInput(Redirect.DISCARD), none));
        assertEquals(0, none.size(), "NUL is at end of file at once");
        assertEquals(7, run(stream(4, 300_000, 300_000, 7).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD),
                none), "output to NUL is taken whole");
    }

    @Test
    void aRedirectedStreamHasNoHandleAndRefusesWrites() throws IOException {
        Path file = dir.resolve("in.txt");
        Files.writeString(file, "x");
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").redirectInput(Redirect.from(file))
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start(wait);
            assertNull(c.stdout());
            assertNull(c.stderr());
            assertThrows(IllegalStateException.class, () -> c.writeStdin(ByteBuffer.allocate(1), null));
            c.closeStdin();
            CompletableFuture<Integer> finished = c.finished();
            wait.run();
            assertEquals(0, finished.join(), "with nothing piped, finished() is the exit");
            c.close();
        }
    }

    @Test
    void inheritedHandlesAreThisProcesssOwn() throws IOException {
        Path outFile = dir.resolve("inherited-out.bin");
        Path inFile = dir.resolve("inherited-in.bin");
        byte[] input = SeededStream.bytes(11, 5_000);
        Files.write(inFile, input);
        WinNT.HANDLE out = Kernel32.INSTANCE.CreateFile(outFile.toString(), WinNT.GENERIC_WRITE, 3, null,
                WinNT.CREATE_ALWAYS, 0, null);
        WinNT.HANDLE in = Kernel32.INSTANCE.CreateFile(inFile.toString(), WinNT.GENERIC_READ, 3, null,
                WinNT.OPEN_EXISTING, 0, null);
        assertTrue(!WinBase.INVALID_HANDLE_VALUE.equals(out) && !WinBase.INVALID_HANDLE_VALUE.equals(in));
        WinNT.HANDLE ownOut = Kernel32.INSTANCE.GetStdHandle(Kernel32.STD_OUTPUT_HANDLE);
        WinNT.HANDLE ownIn = Kernel32.INSTANCE.GetStdHandle(Kernel32.STD_INPUT_HANDLE);
        WinNT.HANDLE ownErr = Kernel32.INSTANCE.GetStdHandle(Kernel32.STD_ERROR_HANDLE);
        ByteArrayOutputStream catOut = new ByteArrayOutputStream();
        try {
            // For the test only, this process's std handles are our files (Java's System.out does not use them).
            assertTrue(Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_OUTPUT_HANDLE, out));
            assertTrue(Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_INPUT_HANDLE, in));
            assertEquals(0, run(stream(12, 3_000, 0, 0).redirectOutput(Redirect.INHERIT), new ByteArrayOutputStream()));
            assertEquals(0, run(ChildProcess.builder(Children.exe(), "cat").redirectInput(Redirect.INHERIT), catOut));
            // No stderr of our own: the child gets NUL, so its writes succeed (mwchild exits 102 if one fails).
            assertTrue(Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_ERROR_HANDLE, null));
            assertEquals(0, run(stream(13, 10, 20_000, 0).redirectError(Redirect.INHERIT), new ByteArrayOutputStream()));
        } finally {
            Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_ERROR_HANDLE, ownErr);
            Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_OUTPUT_HANDLE, ownOut);
            Kernel32.INSTANCE.SetStdHandle(Kernel32.STD_INPUT_HANDLE, ownIn);
            Kernel32.INSTANCE.CloseHandle(out);
            Kernel32.INSTANCE.CloseHandle(in);
        }
        assertArrayEquals(SeededStream.bytes(12, 3_000), Files.readAllBytes(outFile), "the child wrote to our stdout");
        assertArrayEquals(input, catOut.toByteArray(), "the child read our stdin");
    }

    @Test
    void aMissingInputFileIsError2NamingItAndLeavesNothingOpen() {
        Path missing = dir.resolve("missing.txt");
        HandleLedger ledger = new HandleLedger();
        try (MultiHandleWait wait = Waiters.create(ledger, MultiHandleWait.DEFAULT_BATCH)) {
            MultiWaitException[] e = new MultiWaitException[1];
            int[] handles = HandleCounts.around(() -> e[0] = assertThrows(MultiWaitException.class,
                    () -> ChildProcess.builder(Children.exe(), "cat").redirectInput(Redirect.from(missing)).start(wait)));
            assertEquals(2, e[0].win32Error());
            assertTrue(e[0].getMessage().contains(missing.toString()) && e[0].getMessage().contains("stdin"), e[0].getMessage());
            assertEquals(Set.of(missing.toAbsolutePath().toString()), Set.copyOf(ledger.createFileNames), "the file was tried");
            assertEquals(Set.of(), ledger.stillOpen(), "every handle the launch opened is closed");
            assertEquals(handles[0], handles[1], "handles");
            assertEquals(0, wait.registrationCount());
        }
    }
}
