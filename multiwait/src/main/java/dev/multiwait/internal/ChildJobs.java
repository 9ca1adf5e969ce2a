package dev.multiwait.internal;

import dev.multiwait.win32.Win32;

import java.util.HashSet;
import java.util.Set;

/**
 * The job objects of one waiter's children: one job for all of them, created on the first child,
 * with {@link JobObject#KILL_ON_CLOSE}, so closing the waiter, or this process dying (Windows closes
 * its handles), ends every child and descendant; and one job per child, nested inside it, for
 * killing that child's tree alone. A user's group of children has a job too (kill on close),
 * between the two.
 */
public final class ChildJobs {
    private final Win32 win32;
    private final Set<JobObject> trees = new HashSet<>();
    private final Set<JobObject> groups = new HashSet<>();
    private JobObject all;
    private boolean closed;

    public ChildJobs(Win32 win32) {
        this.win32 = win32;
    }

    /** A job for a group of children (kill on close), nested in the waiter's job by its first child. */
    public synchronized JobObject newGroup() {
        checkOpen();
        JobObject group = JobObject.create(win32, JobObject.KILL_ON_CLOSE);
        groups.add(group);
        return group;
    }

    /** Ends every process in the group (closing its job). */
    public synchronized void closeGroup(JobObject group) {
        if (groups.remove(group)) {
            group.close();
        }
    }

    /**
     * Puts a child that has not run yet in the waiter's job, then in {@code group}'s (if not null),
     * then in a job of its own.
     *
     * @return the child's own job, to {@link #release} when the child is closed
     * @throws IllegalStateException after {@link #close()} or the group's close; MultiWaitException naming the failed call
     */
    public synchronized JobObject place(long process, int pid, JobObject group) {
        checkOpen();
        if (group != null && group.isClosed()) {
            throw new IllegalStateException("the child group is closed");
        }
        if (all == null) {
            all = JobObject.create(win32, JobObject.KILL_ON_CLOSE);
        }
        all.assign(process, pid);
        if (group != null) {
            group.assign(process, pid);
        }
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
        groups.forEach(JobObject::close);
        groups.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
    }
}
