package dev.multiwait.internal;

import dev.multiwait.win32.Win32;

import java.util.HashSet;
import java.util.Set;

/**
 * The job objects of one waiter's children: one job for all of them, created on the first child,
 * with {@link JobObject#KILL_ON_CLOSE}, so closing the waiter, or this process dying (Windows closes
 * its handles), ends every child and descendant; and one job per child, nested inside it, for
 * killing that child's tree alone.
 */
public final class ChildJobs {
    private final Win32 win32;
    private final Set<JobObject> trees = new HashSet<>();
    private JobObject all;
    private boolean closed;

    public ChildJobs(Win32 win32) {
        this.win32 = win32;
    }

    /**
     * Puts a child that has not run yet in the waiter's job, then in a job of its own.
     *
     * @return the child's own job, to {@link #release} when the child is closed
     * @throws IllegalStateException after {@link #close()}; MultiWaitException naming the failed call
     */
    public synchronized JobObject place(long process, int pid) {
        if (closed) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        if (all == null) {
            all = JobObject.create(win32, JobObject.KILL_ON_CLOSE);
        }
        all.assign(process, pid);
        JobObject tree = JobObject.create(win32, 0);
        try {
            tree.assign(process, pid);
        } catch (RuntimeException e) {
            tree.close();
            throw e;
        }
        trees.add(tree);
        return tree;
    }

    /** Closes a child's own job; its processes keep running in the waiter's job. */
    public synchronized void release(JobObject tree) {
        if (tree != null && trees.remove(tree)) {
            tree.close();
        }
    }

    /** Ends every child and descendant (closing the waiter's job) and closes every job handle. */
    public synchronized void close() {
        closed = true;
        if (all != null) {
            all.close();
        }
        trees.forEach(JobObject::close);
        trees.clear();
    }
}
