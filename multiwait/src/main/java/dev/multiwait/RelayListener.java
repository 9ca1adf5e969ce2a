package dev.multiwait;

/**
 * Told how a relay ({@link MultiHandleWait#relay}) goes, on the loop thread. {@code onClose}
 * reports COMPLETED once both directions ended cleanly, CANCELLED after cancel() or close, FAILED
 * with the first error (a reset, a failed write) after the whole relay was torn down.
 */
@FunctionalInterface // a lambda is the onClose
public interface RelayListener extends CloseListener {
    /**
     * One direction is finished: {@code from} reached end of stream, every byte read from it was
     * written to {@code to}, and {@code to}'s output was half-closed. The other direction goes on.
     *
     * @param from  the stream that reached its end
     * @param to    the stream whose output was half-closed
     * @param bytes bytes relayed in this direction in all
     */
    default void onHalfClose(StreamHandle from, StreamHandle to, long bytes) {
    }
}
