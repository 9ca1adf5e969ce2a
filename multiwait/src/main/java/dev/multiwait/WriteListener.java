package dev.multiwait;

/** Told, on the loop thread, how one queued write ended. */
@FunctionalInterface
public interface WriteListener {
    /**
     * @param written bytes the kernel accepted (all of them unless {@code error} is set)
     * @param error   null on success; otherwise why the write (and every write queued behind it) failed
     */
    void onWritten(int written, MultiWaitException error);
}
