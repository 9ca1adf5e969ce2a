package dev.multiwait;

/**
 * A task scheduled on the loop ({@link MultiHandleWait#schedule}). Its methods may be called from
 * any thread.
 */
public interface Timeout {
    /**
     * Withdraws the task if it has not started: true if this call withdrew it, false if it already ran,
     * is running, was cancelled before (a second cancel is a no-op) or was dropped by close().
     *
     * @return true if this call withdrew the task
     */
    boolean cancel();

    /**
     * Whether the task is still waiting.
     *
     * @return true until the task starts, is cancelled, or is dropped by close()
     */
    boolean isPending();
}
