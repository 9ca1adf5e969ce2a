package dev.multiwait;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a builder accepts before anything native happens. */
class ChildProcessBuilderTest {
    @Test
    void environmentNamesIgnoreCaseAsWindowsDoes() {
        Map<String, String> env = ChildProcess.builder("tool.exe").environment();
        env.clear();
        env.put("Path", "C:\\old");
        env.put("PATH", "C:\\new");
        assertEquals(1, env.size(), env.toString());
        assertEquals("C:\\new", env.get("path"));
        assertTrue(env.containsKey("pAtH"));
        env.put("Other", "x");
        assertEquals("C:\\new", env.remove("PATH"));
        assertNull(env.get("Path"));
        assertFalse(env.containsKey("path"));
        assertEquals(Map.of("Other", "x"), Map.copyOf(env));
    }

    @Test
    void aNullArgumentIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> ChildProcess.builder("cmd.exe", null));
        assertEquals("command argument 1 is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> ChildProcess.builder(java.util.Arrays.asList(null, "x")));
        assertEquals("command: the program is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> ChildProcess.builder((String[]) null));
        assertEquals("command", e.getMessage());
    }

    @Test
    void aRedirectMustFitItsStream() {
        java.nio.file.Path f = java.nio.file.Path.of("x.txt");
        ChildProcess.Builder b = ChildProcess.builder("tool.exe");
        assertThrows(IllegalArgumentException.class, () -> b.redirectInput(Redirect.to(f)));
        assertThrows(IllegalArgumentException.class, () -> b.redirectInput(Redirect.appendTo(f)));
        assertThrows(IllegalArgumentException.class, () -> b.redirectOutput(Redirect.from(f)));
        assertThrows(IllegalArgumentException.class, () -> b.redirectError(Redirect.from(f)));
        assertThrows(NullPointerException.class, () -> b.redirectOutput(null));
        b.redirectInput(Redirect.from(f)).redirectOutput(Redirect.appendTo(f)).redirectError(Redirect.DISCARD)
                .redirectInput(Redirect.INHERIT).redirectOutput(Redirect.PIPE);
    }

    @Test
    void environmentStartsAsACopyOfThisProcesss() {
        Map<String, String> env = ChildProcess.builder("tool.exe").environment();
        System.getenv().forEach((k, v) -> assertEquals(v, env.get(k.toUpperCase()), k));
    }
}
