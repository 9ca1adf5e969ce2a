package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;

/**
 * One Win32 job object. Every process a job member starts joins the job too, so terminating or
 * closing the job (with {@link #KILL_ON_CLOSE}) ends a whole tree. A process may join several jobs:
 * since Windows 8 (and under Wine 8, measured) the later job nests inside the earlier one.
 */
public final class JobObject {
    /** JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: closing the last handle ends every process in the job. */
    public static final int KILL_ON_CLOSE = 0x2000;
    private static final int JOB_OBJECT_BASIC_ACCOUNTING_INFORMATION = 1;
    private static final int JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9;
    /** JOBOBJECT_EXTENDED_LIMIT_INFORMATION on x64; LimitFlags is at offset 16. */
    private static final int EXTENDED_LIMIT_SIZE = 144;
    private static final int LIMIT_FLAGS = 16;
    /** JOBOBJECT_BASIC_ACCOUNTING_INFORMATION: 48 bytes; ActiveProcesses is at offset 40. */
    private static final int ACCOUNTING_SIZE = 48;
    private static final int ACTIVE_PROCESSES = 40;

    private final Win32 win32;
    private long handle;

    private JobObject(Win32 win32, long handle) {
        this.win32 = win32;
        this.handle = handle;
    }

    /** A new unnamed job with {@code limitFlags} (0 for none). @throws MultiWaitException; nothing stays open */
    public static JobObject create(Win32 win32, int limitFlags) {
        long job = win32.createJobObject();
        if (job == 0) {
            throw new MultiWaitException("CreateJobObjectW", 0, win32.lastError(), null);
        }
        if (limitFlags != 0) {
            try (Memory limits = new Memory(EXTENDED_LIMIT_SIZE)) {
                limits.clear();
                limits.setInt(LIMIT_FLAGS, limitFlags);
                if (!win32.setInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                        Pointer.nativeValue(limits), EXTENDED_LIMIT_SIZE)) {
                    int error = win32.lastError();
                    win32.closeHandle(job);
                    throw new MultiWaitException("SetInformationJobObject(limits 0x" + Integer.toHexString(limitFlags)
                            + ")", job, error, null);
                }
            }
        }
        return new JobObject(win32, job);
    }

    /** Puts {@code process} (best still suspended, before it can start anything) in this job. */
    public synchronized void assign(long process, int pid) {
        if (!win32.assignProcessToJobObject(open(), process)) {
            throw new MultiWaitException("AssignProcessToJobObject(pid " + pid + ")", handle, win32.lastError(), null);
        }
    }

    /** Processes in the job still running. */
    public synchronized int activeProcesses() {
        try (Memory info = new Memory(ACCOUNTING_SIZE)) {
            if (!win32.queryInformationJobObject(open(), JOB_OBJECT_BASIC_ACCOUNTING_INFORMATION,
                    Pointer.nativeValue(info), ACCOUNTING_SIZE, 0)) {
                throw new MultiWaitException("QueryInformationJobObject(accounting)", handle, win32.lastError(), null);
            }
            return info.getInt(ACTIVE_PROCESSES);
        }
    }

    /** TerminateJobObject: ends every process in the job (and in jobs nested in it). */
    public synchronized void terminate(int exitCode) {
        if (!win32.terminateJobObject(open(), exitCode)) {
            throw new MultiWaitException("TerminateJobObject", handle, win32.lastError(), null);
        }
    }

    public synchronized boolean isClosed() {
        return handle == 0;
    }

    /** Closes the handle once; with {@link #KILL_ON_CLOSE} (and no other handle) that ends the job's processes. */
    public synchronized void close() {
        if (handle != 0) {
            win32.closeHandle(handle);
            handle = 0;
        }
    }

    private long open() {
        if (handle == 0) {
            throw new IllegalStateException("job object is closed");
        }
        return handle;
    }
}
