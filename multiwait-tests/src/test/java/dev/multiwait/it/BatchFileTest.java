package dev.multiwait.it;

import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch files under the real cmd.exe: a script records what its %~1..%~9 hold; payloads that would
 * run a command creating a marker file arrive as plain text or are refused, and the marker never appears.
 */
class BatchFileTest {
    private static Path dir;
    private static Path script;
    private static Path marker;

    @BeforeAll
    static void writeScript() throws IOException {
        dir = Files.createTempDirectory("mwbat");
        script = dir.resolve("rec.bat");
        marker = dir.resolve("marker.txt");
        StringBuilder bat = new StringBuilder("@echo off\r\necho ran>>\"%~dp0ran.txt\"\r\n");
        for (int i = 1; i <= 9; i++) {
            bat.append("set \"MWARG").append(i).append("=[%~").append(i).append("]\"\r\n");
        }
        bat.append("set MWARG\r\nexit /b 7\r\n");
        Files.writeString(script, bat, StandardCharsets.US_ASCII);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static String payload(String prefix) {
        return prefix + "echo pwned>" + marker;
    }

    /** Runs the script with {@code args}; returns what it recorded, MWARG1..9, brackets stripped. */
    private static List<String> run(String program, List<String> args) throws IOException {
        Files.deleteIfExists(dir.resolve("ran.txt"));
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(args);
        Pipes.Collector out = new Pipes.Collector();
        int[] code = {-1};
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(command).start(wait);
            c.stdout().read(4096, out);
            c.stderr().read(4096, new Pipes.Collector());
            c.closeStdin();
            c.onExit(x -> code[0] = x);
            wait.run();
            c.close();
        }
        assertEquals(7, code[0], "the script's exit code comes through cmd.exe");
        assertTrue(Files.exists(dir.resolve("ran.txt")), "the script ran");
        List<String> got = new ArrayList<>();
        for (String line : new String(out.data(), StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.startsWith("MWARG")) {
                String value = line.substring(line.indexOf('=') + 1);
                assertTrue(value.startsWith("[") && value.endsWith("]"), line);
                got.add(value.substring(1, value.length() - 1));
            }
        }
        return got;
    }

    private static List<String> padded(List<String> args) {
        List<String> p = new ArrayList<>(args);
        while (p.size() < 9) {
            p.add("");
        }
        return p;
    }

    @Test
    void hostileButAllowedArgumentsArriveExactlyAndRunNothing() throws IOException {
        List<String> args = List.of(payload("a&"), payload("|"), payload("^&"), "!PATH!", payload("x y&") + "\\",
                "trailing\\", payload("(x)&"), "<in> 'q' ,;= `b` @c", "");
        assertEquals(padded(args), run(script.toString(), args));
        assertEquals(padded(List.of("plain", "C:\\x/y-z_1.2+3", "tab\there")),
                run(script.toString(), List.of("plain", "C:\\x/y-z_1.2+3", "tab\there")));
        assertFalse(Files.exists(marker), "an injected command ran");
    }

    @Test
    void argumentsNoQuotingProtectsAreRefusedBeforeAnythingStarts() throws IOException {
        Files.deleteIfExists(dir.resolve("ran.txt"));
        for (String bad : List.of("\"&calc.exe", payload("\"&"), payload("\\\"&"), "%PATH%", "%%cd:~,%",
                payload("x\r\n"), payload("x\n"), payload("x\r"), "a\u001ab")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ChildProcess.builder(script.toString(), "ok", bad), bad);
            assertTrue(e.getMessage().contains("argument 2 of batch file"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ChildProcess.builder(script.toString().toUpperCase(), bad));
        }
        assertFalse(Files.exists(dir.resolve("ran.txt")), "nothing was launched");
        assertFalse(Files.exists(marker), "an injected command ran");
    }

    @Test
    void aNameWithTrailingDotsOrSpacesIsStillTreatedAsABatchFile() throws IOException {
        // Windows strips them and runs rec.bat through cmd.exe; the refusal must hold for these names too.
        for (String name : List.of(script + ".", script + " ", script + ". .")) {
            assertThrows(IllegalArgumentException.class, () -> ChildProcess.builder(name, payload("\"&")));
            assertEquals(padded(List.of(payload("a&"))), run(name, List.of(payload("a&"))));
        }
        assertFalse(Files.exists(marker), "an injected command ran");
    }

    @Test
    void aNameWithoutExtensionNeverRunsTheBatchFile() throws IOException {
        Files.deleteIfExists(dir.resolve("ran.txt"));
        String bare = dir.resolve("rec").toString();
        MultiWaitException e;
        try (MultiHandleWait wait = new MultiHandleWait()) {
            e = assertThrows(MultiWaitException.class, () -> ChildProcess.builder(bare, payload("\"&")).start(wait));
        }
        assertEquals(2, e.win32Error(), e.getMessage());
        assertFalse(Files.exists(dir.resolve("ran.txt")), "the batch file ran");
        assertFalse(Files.exists(marker), "an injected command ran");
    }

    @Test
    void aMissingBatchFileIsError2NamingTheCommand() {
        String missing = dir.resolve("missing.cmd").toString();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> ChildProcess.builder(missing, "x").start(wait));
            assertEquals(2, e.win32Error());
            assertTrue(e.getMessage().contains(missing), e.getMessage());
        }
    }
}
