package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch-file command lines: what is quoted, what is refused, and a model of how cmd.exe reads them. */
class BatchCommandTest {
    private static final String PREFIX = "cmd.exe /d /e:ON /v:OFF /s /c \"";

    @Test
    void batchFilesAreRecognisedWhateverWindowsStripsFromTheName() {
        for (String name : List.of("build.bat", "BUILD.CMD", "dir\\x.Bat", "x.bat.", "x.bat  ", "x.cmd. .", "C:/a b/x.bat")) {
            assertTrue(BatchCommand.isBatch(name), name);
        }
        for (String name : List.of("x.exe", "x", "x.batch", "bat", "x.bat.exe", "cmd")) {
            assertFalse(BatchCommand.isBatch(name), name);
        }
    }

    @Test
    void argumentsAreQuotedOnlyWhenTheyHoldMoreThanPlainCharacters() {
        assertEquals(PREFIX + "\"C:\\d\\b.bat\" plain C:\\x/y-z_1.2+3 \"b c\" \"\" \"x&y\" e\\ \"!x!\" \"a^b\" \"(1)\" \"a,b;c=d\" \"é\"\"",
                BatchCommand.commandLine("C:\\d\\b.bat",
                        List.of("plain", "C:\\x/y-z_1.2+3", "b c", "", "x&y", "e\\", "!x!", "a^b", "(1)", "a,b;c=d", "é")));
    }

    @Test
    void refusesWhatNoQuotingProtects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchCommand.checkArguments(List.of("build.bat", "\"&calc.exe")));
        assertTrue(e.getMessage().contains("argument 1 of batch file build.bat") && e.getMessage().contains("double quote"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchCommand.checkArguments(List.of("b.cmd", "ok", "%PATH%")));
        assertTrue(e.getMessage().contains("argument 2") && e.getMessage().contains("'%'"), e.getMessage());
        for (String bad : List.of("a\nb", "a\r", "\0", "x\u001ay", "\u007f")) {
            e = assertThrows(IllegalArgumentException.class, () -> BatchCommand.checkArguments(List.of("b.bat", bad)));
            assertTrue(e.getMessage().contains("control character"), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "printable: " + e.getMessage());
        }
        BatchCommand.checkArguments(List.of("b.bat", "tab\there", "&|<>^!()", "trailing\\", ""));
        assertThrows(IllegalArgumentException.class, () -> BatchCommand.commandLine("C:\\d\\b.bat", List.of("a\"b")));
        assertThrows(IllegalArgumentException.class, () -> BatchCommand.commandLine("C:\\%x%\\b.bat", List.of()));
    }

    @Test
    void everyAllowedArgumentReachesTheScriptIntactAndNothingSpecialIsLeftUnquoted() {
        String alphabet = "ab \t&|<>^()!,;=\\/:.-é'`@*?~[]{}$#";
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            List<String> args = new ArrayList<>();
            for (int i = random.nextInt(5); i >= 0; i--) {
                StringBuilder sb = new StringBuilder();
                for (int n = random.nextInt(6); n > 0; n--) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                args.add(sb.toString());
            }
            assertEquals(args, scriptArguments(BatchCommand.commandLine("C:\\dir\\b.bat", args)), "args " + args);
        }
    }

    @Test
    void resolvesABareNameAlongTheSearchDirectories(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Files.writeString(second.resolve("tool.bat"), "@echo off");
        List<String> dirs = List.of(first.toString(), second.toString());
        assertEquals(second.resolve("tool.bat").toString(), BatchCommand.resolve("tool.bat", dirs));
        assertEquals(second.resolve("tool.bat").toString(), BatchCommand.resolve("tool.bat. ", dirs));
        assertNull(BatchCommand.resolve("missing.cmd", dirs));
        assertEquals(second.resolve("tool.bat").toString(), BatchCommand.resolve(second.resolve("tool.bat").toString(), List.of()));
    }

    /**
     * A model of cmd.exe reading the line: /s strips the outer quotes; a quote toggles quoting;
     * outside quotes, {@code & | < > ^ ( )} would be operators and space, tab, {@code , ; =} split
     * arguments; {@code %} is expanded anywhere. The script's {@code %~N} is token N without its quotes.
     */
    static List<String> scriptArguments(String line) {
        assertTrue(line.startsWith(PREFIX) && line.endsWith("\""), line);
        String inner = line.substring(PREFIX.length(), line.length() - 1);
        assertFalse(inner.contains("%"), "a % reaches cmd.exe: " + line);
        List<String> tokens = new ArrayList<>();
        StringBuilder token = null;
        boolean quoted = false;
        for (char c : inner.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && "&|<>^()".indexOf(c) >= 0) {
                throw new AssertionError("unquoted '" + c + "' in " + line);
            } else if (!quoted && " \t,;=".indexOf(c) >= 0) {
                if (token != null) {
                    tokens.add(token.toString());
                    token = null;
                }
                continue;
            }
            if (token == null) {
                token = new StringBuilder();
            }
            token.append(c);
        }
        assertFalse(quoted, "unbalanced quotes: " + line);
        if (token != null) {
            tokens.add(token.toString());
        }
        assertEquals("\"C:\\dir\\b.bat\"", tokens.get(0));
        List<String> args = new ArrayList<>();
        for (String t : tokens.subList(1, tokens.size())) {
            args.add(t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t);
        }
        return args;
    }
}
