package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.W32APIOptions;
import dev.multiwait.CloseReason;
import dev.multiwait.ConsoleInputListener;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.Registration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.multiwait.it.BridgeTestSupport.K32;
import static dev.multiwait.it.BridgeTestSupport.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Console input bridged into the port. Records are injected with WriteConsoleInputW into the
 * process's own console input buffer (CONIN$), so no keyboard is needed. The Wine stage runs under
 * a pseudo-terminal, so the JVM has a console; if it has none, AllocConsole() is tried first.
 */
class ConsoleInputTest {
    private static final int GENERIC_READ = 0x8000_0000;
    private static final int GENERIC_WRITE = 0x4000_0000;
    private static final int FILE_SHARE_READ = 1;
    private static final int FILE_SHARE_WRITE = 2;
    private static final int OPEN_EXISTING = 3;

    private static final int RECORD = 20;
    private static final short KEY_EVENT = 0x0001;
    private static final short MOUSE_EVENT = 0x0002;
    private static final short FOCUS_EVENT = 0x0010;

    /** Bindings jna-platform lacks (WriteConsoleInputW), on raw native memory. */
    interface ConsoleApi extends Library {
        ConsoleApi INSTANCE = Native.load("kernel32", ConsoleApi.class, W32APIOptions.DEFAULT_OPTIONS);

        boolean WriteConsoleInputW(WinNT.HANDLE console, Memory records, int length, IntByReference written);

        boolean GetNumberOfConsoleInputEvents(WinNT.HANDLE console, IntByReference count);

        boolean FlushConsoleInputBuffer(WinNT.HANDLE console);

        boolean AllocConsole();

    }

    private static WinNT.HANDLE conin;
    private static String howObtained;

    @BeforeAll
    static void openConsoleInput() {
        conin = openConin();
        if (conin != null) {
            howObtained = "inherited console";
            return;
        }
        int firstError = K32.GetLastError();
        boolean allocated = ConsoleApi.INSTANCE.AllocConsole();
        int allocError = allocated ? 0 : K32.GetLastError();
        conin = openConin();
        if (conin == null) {
            fail("no console input under this runtime: CreateFile(\"CONIN$\") failed with " + firstError
                    + ", AllocConsole() " + (allocated ? "succeeded" : "failed with " + allocError)
                    + ", CreateFile(\"CONIN$\") then failed with " + K32.GetLastError());
        }
        howObtained = "AllocConsole()";
    }

    private static WinNT.HANDLE openConin() {
        WinNT.HANDLE h = K32.CreateFile("CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                null, OPEN_EXISTING, 0, null);
        return h == null || WinBase.INVALID_HANDLE_VALUE.equals(h) ? null : h;
    }

    @AfterAll
    static void closeConsoleInput() {
        if (conin != null) {
            K32.CloseHandle(conin);
        }
    }

    private static final class Typed implements ConsoleInputListener {
        final StringBuilder text = new StringBuilder();
        int calls;
        final List<CloseReason> closes = new ArrayList<>();
        Exception closeError;

        @Override
        public void onInput(String typed) {
            calls++;
            text.append(typed);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            closes.add(reason);
            closeError = error;
        }
    }

    /** Builds INPUT_RECORDs in native memory. */
    private static final class Records {
        final List<byte[]> list = new ArrayList<>();

        Records key(boolean down, char c, int vk) {
            Memory m = new Memory(RECORD);
            m.clear();
            m.setShort(0, KEY_EVENT);
            m.setInt(4, down ? 1 : 0);
            m.setShort(8, (short) 1);
            m.setShort(10, (short) vk);
            m.setShort(12, (short) 0);
            m.setChar(14, c);
            m.setInt(16, 0);
            list.add(m.getByteArray(0, RECORD));
            return this;
        }

        Records typed(char c) {
            int vk = Character.toUpperCase(c);
            return key(true, c, vk).key(false, c, vk);
        }

        Records focus(boolean set) {
            byte[] b = new byte[RECORD];
            b[0] = (byte) FOCUS_EVENT;
            b[4] = (byte) (set ? 1 : 0);
            list.add(b);
            return this;
        }

        Records mouseMove(int x, int y) {
            byte[] b = new byte[RECORD];
            b[0] = (byte) MOUSE_EVENT;
            b[4] = (byte) x;
            b[6] = (byte) y;
            b[16] = 1; // dwEventFlags = MOUSE_MOVED
            list.add(b);
            return this;
        }

        void inject() {
            Memory m = new Memory((long) RECORD * list.size());
            for (int i = 0; i < list.size(); i++) {
                m.write((long) i * RECORD, list.get(i), 0, RECORD);
            }
            IntByReference written = new IntByReference();
            if (!ConsoleApi.INSTANCE.WriteConsoleInputW(conin, m, list.size(), written)) {
                fail("WriteConsoleInputW failed: " + K32.GetLastError());
            }
            assertEquals(list.size(), written.getValue(), "records written");
        }
    }

    private static int pendingRecords() {
        IntByReference n = new IntByReference();
        if (!ConsoleApi.INSTANCE.GetNumberOfConsoleInputEvents(conin, n)) {
            fail("GetNumberOfConsoleInputEvents failed: " + K32.GetLastError());
        }
        return n.getValue();
    }

    /**
     * Empties the input buffer and waits until the terminal has stopped feeding it. Under Wine the
     * pty side sends a few records on its own shortly after start (seen: a NUL byte, which conhost
     * turns into Shift/Ctrl/'2' key records with no character), asynchronously, so one flush is not
     * enough: flush until the handle stays unsignalled for 300 ms.
     */
    private static void settleConsole() {
        for (int round = 0; round < 20; round++) {
            if (!ConsoleApi.INSTANCE.FlushConsoleInputBuffer(conin)) {
                fail("FlushConsoleInputBuffer failed: " + K32.GetLastError());
            }
            if (K32.WaitForSingleObject(conin, 300) == 258 /* WAIT_TIMEOUT */) {
                return;
            }
        }
        fail("the console input buffer never became quiet (records keep arriving from the terminal)");
    }

    /** Dispatches until {@code done} holds, bounded by a hang guard (not a timing assertion). */
    private static void runUntil(MultiHandleWait wait, java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + BridgeTestSupport.HANG_GUARD.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not happen within " + BridgeTestSupport.HANG_GUARD);
            }
            wait.runOnce(Duration.ofMillis(500));
        }
    }

    @Test
    void keyDownsAreDeliveredAndOtherRecordsAreDrainedWithoutSpinning() {
        System.out.println("[ConsoleInputTest] CONIN$ 0x" + Long.toHexString(raw(conin)) + " via " + howObtained);
        settleConsole();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Typed typed = new Typed();
            Registration reg = wait.watchConsoleInput(Handles.raw(conin), typed);

            // Nothing queued: the console handle is not signalled and the loop has nothing to do.
            assertEquals(0, wait.runOnce(Duration.ofMillis(200)), "dispatched something with an empty console buffer");

            // Only non-key records: the listener hears nothing, but they are read so the handle stops signalling.
            new Records().focus(true).mouseMove(3, 4).key(false, 'x', 'X').focus(false).inject();
            runUntil(wait, () -> pendingRecords() == 0, "draining non-key records");
            assertEquals(0, typed.calls, "non-key records reached the listener: " + typed.text);
            assertEquals(0, wait.runOnce(Duration.ofMillis(200)), "loop spins on a console left signalled by non-key records");

            // Key-downs for "hi" among focus, mouse and key-up records.
            new Records().focus(true).typed('h').mouseMove(1, 1).focus(false).key(true, '\0', 0x10 /* VK_SHIFT */)
                    .key(false, '\0', 0x10).typed('i').focus(true).inject();
            runUntil(wait, () -> typed.text.length() >= 2 && pendingRecords() == 0, "delivering \"hi\"");
            assertEquals("hi", typed.text.toString());
            assertEquals(0, pendingRecords(), "records left in the console buffer");
            assertEquals(0, wait.runOnce(Duration.ofMillis(200)), "loop spins after the input was drained");
            assertEquals("hi", typed.text.toString());

            assertTrue(reg.isActive(), "a console watch repeats until cancelled");
            reg.cancel();
            runUntil(wait, () -> !reg.isActive(), "ending the console watch");
            assertEquals(List.of(CloseReason.CANCELLED), typed.closes);
            assertEquals(0, wait.registrationCount());
        }
    }

    /**
     * The no-wait read (ReadConsoleInputExW) is a stub that raises under Wine 8: the library must
     * detect that and keep ReadConsoleInputW, which the test above then exercises. On Windows it is real.
     */
    @Test
    void theNoWaitConsoleReadIsUsedOnlyWhereItIsReal() {
        boolean wine;
        try {
            com.sun.jna.NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            wine = true;
        } catch (UnsatisfiedLinkError notWine) {
            wine = false;
        }
        assertEquals(!wine, dev.multiwait.win32.JnaWin32.INSTANCE.hasReadConsoleInputNoWait(),
                wine ? "under Wine ReadConsoleInputExW is a stub and must not be called" : "Windows has ReadConsoleInputExW");
    }
}
