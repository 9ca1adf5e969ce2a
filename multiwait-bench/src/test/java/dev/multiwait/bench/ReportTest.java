package dev.multiwait.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    @Test
    void statsTakeTheMedianAndQuartilesOfAllValues() {
        Stats s = Stats.of(List.of(5.0, 1.0, 3.0, 2.0, 4.0));
        assertEquals(5, s.n());
        assertEquals(1.0, s.min());
        assertEquals(2.0, s.q1());
        assertEquals(3.0, s.median());
        assertEquals(4.0, s.q3());
        assertEquals(5.0, s.max());
        assertEquals(2.5, Stats.of(List.of(4.0, 1.0, 2.0, 3.0)).median());
        assertTrue(s.overlaps(Stats.of(List.of(4.5, 9.0))));
        assertFalse(s.overlaps(Stats.of(List.of(6.0, 9.0))));
    }

    @Test
    void parsesBenchLinesAndIgnoresEverythingElse() {
        Map<String, String> m = Report.parse("BENCH name=pump contender=wfmo streams=10 rep=2 mb_per_s=12.5\r");
        assertEquals("pump", m.get("name"));
        assertEquals("wfmo", m.get("contender"));
        assertEquals("12.5", m.get("mb_per_s"));
        assertNull(Report.parse("CALLS readFile=3/1.0ms"));
        assertNull(Report.parse("# JMH version: 1.37"));
    }

    private static String pumpLine(String contender, int streams, String rep, double mbps, double ns) {
        return "BENCH name=pump contender=" + contender + " streams=" + streams + " bytes_per_stream=2097152 rep=" + rep
                + " seconds=1.0 mb_per_s=" + mbps + " ns_per_completion=" + ns + " completions=100 io_threads=1"
                + " process_threads=20 peak_ws_kb=102400 heap_peak_kb=-1";
    }

    @Test
    void printsSideBySideRatiosAndVerdictsWithoutWarmups() {
        List<String> in = new ArrayList<>();
        for (int n : new int[] {10, 1000}) {
            in.add(pumpLine("multiwait", n, "warmup1", 1.0, 1e9)); // must be ignored
            for (int r = 1; r <= 3; r++) {
                in.add(pumpLine("multiwait", n, Integer.toString(r), 90 + r, 100_000));
                in.add(pumpLine("threads", n, Integer.toString(r), 80 + r, 120_000));
                in.add(pumpLine("native-iocp", n, Integer.toString(r), 100 + r, 90_000));
            }
        }
        for (String path : new String[] {"loop", "alt-chm"}) {
            for (int regs : new int[] {10, 100000}) {
                for (int i = 1; i <= 3; i++) {
                    in.add("BENCH name=dispatch path=" + path + " registrations=" + regs + " fork=1 iter=" + i
                            + " ns_per_completion=" + (regs == 10 ? 30.0 + i : 70.0 + i));
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report r = new Report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        r.read(in);
        r.print();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Scenario 1"), text);
        assertTrue(text.contains("Scenario 2"), text);
        assertTrue(text.contains("1.12x"), text); // 92 / 82
        assertTrue(text.contains("scenario 2, 10 streams: multiwait >= 1.0x thread per stream: MET (1.12x)"), text);
        assertTrue(text.contains("scenario 2, 10 streams: multiwait >= 0.8x native C, IOCP: MET (0.90x)"), text);
        assertTrue(text.contains("within 1.2x of 10: MET (1.00x)"), text);
        assertTrue(text.contains("under 200 ns per completion at every count: MET (worst median 72.0 ns)"), text);
        assertTrue(text.contains("100,000 within 1.2x of 10: MISSED (2.25x)"), text);
        assertFalse(text.contains("1000000.0"), "warmup lines must not be counted: " + text);
    }

    @Test
    void acceptAndRelayScenariosGetTheirOwnUnitsRatiosAndFailures() {
        List<String> in = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            in.add("BENCH name=accept contender=multiwait listeners=300 connects=600 rep=" + r + " seconds=0.5 accepts_per_s="
                    + (1200 + r) + " ns_per_completion=800000 completions=600 io_threads=1 process_threads=23 peak_ws_kb=102400"
                    + " heap_peak_kb=4000 client_threads=4");
            in.add("BENCH name=accept contender=selector listeners=300 connects=600 rep=" + r + " seconds=0.6 accepts_per_s="
                    + (1000 + r) + " ns_per_completion=1000000 completions=600 io_threads=1 process_threads=23 peak_ws_kb=102400"
                    + " heap_peak_kb=4000 client_threads=4");
            in.add("BENCH name=relay contender=multiwait connections=1 bytes_per_stream=65568000 frames=2000 rep=" + r
                    + " seconds=1.0 mb_per_s=" + (100 + r) + " ns_per_completion=250000 completions=4000 errors=0 io_threads=1"
                    + " process_threads=24 peak_ws_kb=102400 heap_peak_kb=3000");
            in.add("BENCH name=relay contender=blocking connections=1 bytes_per_stream=65568000 frames=2000 rep=" + r
                    + " seconds=1.0 mb_per_s=" + (200 + r) + " ns_per_completion=125000 completions=4000 errors=0 io_threads=3"
                    + " process_threads=26 peak_ws_kb=102400 heap_peak_kb=3000");
        }
        in.add("BENCHFAIL name=accept contender=aio error=java.io.IOException:_boom");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report r = new Report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        r.read(in);
        r.print();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Scenario 3: accept rate"), out);
        assertTrue(out.contains("acc/s"), out);
        assertTrue(out.contains("300 listeners, 600 connections per run from 4 client threads"), out);
        assertTrue(out.contains("scenario 3, 300 listeners: multiwait >= 1.0x java.nio Selector: MET (1.20x)"), out);
        assertTrue(out.contains("Scenario 4: full-duplex relay"), out);
        assertTrue(out.contains("1 connections, 2000 frames = 65.6 MB each way per run"), out);
        assertTrue(out.contains("scenario 4, 1 connections: multiwait >= 1.0x blocking, 2 thr/conn: MISSED (0.50x)"), out);
        assertTrue(out.contains("scenario 3: JDK AsyncServerSocket COULD NOT RUN: java.io.IOException: boom"), out);
    }
}
