package dev.multiwait.internal;

/** One dequeued batch: parallel arrays, reused across batches so the hot path allocates nothing. */
public final class PacketBatch {
    public final long[] keys;
    public final long[] overlapped;
    public final int[] bytes;
    public int count;

    public PacketBatch(int capacity) {
        keys = new long[capacity];
        overlapped = new long[capacity];
        bytes = new int[capacity];
    }

    public int capacity() {
        return keys.length;
    }
}
