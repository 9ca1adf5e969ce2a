package dev.multiwait.internal;

/**
 * What the loop needs of a completion port, and nothing more. The real one is {@link IocpPort};
 * the dispatch benchmark and the loop's unit tests supply one that lives in memory.
 */
public interface CompletionPort extends AutoCloseable {
    /** Binds {@code handle} to this port for life; every packet for it carries {@code key}. */
    void associate(long handle, long key);

    /**
     * Waits up to {@code timeoutMillis} (-1 = forever) and fills {@code out}; 0 packets on timeout.
     * Any other failure throws (a {@code MultiWaitException}) with {@code out.count} 0: no packet was taken.
     */
    void dequeue(PacketBatch out, int timeoutMillis);

    /** The port's handle, for error messages; 0 where there is none. */
    default long handle() {
        return 0;
    }

    /** Queues a packet with no OVERLAPPED; false if the kernel refused. */
    boolean post(long key, int bytes);

    @Override
    void close();
}
