package dev.multiwait.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job on a small N: its summary line is parsed and must agree with what was asked. */
class DemoSummaryTest {
    @Test
    void childPumpSummaryReportsEveryChildChecked() {
        Map<String, String> s = runAndParse(() -> new ChildPumpDemo(12, 50_000, 3_000, 3, "target/mwchild.exe").run());
        assertEquals("12", s.get("children"));
        assertEquals("12", s.get("checksum_ok"));
        assertEquals("12", s.get("exit_codes_ok"));
        assertEquals(String.valueOf(12L * (50_000 + 3_000)), s.get("bytes"));
        assertEquals("1", s.get("dispatch_threads"));
        assertTrue(Double.parseDouble(s.get("seconds")) > 0);
        // every child waits for its stdin to close until all are launched: all 24 outputs open at once
        assertEquals("24", s.get("peak_streams"));
    }

    /** `./mw demo` runs the same thing as the scaled test above, at 300 children: 600 output streams open at once. */
    @Test
    void theDefaultRunIsSizedForSixHundredStreams() {
        assertTrue(2 * Demo.DEFAULT_CHILDREN >= 600, "default children " + Demo.DEFAULT_CHILDREN);
        assertNotNull(Demo.parse(new String[0]));
    }

    @Test
    void unknownOptionsAndBadNumbersAreRefused() {
        for (String[] args : new String[][] {{"--bogus", "1"}, {"--accept", "--children", "3"}, {"--children", "x"},
                {"--children"}, {"stray"}, {"--children", "0"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Demo.parse(args),
                    String.join(" ", args));
            assertNotNull(e.getMessage());
        }
        assertTrue(Demo.USAGE.contains("--threads"));
    }

    @Test
    void pipeSummaryReportsEveryStreamChecked() {
        Map<String, String> s = runAndParse(() -> new PipeDemo().pump(20, 10_000, 30));
        assertEquals("20", s.get("streams"));
        assertEquals("20", s.get("checksum_ok"));
        assertEquals("30/30", s.get("events"));
        assertEquals("200000", s.get("bytes"));
    }

    @Test
    void acceptSummaryReportsEveryConnectionChecked() {
        Map<String, String> s = runAndParse(() -> new AcceptDemo(70, 2, 5_000).run());
        assertEquals("70", s.get("listeners"));
        assertEquals("140", s.get("accepted"));
        assertEquals("140", s.get("payload_ok"));
        assertEquals("0", s.get("connect_failures"));
        assertEquals("true", s.get("every_listener_accepted"));
    }

    private static Map<String, String> runAndParse(java.util.function.BooleanSupplier demo) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ok = demo.getAsBoolean();
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(ok, "the demo reports failure:\n" + out);
        String summary = out.lines().filter(l -> l.startsWith("summary: ")).findFirst().orElse(null);
        assertNotNull(summary, out);
        Map<String, String> fields = new HashMap<>();
        for (String kv : summary.substring("summary: ".length()).split(" ")) {
            int eq = kv.indexOf('=');
            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return fields;
    }
}
