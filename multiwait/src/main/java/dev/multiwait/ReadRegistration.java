package dev.multiwait;

/**
 * A stream's continuous read ({@link StreamHandle#read}), which can be paused: while paused no read
 * is in flight, so the kernel's buffers fill and the peer's writes block (its own flow control).
 *
 * <p>{@link #pause()} takes effect at once when called from the listener's {@code onData} (the next
 * read is issued only after it returns: no more {@code onData} until {@link #resume()}). From another
 * thread, a read already in flight is cancelled; bytes it had moved before the cancel are still
 * delivered (one last {@code onData} may follow the call), never lost or duplicated. The read's
 * native buffer is kept while paused and freed when the read ends. {@link #resume()} issues one read.
 * Both may be called from any thread; the listener runs on the loop thread as before. An idle timeout
 * ({@link StreamHandle#setIdleTimeout}) goes on counting while paused.
 */
public interface ReadRegistration extends Registration {
    /**
     * Stops reading until {@link #resume()}.
     *
     * @throws IllegalStateException if already paused, or the read has ended (cancelled, closed, end of stream)
     */
    void pause();

    /**
     * Reads again: one read is issued on the loop.
     *
     * @throws IllegalStateException if not paused, or the read has ended
     */
    void resume();

    /**
     * Whether reading is paused.
     *
     * @return true between {@link #pause()} and {@link #resume()}
     */
    boolean isPaused();

    /**
     * {@link Registration#current()} for a read: the read whose listener runs on this thread, so that its
     * {@code onData} can pause it without a cast or a field of its own.
     *
     * @return the read, or null outside a read's listener (also inside another kind of listener)
     */
    static ReadRegistration current() {
        return Registration.current() instanceof ReadRegistration read ? read : null;
    }
}
