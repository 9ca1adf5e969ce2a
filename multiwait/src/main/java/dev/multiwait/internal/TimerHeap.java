package dev.multiwait.internal;

import java.util.Arrays;

/**
 * The loop's pending timers: a binary min-heap on (deadline, sequence) whose entries know their slot, so
 * add, remove and taking the nearest cost O(log n). Loop thread only.
 */
final class TimerHeap {
    private TimerTask[] heap = new TimerTask[16];
    private int size;
    /** Entries that keep run() going. */
    private int keepingAlive;

    int size() {
        return size;
    }

    boolean keepsLoopAlive() {
        return keepingAlive > 0;
    }

    /** The nearest entry, or null. */
    TimerTask peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerTask t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.index = size;
        heap[size++] = t;
        up(t.index);
        if (t.keepsAlive) {
            keepingAlive++;
        }
    }

    /** Removes {@code t} if it is in the heap. */
    void remove(TimerTask t) {
        int i = t.index;
        if (i < 0 || i >= size || heap[i] != t) {
            return;
        }
        TimerTask last = heap[--size];
        heap[size] = null;
        t.index = -1;
        if (t.keepsAlive) {
            keepingAlive--;
        }
        if (last != t) {
            heap[i] = last;
            last.index = i;
            if (!down(i)) {
                up(i);
            }
        }
    }

    /** Empties the heap, returning what it held (in no particular order). */
    TimerTask[] clear() {
        TimerTask[] all = Arrays.copyOf(heap, size);
        for (TimerTask t : all) {
            t.index = -1;
        }
        Arrays.fill(heap, 0, size, null);
        size = 0;
        keepingAlive = 0;
        return all;
    }

    private void up(int i) {
        TimerTask t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TimerTask p = heap[parent];
            if (!t.before(p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    /** Sifts down; false if the entry did not move. */
    private boolean down(int i) {
        int start = i;
        TimerTask t = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].before(heap[child])) {
                child++;
            }
            if (!heap[child].before(t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
        return i != start;
    }
}
