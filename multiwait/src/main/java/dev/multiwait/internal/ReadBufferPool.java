package dev.multiwait.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The loop's read buffers that are not lent out (issue 15): a stream borrows one only while a read
 * fills it and its listener runs. One loop thread delivers one chunk at a time, so a few free blocks
 * per size suffice; more are freed. Loop thread only.
 */
final class ReadBufferPool {
    static final int MAX_FREE_PER_SIZE = 4;
    private final Map<Integer, ArrayDeque<NativeOp>> free = new HashMap<>();

    NativeOp borrow(int capacity) {
        ArrayDeque<NativeOp> q = free.get(capacity);
        NativeOp block = q == null ? null : q.pollFirst();
        return block != null ? block : new NativeOp(capacity);
    }

    /** A block no read is using any more (its packet consumed, its listener returned). */
    void giveBack(NativeOp block) {
        ArrayDeque<NativeOp> q = free.computeIfAbsent(block.capacity, c -> new ArrayDeque<>());
        if (q.size() < MAX_FREE_PER_SIZE) {
            q.addFirst(block);
        } else {
            block.release();
        }
    }

    /** Frees every free block (the loop is closing). */
    void clear() {
        for (ArrayDeque<NativeOp> q : free.values()) {
            q.forEach(NativeOp::release);
        }
        free.clear();
    }

    int freeBlocks() {
        return free.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
