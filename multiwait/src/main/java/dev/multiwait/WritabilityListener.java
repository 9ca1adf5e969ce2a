package dev.multiwait;

/**
 * Told, on the loop thread, when a stream's queued writes cross its water marks
 * ({@link StreamHandle#setWriteWaterMarks}): unwritable once more than the high mark is pending,
 * writable again once the pending bytes fell to the low mark. Calls alternate, starting with false.
 */
@FunctionalInterface
public interface WritabilityListener {
    void onWritabilityChanged(StreamHandle stream, boolean writable);
}
