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

    /**
     * How the relay ended, with the bytes relayed each way until then, whatever the reason (COMPLETED,
     * CANCELLED or FAILED). By default calls {@link #onClose(CloseReason, Exception)}; the library calls this one.
     *
     * @param reason why it ended
     * @param error  the cause when {@code reason} is FAILED or TIMED_OUT, else null
     * @param aToB   bytes relayed from a to b
     * @param bToA   bytes relayed from b to a
     */
    default void onEnd(CloseReason reason, Exception error, long aToB, long bToA) {
        onClose(reason, error);
    }

    /** {@link #onEnd} as a lambda. */
    @FunctionalInterface
    interface EndListener {
        /**
         * As {@link RelayListener#onEnd}.
         *
         * @param reason why it ended
         * @param error  the cause, or null
         * @param aToB   bytes relayed from a to b
         * @param bToA   bytes relayed from b to a
         */
        void onEnd(CloseReason reason, Exception error, long aToB, long bToA);
    }

    /** {@link #onHalfClose} as a lambda. */
    @FunctionalInterface
    interface HalfCloseListener {
        /**
         * As {@link RelayListener#onHalfClose}.
         *
         * @param from  the stream that reached its end
         * @param to    the stream whose output was half-closed
         * @param bytes bytes relayed in this direction in all
         */
        void onHalfClose(StreamHandle from, StreamHandle to, long bytes);
    }

    /**
     * Two lambdas, on the loop thread: {@code onHalfClose} for each direction that finished, {@code onEnd}
     * once with the bytes each way. {@link Registration#current()} in either gives the relay's registration.
     *
     * @param onHalfClose told of each direction that finished
     * @param onEnd       told once how the relay ended
     * @return the listener
     */
    static RelayListener of(HalfCloseListener onHalfClose, EndListener onEnd) {
        java.util.Objects.requireNonNull(onHalfClose, "onHalfClose");
        java.util.Objects.requireNonNull(onEnd, "onEnd");
        return new RelayListener() {
            @Override
            public void onHalfClose(StreamHandle from, StreamHandle to, long bytes) {
                onHalfClose.onHalfClose(from, to, bytes);
            }

            @Override
            public void onEnd(CloseReason reason, Exception error, long aToB, long bToA) {
                onEnd.onEnd(reason, error, aToB, bToA);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onEnd(reason, error, 0, 0); // only the library's onEnd call carries the counts
            }
        };
    }
}
