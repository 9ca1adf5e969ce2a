package dev.multiwait.internal;

/**
 * An operation in flight on a stream (a read, the write queue, a pipe or socket connect, one side of a
 * relay direction): the stream routes its packets, cancels and abandons it at close, and keeps its
 * handle open while it is busy, without knowing which kind it is. Loop thread, except {@link #role}.
 */
interface StreamOp {
    /** What a stream checks new requests against (one active read, one pending connect). */
    enum Role { READ, WRITE, CONNECT, RELAY }

    Role role();

    /** Consumes a packet whose OVERLAPPED is one of this operation's; false if it is none of them. */
    boolean onPacket(long overlapped, int bytes);

    /** The stream is closing: cancel what is pending (its packet still comes and is awaited). */
    void cancelForClose();

    /** The loop's close gave up waiting for packets: end now, keeping memory the kernel may still write. */
    void abandonAtClose();

    /** Something is pending, or may still be issued: the handle must stay open. */
    boolean busy();

    /** The stream's idle timeout ran out: a read or relay ends TIMED_OUT with {@code error}; others go on. */
    default void idleTimedOut(dev.multiwait.MultiWaitException error) {
    }

    /** The stream's own write queue went idle (a relay waiting to write may go on). */
    default void writerIdle() {
    }
}
