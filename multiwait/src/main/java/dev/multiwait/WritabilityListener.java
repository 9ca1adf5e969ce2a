package dev.multiwait;

/**
 * Told, on the loop thread, when a stream's queued writes cross its water marks
 * ({@link StreamHandle#setWriteWaterMarks}): unwritable once more than the high mark is pending,
 * writable again once the pending bytes fell to the low mark. Calls alternate, starting with false.
 */
@FunctionalInterface
public interface WritabilityListener {
    /**
     * The stream crossed a water mark; called on the loop thread.
     *
     * @param stream   the stream
     * @param writable false once above the high mark, true once back at the low mark
     */
    void onWritabilityChanged(StreamHandle stream, boolean writable);
}
