package dev.multiwait.internal;

import com.sun.jna.Pointer;
import dev.multiwait.win32.Win32;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Launches from several threads overlap in CreateProcessW: each call's PROC_THREAD_ATTRIBUTE_HANDLE_LIST
 * names only its own ends, so one launch cannot inherit another's and no lock is needed between them.
 */
class ConcurrentLaunchTest {
    @Test
    void twoThreadsAreInsideCreateProcessAtOnceAndNoEndStaysInheritable() throws Exception {
        Win32 w = mock(Win32.class);
        when(w.initializeProcThreadAttributeList(anyLong(), anyInt(), anyLong())).thenAnswer(a -> {
            if ((long) a.getArgument(0) != 0) {
                return true;
            }
            new Pointer(a.getArgument(2)).setLong(0, 64); // the size query, answered as the real call does
            return false;
        });
        when(w.updateProcThreadAttribute(anyLong(), anyLong(), anyLong(), anyLong())).thenReturn(true);
        when(w.setHandleInformation(anyLong(), anyInt(), anyInt())).thenReturn(true);
        CountDownLatch bothInside = new CountDownLatch(2);
        when(w.createProcess(any(), any(), anyBoolean(), anyInt(), any(), any(), anyLong(), anyLong())).thenAnswer(a -> {
            bothInside.countDown();
            return bothInside.await(5, TimeUnit.SECONDS); // a lock around the call would keep the other thread out
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<ProcessLaunch.Started>> launches = List.of(
                    pool.submit(() -> ProcessLaunch.start(w, List.of("a.exe"), null, null, 11, 12, 13)),
                    pool.submit(() -> ProcessLaunch.start(w, List.of("b.exe"), null, null, 21, 22, 23)));
            for (Future<ProcessLaunch.Started> f : launches) {
                f.get(20, TimeUnit.SECONDS); // throws (CreateProcessW failed) if the calls were serialised
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(bothInside.getCount() == 0);
        for (long end : new long[] {11, 12, 13, 21, 22, 23}) {
            verify(w).setHandleInformation(end, 1, 1);
            verify(w).setHandleInformation(end, 1, 0);
        }
    }
}
