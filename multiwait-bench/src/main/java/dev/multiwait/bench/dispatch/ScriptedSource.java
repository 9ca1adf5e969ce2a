package dev.multiwait.bench.dispatch;

import dev.multiwait.internal.CompletionPort;
import dev.multiwait.internal.PacketBatch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The in-memory completion source of the dispatch benchmark: the loop reads it through
 * {@link CompletionPort}, the same narrow interface the real {@code IocpPort} implements. It replays
 * a fixed script of (key, OVERLAPPED, bytes) packets in batches, wrapping around, at the cost of
 * three array copies per batch (what turning GetQueuedCompletionStatusEx's entries into the loop's
 * arrays costs at the least). Packets posted by the library (the loop's wake packet while the
 * benchmark sets up) come first. Single-threaded: the benchmark thread sets up and runs the loop.
 */
public final class ScriptedSource implements CompletionPort {
    private final ArrayDeque<long[]> posted = new ArrayDeque<>();
    private final Map<Long, Long> keyOfHandle = new HashMap<>();
    private long[] keys = new long[0];
    private long[] overlapped = new long[0];
    private int[] bytes = new int[0];
    private int position;

    /** From now on every dequeue returns the next {@code out.capacity()} packets of this script (a multiple of it). */
    public void script(long[] keys, long[] overlapped, int[] bytes) {
        if (keys.length != overlapped.length || keys.length != bytes.length || keys.length == 0) {
            throw new IllegalArgumentException("script arrays must have one equal, non-zero length");
        }
        this.keys = keys;
        this.overlapped = overlapped;
        this.bytes = bytes;
        this.position = 0;
    }

    /** The key the loop associated {@code handle} with, or null. */
    public Long keyOf(long handle) {
        return keyOfHandle.get(handle);
    }

    public int pendingPosts() {
        return posted.size();
    }

    @Override
    public void associate(long handle, long key) {
        keyOfHandle.put(handle, key);
    }

    @Override
    public void dequeue(PacketBatch out, int timeoutMillis) {
        if (!posted.isEmpty()) {
            int n = 0;
            while (n < out.capacity() && !posted.isEmpty()) {
                long[] p = posted.poll();
                out.keys[n] = p[0];
                out.overlapped[n] = 0;
                out.bytes[n] = (int) p[1];
                n++;
            }
            out.count = n;
            return;
        }
        int n = out.capacity();
        if (keys.length == 0) {
            out.count = 0;
            return;
        }
        if (keys.length % n != 0) {
            throw new IllegalStateException("script length " + keys.length + " is not a multiple of the batch " + n);
        }
        System.arraycopy(keys, position, out.keys, 0, n);
        System.arraycopy(overlapped, position, out.overlapped, 0, n);
        System.arraycopy(bytes, position, out.bytes, 0, n);
        position += n;
        if (position == keys.length) {
            position = 0;
        }
        out.count = n;
    }

    @Override
    public boolean post(long key, int bytes) {
        posted.add(new long[] {key, bytes});
        return true;
    }

    @Override
    public void close() {
    }
}
