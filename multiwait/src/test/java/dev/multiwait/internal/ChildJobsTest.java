package dev.multiwait.internal;

import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The job bookkeeping of one waiter, on a mocked kernel: which job a child joins, which handle closes when. */
class ChildJobsTest {
    private static final long ALL = 0x100;
    private static final long TREE = 0x200;
    private static final long PROCESS = 0x300;

    private static Win32 kernel() {
        Win32 w = mock(Win32.class);
        when(w.createJobObject()).thenReturn(ALL, TREE, TREE + 4, TREE + 8);
        when(w.setInformationJobObject(anyLong(), anyInt(), anyLong(), anyInt())).thenReturn(true);
        when(w.assignProcessToJobObject(anyLong(), anyLong())).thenReturn(true);
        return w;
    }

    @Test
    void theWaitersJobIsMadeOnceWithKillOnCloseAndEachChildGetsItsOwn() {
        Win32 w = kernel();
        ChildJobs jobs = new ChildJobs(w);
        jobs.place(PROCESS, 1, null);
        jobs.place(PROCESS + 4, 2, null);
        verify(w, times(3)).createJobObject();
        verify(w, times(1)).setInformationJobObject(eq(ALL), eq(9), anyLong(), eq(144)); // only the waiter's job has limits
        verify(w).assignProcessToJobObject(ALL, PROCESS);
        verify(w).assignProcessToJobObject(TREE, PROCESS);
        verify(w).assignProcessToJobObject(TREE + 4, PROCESS + 4);
    }

    @Test
    void aChildJoinsTheWaitersJobBeforeItsOwnSoItsOwnNestsInside() {
        Win32 w = kernel();
        new ChildJobs(w).place(PROCESS, 1, null);
        var order = org.mockito.Mockito.inOrder(w);
        order.verify(w).assignProcessToJobObject(ALL, PROCESS);
        order.verify(w).assignProcessToJobObject(TREE, PROCESS);
    }

    @Test
    void closeClosesEveryJobOnceAndRefusesLaterChildren() {
        Win32 w = kernel();
        ChildJobs jobs = new ChildJobs(w);
        JobObject first = jobs.place(PROCESS, 1, null);
        jobs.place(PROCESS + 4, 2, null);
        jobs.release(first);
        verify(w).closeHandle(TREE);
        jobs.close();
        jobs.close();
        jobs.release(first);
        verify(w, times(1)).closeHandle(ALL);
        verify(w, times(1)).closeHandle(TREE);
        verify(w, times(1)).closeHandle(TREE + 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> jobs.place(PROCESS + 8, 3, null));
        assertTrue(e.getMessage().contains("closed"));
        assertTrue(first.isClosed());
    }

    @Test
    void aChildsOwnJobThatCannotBeJoinedIsClosedAndTheWaitersJobStays() {
        Win32 w = kernel();
        when(w.assignProcessToJobObject(TREE, PROCESS)).thenReturn(false);
        when(w.lastError()).thenReturn(5);
        ChildJobs jobs = new ChildJobs(w);
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> jobs.place(PROCESS, 7, null));
        assertEquals(5, e.win32Error());
        assertTrue(e.getMessage().startsWith("AssignProcessToJobObject(pid 7)"), e.getMessage());
        verify(w).closeHandle(TREE);
        verify(w, never()).closeHandle(ALL);
    }

    @Test
    void aLimitThatCannotBeSetClosesTheNewJob() {
        Win32 w = kernel();
        when(w.setInformationJobObject(anyLong(), anyInt(), anyLong(), anyInt())).thenReturn(false);
        when(w.lastError()).thenReturn(87);
        MultiWaitException e = assertThrows(MultiWaitException.class, () -> new ChildJobs(w).place(PROCESS, 1, null));
        assertEquals(87, e.win32Error());
        verify(w).closeHandle(ALL);
    }

    @Test
    void aGroupsChildJoinsTheWaitersJobThenTheGroupsThenItsOwn() {
        Win32 w = kernel();
        ChildJobs jobs = new ChildJobs(w);
        JobObject group = jobs.newGroup(); // ALL's value: the first job made
        jobs.place(PROCESS, 1, group);
        var order = org.mockito.Mockito.inOrder(w);
        order.verify(w).assignProcessToJobObject(TREE, PROCESS); // the waiter's job, made second
        order.verify(w).assignProcessToJobObject(ALL, PROCESS);  // the group's
        order.verify(w).assignProcessToJobObject(TREE + 4, PROCESS); // the child's own
        verify(w, times(2)).setInformationJobObject(anyLong(), eq(9), anyLong(), eq(144)); // group and waiter: kill on close
        jobs.closeGroup(group);
        jobs.closeGroup(group);
        verify(w, times(1)).closeHandle(ALL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> jobs.place(PROCESS + 4, 2, group));
        assertTrue(e.getMessage().contains("group is closed"), e.getMessage());
        jobs.close();
        verify(w, times(1)).closeHandle(ALL);
    }
}
