package dev.multiwait.bench.pump;

import dev.multiwait.internal.Waiters;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;

import java.nio.ByteBuffer;
import java.time.Duration;

/** multiwait as a user writes it: attach each overlapped client end, read(64 KiB), one thread in run(). */
final class MultiwaitContender implements Contender {
    private final int readSize;
    private final CallCounter calls;
    private MultiHandleWait wait;
    private long[] received;
    private long completions;
    private int ended;
    private long endNanos;
    private volatile String failure;

    /** @param calls non-null to count every Win32 call (diagnostics only: adds a proxy per call) */
    MultiwaitContender(int readSize, CallCounter calls) {
        this.readSize = readSize;
        this.calls = calls;
    }

    private final class Counter implements ReadListener {
        private final int stream;

        Counter(int stream) {
            this.stream = stream;
        }

        @Override
        public void onData(ByteBuffer data) {
            received[stream] += data.remaining();
            completions++;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            completions++;
            if (reason != CloseReason.COMPLETED && failure == null) {
                failure = "stream " + stream + " ended " + reason + ": " + error;
            }
            if (++ended == received.length) {
                endNanos = System.nanoTime();
            }
        }
    }

    @Override
    public void open(String[] pipeNames) {
        wait = calls == null ? new MultiHandleWait()
                : Waiters.create(calls.wrap(CallCounter.real()), MultiHandleWait.DEFAULT_BATCH);
        received = new long[pipeNames.length];
        for (int i = 0; i < pipeNames.length; i++) {
            long h = OverlappedPipe.openClient(pipeNames[i]);
            wait.attach(h).read(readSize, new Counter(i));
        }
        // The reads were handed to the loop; one turn issues them all (each pending: nothing written yet).
        wait.runOnce(Duration.ZERO);
    }

    @Override
    public boolean pump(long timeoutMillis) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeoutMillis);
                wait.cancel();
            } catch (InterruptedException done) {
                // finished in time
            }
        }, "multiwait-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        wait.run();
        watchdog.interrupt();
        return ended == received.length;
    }

    @Override
    public long endNanos() {
        return endNanos;
    }

    @Override
    public long[] received() {
        return received;
    }

    @Override
    public long completions() {
        return completions;
    }

    @Override
    public int ioThreads() {
        return 1;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        if (wait != null) {
            wait.close();
        }
    }
}
