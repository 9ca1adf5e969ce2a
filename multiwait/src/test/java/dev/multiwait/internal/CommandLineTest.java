package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Quoting must round-trip through the CommandLineToArgvW rules, modelled here by a reference splitter. */
class CommandLineTest {
    @Test
    void plainArgumentsAreLeftAlone() {
        assertEquals("prog a b\\c", CommandLine.join(List.of("prog", "a", "b\\c")));
    }

    @Test
    void quotesWhereNeeded() {
        assertEquals("prog \"a b\" \"\" \"q\\\"x\" end\\", CommandLine.join(List.of("prog", "a b", "", "q\"x", "end\\")));
    }

    @Test
    void roundTripsThroughTheWindowsSplittingRules() {
        List<String> args = List.of("C:\\Program Files\\x.exe", "plain", "with space", "q\"uote", "trailing\\",
                "back\\\\slash \"mix\"\\", "", "tab\there", "\\\\server\\share\\", "ünïcødé ✓", "  ", "\\\"", "a\\\\\"b");
        assertEquals(args, split(CommandLine.join(args)));
    }

    @Test
    void rejectsNulAndEmptyCommands() {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.join(List.of()));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.join(List.of("a\0b")));
    }

    @Test
    void environmentBlockIsSortedAndDoublyTerminated() {
        char[] block = ProcessLaunch.environmentBlock(Map.of("b", "2", "A", "1", "c", "x y"));
        assertArrayEquals("A=1\0b=2\0c=x y\0\0".toCharArray(), block);
        assertArrayEquals("\0\0".toCharArray(), ProcessLaunch.environmentBlock(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ProcessLaunch.environmentBlock(Map.of("a=b", "1")));
    }

    /**
     * The documented argument rules of the Microsoft C runtime (post-2008): 2n backslashes before a
     * quote give n backslashes and toggle quoting; 2n+1 give n and a literal quote; "" inside quotes is
     * a literal quote; other backslashes are literal. The first argument (program name) is read the
     * same way here, which holds for names without quotes inside.
     */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder arg = new StringBuilder();
            boolean quoted = false;
            while (i < n) {
                char c = line.charAt(i);
                if ((c == ' ' || c == '\t') && !quoted) {
                    break;
                }
                if (c == '\\') {
                    int bs = 0;
                    while (i < n && line.charAt(i) == '\\') {
                        bs++;
                        i++;
                    }
                    if (i < n && line.charAt(i) == '"') {
                        arg.append("\\".repeat(bs / 2));
                        if (bs % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.append("\\".repeat(bs));
                    }
                    continue;
                }
                if (c == '"') {
                    if (quoted && i + 1 < n && line.charAt(i + 1) == '"') {
                        arg.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = !quoted;
                    i++;
                    continue;
                }
                arg.append(c);
                i++;
            }
            out.add(arg.toString());
        }
        return out;
    }
}
