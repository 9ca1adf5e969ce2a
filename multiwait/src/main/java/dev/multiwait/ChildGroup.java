package dev.multiwait;

import dev.multiwait.internal.JobObject;

import java.util.Objects;

/**
 * A group of child processes that end together: {@link #close()} ends every child started in the
 * group ({@link ChildProcess.Builder#group}) and every process those started, as the waiter's
 * {@code close()} does for all its children. A job object with kill-on-close, nested between the
 * waiter's job and each child's own.
 */
public final class ChildGroup implements AutoCloseable {
    private final MultiHandleWait wait;
    private final JobObject job;

    private ChildGroup(MultiHandleWait wait) {
        this.wait = wait;
        this.job = wait.childJobs().newGroup();
    }

    /**
     * A new, empty group on {@code wait}.
     *
     * @param wait the waiter its children are started on
     * @return the group
     * @throws IllegalStateException after the waiter's close()
     * @throws MultiWaitException if CreateJobObjectW or SetInformationJobObject fails
     */
    public static ChildGroup create(MultiHandleWait wait) {
        Objects.requireNonNull(wait, "wait");
        wait.checkOpen();
        return new ChildGroup(wait);
    }

    MultiHandleWait waiter() {
        return wait;
    }

    JobObject job() {
        return job;
    }

    /** Ends every child of the group and every descendant; later starts in it are refused. Idempotent. */
    @Override
    public void close() {
        wait.childJobs().closeGroup(job);
    }
}
