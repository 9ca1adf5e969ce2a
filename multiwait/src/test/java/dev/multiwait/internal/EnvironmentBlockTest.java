package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The child's environment block: SystemRoot added when missing, names unique ignoring case, no nulls. */
class EnvironmentBlockTest {
    @Test
    void systemRootIsAddedWhenTheMapLacksItInAnyCase() {
        Map<String, String> env = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        env.put("A", "1");
        assertArrayEquals("A=1\0SystemRoot=C:\\windows\0\0".toCharArray(),
                ProcessLaunch.environmentBlock(ProcessLaunch.withSystemRoot(env, "C:\\windows")));
        assertEquals(Map.of("A", "1"), env, "the caller's map is left alone");
        env.put("SYSTEMROOT", "D:\\win");
        assertSame(env, ProcessLaunch.withSystemRoot(env, "C:\\windows"), "the caller's own value stays");
        Map<String, String> none = Map.of("B", "2");
        assertSame(none, ProcessLaunch.withSystemRoot(none, null), "no parent value: nothing to add");
    }

    @Test
    void namesDifferingOnlyInCaseAndNullsAreRefusedClearly() {
        Map<String, String> twice = new HashMap<>(Map.of("Path", "a", "PATH", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessLaunch.environmentBlock(twice));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        Map<String, String> nullValue = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        nullValue.put("X", null);
        NullPointerException n = assertThrows(NullPointerException.class, () -> ProcessLaunch.environmentBlock(nullValue));
        assertEquals("value of environment variable X", n.getMessage());
    }
}
