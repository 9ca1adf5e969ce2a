package dev.multiwait.it;

import dev.multiwait.internal.Waiters;
import dev.multiwait.ChildProcess;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** onExit() and finished(): the exit code, and "exited and every output stream ended", in that order, no byte after. */
class ChildFuturesTest {
    /** A checker that also records any byte arriving once {@code finished} is done. */
    static final class Watched extends Children.Checker {
        final CompletableFuture<Integer> finished;
        final List<String> late;

        Watched(long seed, CompletableFuture<Integer> finished, List<String> late) {
            super(seed);
            this.finished = finished;
            this.late = late;
        }

        @Override
        public void onData(ByteBuffer data) {
            if (finished.isDone()) {
                late.add(data.remaining() + " bytes after finished()");
            }
            super.onData(data);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            if (finished.isDone()) {
                late.add("onClose after finished()");
            }
            super.onClose(reason, error);
        }
    }

    @Test
    void finishedCompletesAfterTheExitAndTheLastByteOfEveryStream() {
        int n = 30;
        List<String> late = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        List<CompletableFuture<Integer>> dones = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            for (int i = 0; i < n; i++) {
                int outBytes = 50_000 + i * 3001;
                int errBytes = i % 3 == 0 ? 0 : 7_000 + i;
                boolean merged = i % 5 == 4;
                int code = i;
                ChildProcess c = ChildProcess.builder(Children.exe(), "stream", String.valueOf(i), String.valueOf(outBytes),
                        String.valueOf(merged ? 0 : errBytes), String.valueOf(code)).redirectErrorStream(merged).start(wait);
                CompletableFuture<Integer> finished = c.finished();
                Watched out = new Watched(i, finished, late);
                Watched err = new Watched(i + 1, finished, late);
                c.stdout().read(4096, out);
                if (!merged) {
                    c.stderr().read(1024, err);
                }
                c.closeStdin();
                int index = i;
                dones.add(finished.whenComplete((x, e) -> {
                    // Everything must be in by now: the exit and every stream to its end.
                    if (out.received != outBytes || out.reason != CloseReason.COMPLETED || out.firstMismatch >= 0) {
                        problems.add("child " + index + " stdout at finished(): " + out.received + " " + out.reason);
                    }
                    if (!merged && (err.received != errBytes || err.reason != CloseReason.COMPLETED)) {
                        problems.add("child " + index + " stderr at finished(): " + err.received + " " + err.reason);
                    }
                    if (!c.onExit().isDone() || c.exitCode().isEmpty()) {
                        problems.add("child " + index + " finished before its exit");
                    }
                }));
                exits.add(c.onExit());
            }
            wait.run();
        }
        assertEquals(List.of(), problems);
        assertEquals(List.of(), late);
        for (int i = 0; i < n; i++) {
            assertEquals(i, exits.get(i).join(), "onExit() of child " + i);
            assertEquals(i, dones.get(i).join(), "finished() of child " + i);
        }
    }

    @Test
    void aStreamClosedUnreadCountsAsEnded() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "exit", "4").start(wait);
            c.stdout().close();
            c.stderr().close();
            c.closeStdin();
            CompletableFuture<Integer> finished = c.finished();
            wait.run();
            assertEquals(4, finished.join());
            c.close();
        }
    }

    @Test
    void closingTheChildBeforeItsExitCompletesBothFuturesExceptionally() {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "cat").start(wait);
            CompletableFuture<Integer> exit = c.onExit();
            CompletableFuture<Integer> finished = c.finished();
            wait.runOnce(java.time.Duration.ZERO);
            c.close(); // cat then sees end of file and exits, unwatched
            wait.run();
            CompletionException e = assertThrows(CompletionException.class, exit::join);
            assertTrue(e.getCause().getMessage().contains("was not seen"), e.getCause().getMessage());
            assertThrows(CompletionException.class, finished::join);
        }
    }

    @Test
    void aFailedExitWatchFailsBothFuturesWithItsError() {
        FaultyWin32 faulty = new FaultyWin32();
        faulty.fail(FaultyWin32.Call.GET_EXIT_CODE_PROCESS, FaultInjectionTest.ERR).always();
        try (MultiHandleWait wait = Waiters.create(faulty, 64)) {
            ChildProcess c = ChildProcess.builder(Children.exe(), "exit", "3").start(wait);
            Pipes.Collector out = new Pipes.Collector();
            c.stdout().read(1024, out);
            c.stderr().close();
            c.closeStdin();
            CompletableFuture<Integer> finished = c.finished();
            wait.run();
            c.close();
            CompletionException e = assertThrows(CompletionException.class, finished::join);
            assertEquals(FaultInjectionTest.ERR, assertInstanceOf(MultiWaitException.class, e.getCause()).win32Error());
            assertThrows(CompletionException.class, () -> c.onExit().join());
        }
    }
}
