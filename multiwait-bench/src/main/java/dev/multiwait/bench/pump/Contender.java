package dev.multiwait.bench.pump;

/**
 * One way of reading N pipes to their end. The harness gives every contender the same pipes from
 * the same writer process and times it the same way: {@link #open} (not timed) connects to every
 * pipe and arms every read; the clock starts when the writer is told to go and stops at
 * {@link #endNanos()}, when the contender saw its last end of stream.
 */
interface Contender extends AutoCloseable {
    /** Connects to every pipe and makes sure a read is waiting on each (or is about to be) before returning. */
    void open(String[] pipeNames) throws Exception;

    /** Reads until every stream has ended; returns false if that took longer than {@code timeoutMillis}. */
    boolean pump(long timeoutMillis) throws Exception;

    /** System.nanoTime() when the last stream ended. */
    long endNanos();

    /** Bytes each stream delivered. */
    long[] received();

    /** Reads that finished (each end of stream counts as one). */
    long completions();

    /** Threads this contender reads with (by design; the process has more, see the report). */
    int ioThreads();

    /** A failure seen while pumping, or null. */
    String failure();

    @Override
    void close() throws Exception;
}
