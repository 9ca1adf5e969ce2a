package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.ExitListener;
import dev.multiwait.MultiHandleWait;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.multiwait.it.BridgeTestSupport.K32;
import static dev.multiwait.it.BridgeTestSupport.close;
import static dev.multiwait.it.BridgeTestSupport.runGuarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Process handles bridged into the port: each exit is delivered once with the right exit code. */
class ProcessExitTest {
    private static final int CHILDREN = 100;
    private static final int SYNCHRONIZE = 0x0010_0000;
    private static final int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    private static final int STILL_ACTIVE = 259;

    /** Distinct codes, negative ones too (cmd's "exit -n" gives the DWORD 2^32-n); 259 (STILL_ACTIVE) is never used. */
    private static int exitCodeFor(int i) {
        int code = (i - 20) * 1013;
        assertNotEquals(STILL_ACTIVE, code);
        return code;
    }

    private static final class Exit implements ExitListener {
        int calls;
        int code;
        final List<CloseReason> closes = new ArrayList<>();
        Exception closeError;

        @Override
        public void onExit(int exitCode) {
            calls++;
            code = exitCode;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            closes.add(reason);
            closeError = error;
        }
    }

    @Test
    void hundredChildrenDeliverTheirOwnExitCodes() throws Exception {
        List<Process> processes = new ArrayList<>(CHILDREN);
        List<WinNT.HANDLE> handles = new ArrayList<>(CHILDREN);
        Exit[] exits = new Exit[CHILDREN];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            long t0 = System.nanoTime();
            int aliveAtWatch = 0;
            for (int i = 0; i < CHILDREN; i++) {
                Process p = new ProcessBuilder("cmd.exe", "/c", "exit " + exitCodeFor(i))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                processes.add(p);
                WinNT.HANDLE h = K32.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, false, (int) p.pid());
                assertNotNull(h, () -> "OpenProcess(" + p.pid() + ") failed: " + K32.GetLastError());
                handles.add(h);
                exits[i] = new Exit();
                if (p.isAlive()) {
                    aliveAtWatch++;
                }
                wait.watchProcess(Handles.raw(h), exits[i]);
            }
            long spawned = System.nanoTime();
            assertEquals(CHILDREN, wait.registrationCount());

            runGuarded(wait, "100 process watches");
            long done = System.nanoTime();
            System.out.printf("[ProcessExitTest] spawned+watched %d in %d ms (%d still alive when watched), all exits dispatched %d ms later%n",
                    CHILDREN, (spawned - t0) / 1_000_000, aliveAtWatch, (done - spawned) / 1_000_000);

            assertEquals(0, wait.registrationCount());
            for (int i = 0; i < CHILDREN; i++) {
                Process p = processes.get(i);
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "child " + i + " still running after its exit was delivered");
                int javaSays = p.waitFor();
                Exit e = exits[i];
                assertEquals(1, e.calls, "child " + i + ": onExit calls");
                assertEquals(javaSays, e.code, "child " + i + ": exit code vs Process.waitFor()");
                assertEquals(exitCodeFor(i), e.code, "child " + i + ": exit code vs the code it was told to exit with");
                assertEquals(List.of(CloseReason.COMPLETED), e.closes, "child " + i);
                assertEquals(null, e.closeError);
            }
        } finally {
            for (WinNT.HANDLE h : handles) {
                close(h);
            }
            for (Process p : processes) {
                p.destroyForcibly();
            }
        }
    }
}
