package dev.multiwait.bench.pump;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The classic design before completion ports: ceil(N/64) threads, each owning up to 64 pipes opened
 * for overlapped I/O, one event-based overlapped ReadFile (64 KiB, manual-reset event in the
 * OVERLAPPED) in flight per pipe, and a WaitForMultipleObjects loop over those events: the lowest
 * signalled index is handled (GetOverlappedResult, then the next ReadFile), an ended pipe leaves the
 * array. OVERLAPPEDs, buffers and the handle array are native memory this class owns. Each thread
 * issues its own reads and lives until they end (I/O of a thread that exits is cancelled).
 */
final class WfmoContender implements Contender {
    static final int MAX_WAIT = 64;

    private final int readSize;
    private long[] received;
    private final AtomicLong completions = new AtomicLong();
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long endNanos;
    private volatile String failure;
    private CountDownLatch done;
    private final List<Thread> threads = new ArrayList<>();

    WfmoContender(int readSize) {
        this.readSize = readSize;
    }

    @Override
    public void open(String[] pipeNames) throws InterruptedException {
        int n = pipeNames.length;
        received = new long[n];
        remaining.set(n);
        int groups = (n + MAX_WAIT - 1) / MAX_WAIT;
        done = new CountDownLatch(groups);
        CountDownLatch armed = new CountDownLatch(groups);
        for (int g = 0; g < groups; g++) {
            int from = g * MAX_WAIT;
            int to = Math.min(n, from + MAX_WAIT);
            Thread t = new Thread(() -> group(pipeNames, from, to, armed), "wfmo-" + g);
            threads.add(t);
            t.start();
        }
        if (!armed.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("WFMO threads did not arm their reads in 120 s");
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** One thread's pipes [from, to): open, arm, then wait and re-arm until all have ended. */
    private void group(String[] names, int from, int to, CountDownLatch armed) {
        int count = to - from;
        Memory events = new Memory((long) MAX_WAIT * 8);   // the WaitForMultipleObjects array, slot order
        Memory transferred = new Memory(8);
        long[] handle = new long[count];                    // by slot
        int[] streamOf = new int[count];                    // by slot
        Memory[] block = new Memory[count];                 // by slot: OVERLAPPED then the buffer
        long reads = 0;
        boolean armedYet = false;
        int live = 0;
        try {
            for (int s = 0; s < count; s++) {
                int stream = from + s;
                long h = BenchKernel32.CreateFileW(new WString(names[stream]),
                        BenchKernel32.GENERIC_READ | BenchKernel32.GENERIC_WRITE, 0, 0,
                        BenchKernel32.OPEN_EXISTING, BenchKernel32.FILE_FLAG_OVERLAPPED, 0);
                if (h == BenchKernel32.INVALID_HANDLE_VALUE || h == 0) {
                    throw new IllegalStateException("CreateFileW(" + names[stream] + ") failed: " + Native.getLastError());
                }
                long ev = BenchKernel32.CreateEventW(0, true, false, 0);
                if (ev == 0) {
                    throw new IllegalStateException("CreateEventW failed: " + Native.getLastError());
                }
                handle[s] = h;
                streamOf[s] = stream;
                block[s] = new Memory(BenchKernel32.OVERLAPPED_SIZE + readSize);
                block[s].setLong(BenchKernel32.OVERLAPPED_EVENT, ev);
                events.setLong(8L * s, ev);
                live++;
            }
            // Arm every read before go. A read that ends at once (EOF) leaves the array.
            for (int s = 0; s < live; ) {
                if (issue(handle[s], block[s])) {
                    s++;
                } else {
                    reads++;
                    live = removeSlot(s, live, events, handle, streamOf, block);
                }
            }
            armedYet = true;
            armed.countDown();
            while (live > 0) {
                int r = BenchKernel32.WaitForMultipleObjects(live, Pointer.nativeValue(events), false, BenchKernel32.INFINITE);
                int s = r - BenchKernel32.WAIT_OBJECT_0;
                if (s < 0 || s >= live) {
                    throw new IllegalStateException("WaitForMultipleObjects returned " + r + ", error " + Native.getLastError());
                }
                long ov = Pointer.nativeValue(block[s]);
                boolean ok = BenchKernel32.GetOverlappedResult(handle[s], ov, Pointer.nativeValue(transferred), false);
                reads++;
                int n = transferred.getInt(0);
                boolean ended;
                if (ok && n > 0) {
                    received[streamOf[s]] += n;
                    ended = !issue(handle[s], block[s]);
                    if (ended) {
                        reads++;
                    }
                } else if (ok) {
                    ended = true;
                } else {
                    int error = Native.getLastError();
                    if (!BenchKernel32.isEndOfStream(error)) {
                        throw new IllegalStateException("read on stream " + streamOf[s] + " failed: " + error);
                    }
                    ended = true;
                }
                if (ended) {
                    live = removeSlot(s, live, events, handle, streamOf, block);
                }
            }
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e.toString();
            }
        } finally {
            completions.addAndGet(reads);
            if (!armedYet) {
                armed.countDown();
            }
            for (int s = 0; s < live; s++) { // only after a failure: cancel what is still pending before freeing
                BenchKernel32.CloseHandle(handle[s]);
            }
            done.countDown();
        }
    }

    /**
     * Zeroes the OVERLAPPED (keeping its event) and issues the next ReadFile. True if a result will
     * signal the event (pending, or finished at once: a synchronous success signals it too); false at end of stream.
     */
    private boolean issue(long h, Memory block) {
        block.clear(24);
        if (BenchKernel32.ReadFile(h, Pointer.nativeValue(block) + BenchKernel32.OVERLAPPED_SIZE, readSize, 0,
                Pointer.nativeValue(block))) {
            return true;
        }
        int error = Native.getLastError();
        if (error == BenchKernel32.ERROR_IO_PENDING) {
            return true;
        }
        if (BenchKernel32.isEndOfStream(error)) {
            return false;
        }
        throw new IllegalStateException("ReadFile failed: " + error);
    }

    /** A stream ended: close its handle and event, move the last slot into its place. */
    private int removeSlot(int s, int live, Memory events, long[] handle, int[] streamOf, Memory[] block) {
        BenchKernel32.CloseHandle(handle[s]);
        BenchKernel32.CloseHandle(events.getLong(8L * s));
        block[s].close();
        if (remaining.decrementAndGet() == 0) {
            endNanos = System.nanoTime();
        }
        int last = live - 1;
        handle[s] = handle[last];
        streamOf[s] = streamOf[last];
        block[s] = block[last];
        events.setLong(8L * s, events.getLong(8L * last));
        return last;
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
        return threads.size();
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
