package dev.multiwait.bench.pump;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a Java user writes without this library: one platform thread per pipe, each opening the pipe
 * by name with a plain FileInputStream (a synchronous handle) and looping on read(byte[64 KiB])
 * until -1.
 */
final class ThreadPerStreamContender implements Contender {
    private final int readSize;
    private long[] received;
    private final AtomicLong completions = new AtomicLong();
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long endNanos;
    private volatile String failure;
    private CountDownLatch done;
    private Thread[] threads;

    ThreadPerStreamContender(int readSize) {
        this.readSize = readSize;
    }

    @Override
    public void open(String[] pipeNames) throws InterruptedException {
        int n = pipeNames.length;
        received = new long[n];
        remaining.set(n);
        done = new CountDownLatch(n);
        CountDownLatch opened = new CountDownLatch(n);
        threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int stream = i;
            threads[i] = new Thread(() -> read(stream, pipeNames[stream], opened), "reader-" + i);
            threads[i].start();
        }
        if (!opened.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("reader threads did not open their pipes in 120 s");
        }
    }

    private void read(int stream, String name, CountDownLatch opened) {
        boolean counted = false;
        try (InputStream in = new FileInputStream(name)) {
            opened.countDown();
            counted = true;
            byte[] buf = new byte[readSize];
            long got = 0;
            long reads = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                got += n;
                reads++;
            }
            received[stream] = got;
            completions.addAndGet(reads + 1);
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failure = "stream " + stream + ": " + e;
            }
        } finally {
            if (!counted) {
                opened.countDown();
            }
            if (remaining.decrementAndGet() == 0) {
                endNanos = System.nanoTime();
            }
            done.countDown();
        }
    }

    @Override
    public boolean pump(long timeoutMillis) throws InterruptedException {
        return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
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
        return completions.get();
    }

    @Override
    public int ioThreads() {
        return received.length;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
