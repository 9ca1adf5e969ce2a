package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory completion port for the loop's unit tests: a FIFO of (key, overlapped, bytes)
 * packets. {@link #post} is what the library does (PostQueuedCompletionStatus); {@link #push} is
 * what the kernel does when overlapped I/O finishes. {@link #dequeue} takes up to the batch's
 * capacity, returning at once for timeout 0 and blocking on a condition otherwise.
 */
final class MemoryPort implements CompletionPort {
    /** The handle value the (mocked) CreateIoCompletionPort gives for this port. */
    static final long PORT_HANDLE = 0x7770;

    record Packet(long key, long overlapped, int bytes) {
    }

    private final Win32 win32;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    private final Map<Long, Long> associations = new LinkedHashMap<>();
    private final List<Integer> dequeueTimeouts = new ArrayList<>();
    private final List<Packet> dequeued = new ArrayList<>();
    private final AtomicInteger dequeueCalls = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean refusePosts;
    /** Posts still to refuse before posting works again (a transient failure). */
    private final AtomicInteger refuseNext = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    /** Dequeues still to fail, and with which error. */
    private final AtomicInteger failDequeues = new AtomicInteger();
    private volatile int dequeueError;

    /** @param win32 asked to CreateIoCompletionPort(handle, port, key) on associate, as IocpPort does; null to skip */
    MemoryPort(Win32 win32) {
        this.win32 = win32;
    }

    @Override
    public void associate(long handle, long key) {
        if (win32 != null && win32.createIoCompletionPort(handle, PORT_HANDLE, key, 0) == 0) {
            throw new MultiWaitException("CreateIoCompletionPort(associate)", handle, win32.lastError(), null);
        }
        lock.lock();
        try {
            associations.put(handle, key);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void dequeue(PacketBatch out, int timeoutMillis) {
        dequeueCalls.incrementAndGet();
        if (failDequeues.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.count = 0;
            throw new MultiWaitException("GetQueuedCompletionStatusEx", PORT_HANDLE, dequeueError, IocpPort.DEQUEUE_FAILED);
        }
        lock.lock();
        try {
            dequeueTimeouts.add(timeoutMillis);
            if (timeoutMillis != 0) {
                long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (queue.isEmpty() && !closed) {
                    if (timeoutMillis < 0) {
                        nonEmpty.awaitUninterruptibly();
                    } else {
                        if (left <= 0) {
                            break;
                        }
                        try {
                            left = nonEmpty.awaitNanos(left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
            }
            int n = 0;
            while (n < out.capacity() && !queue.isEmpty()) {
                Packet p = queue.poll();
                dequeued.add(p);
                out.keys[n] = p.key();
                out.overlapped[n] = p.overlapped();
                out.bytes[n] = p.bytes();
                n++;
            }
            out.count = n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean post(long key, int bytes) {
        if (refusePosts || closed || refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            return false;
        }
        push(key, 0, bytes);
        return true;
    }

    /** A completion packet as the kernel queues it for finished overlapped I/O. */
    void push(long key, long overlapped, int bytes) {
        lock.lock();
        try {
            queue.add(new Packet(key, overlapped, bytes));
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void refusePosts(boolean refuse) {
        refusePosts = refuse;
    }

    /** The next {@code n} posts fail, then posting works again. */
    void refuseNextPosts(int n) {
        refuseNext.set(n);
    }

    /** Posts refused so far. */
    int refusedPosts() {
        return refused.get();
    }

    /** The next {@code n} dequeues throw as GetQueuedCompletionStatusEx failing with {@code error} would. */
    void failNextDequeues(int n, int error) {
        dequeueError = error;
        failDequeues.set(n);
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    List<Packet> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(queue);
        } finally {
            lock.unlock();
        }
    }

    Long keyOf(long handle) {
        lock.lock();
        try {
            return associations.get(handle);
        } finally {
            lock.unlock();
        }
    }

    int dequeueCalls() {
        return dequeueCalls.get();
    }

    List<Integer> dequeueTimeouts() {
        lock.lock();
        try {
            return new ArrayList<>(dequeueTimeouts);
        } finally {
            lock.unlock();
        }
    }

    /** Every packet taken so far, in order. */
    List<Packet> history() {
        lock.lock();
        try {
            return new ArrayList<>(dequeued);
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public long handle() {
        return PORT_HANDLE;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
