package dev.multiwait.it;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.demo.HandleCount;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak tests' measuring stick must itself measure: it sees handles come and go. */
class HandleCountTest {
    @Test
    void countsHandlesOfThisProcess() {
        int before = HandleCount.ofThisProcess();
        assertTrue(before > 0, "some handles are always open: " + before);
        List<WinNT.HANDLE> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(Kernel32.INSTANCE.CreateEvent(null, false, false, null));
        }
        int with = HandleCount.ofThisProcess();
        events.forEach(Kernel32.INSTANCE::CloseHandle);
        int after = HandleCount.ofThisProcess();
        // Other JVM threads may open or close a handle meanwhile; 50 of ours must show regardless.
        assertTrue(Math.abs(with - before - 50) <= 3, "before " + before + ", with 50 events " + with);
        assertTrue(Math.abs(after - before) <= 3, "before " + before + ", after closing " + after);
        assertEquals(with - 50, after, 3.0, "closing 50 handles removes 50");
    }
}
