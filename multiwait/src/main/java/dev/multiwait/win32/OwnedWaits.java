package dev.multiwait.win32;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RegisterWaitForSingleObject(WT_EXECUTEONLYONCE) and UnregisterWaitEx(INVALID_HANDLE_VALUE) on
 * threads this library owns instead of the system's wait pool: Java threads, each waiting with
 * WaitForMultipleObjects on its wake event and up to 63 handles (as the JDK's selector does). The
 * pool would run the callback on threads it creates and retires at will; a pool thread attached
 * to the JVM deadlocks it when the pool retires it (JNA #1479), and detaching after every callback
 * cut the signal rate about eight-fold (BENCHMARKS.md). Threads are made as needed and kept for
 * the JVM's life (daemon): peak watches / 63 of them.
 */
final class OwnedWaits {
    static final OwnedWaits INSTANCE = new OwnedWaits();
    private static final int PER_THREAD = 63;
    private static final int WAIT_ABANDONED_0 = 0x80;
    private static final int WAIT_FAILED = -1;
    private static final System.Logger LOG = System.getLogger("dev.multiwait");

    private final List<Group> groups = new ArrayList<>();
    private final Map<Long, Wait> waits = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(0x1000);

    private static final int ARMED = 0;
    private static final int FIRING = 1;
    private static final int DONE = 2;

    /** {@code state}: ARMED until signalled, FIRING while its callback runs, then DONE. */
    private record Wait(long id, long handle, Win32.WaitCallback callback, long context, Group group, AtomicInteger state) {
    }

    private OwnedWaits() {
    }

    /** As RegisterWaitForSingleObject(.., INFINITE, WT_EXECUTEONLYONCE): false (error in GetLastError) if no thread could be made. */
    boolean register(long waitOut, long handle, Win32.WaitCallback callback, long context) {
        Group group = reserve();
        if (group == null) {
            return false;
        }
        Wait w = new Wait(nextId.getAndIncrement(), handle, callback, context, group, new AtomicInteger(ARMED));
        waits.put(w.id(), w);
        new Pointer(waitOut).setLong(0, w.id());
        group.submit(() -> group.arm(w));
        return true;
    }

    /** As UnregisterWaitEx(wait, INVALID_HANDLE_VALUE): once it returns, the wait is gone and its callback not running. */
    boolean unregister(long id) {
        Wait w = waits.remove(id);
        if (w == null) {
            Native.setLastError(Win32Errors.ERROR_INVALID_HANDLE);
            return false;
        }
        Group group = w.group();
        if (w.state().get() != ARMED && Thread.currentThread() != group) {
            // fired: nothing waits on it any more; its callback has posted and is returning (no round trip)
            while (w.state().get() != DONE) {
                Thread.yield();
            }
        } else if (Thread.currentThread() == group) {
            group.disarm(w); // from its own callback: nothing else runs there
        } else {
            CountDownLatch done = new CountDownLatch(1);
            group.submit(() -> {
                group.disarm(w);
                done.countDown();
            });
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            group.reserved--;
        }
        return true;
    }

    private synchronized Group reserve() {
        for (Group g : groups) {
            if (g.reserved < PER_THREAD) {
                g.reserved++;
                return g;
            }
        }
        long wake = Kernel32Direct.CreateEventW(0, false, false, 0);
        if (wake == 0) {
            return null;
        }
        long never = Kernel32Direct.CreateEventW(0, true, false, 0);
        if (never == 0) {
            int error = Native.getLastError();
            Kernel32Direct.CloseHandle(wake);
            Native.setLastError(error);
            return null;
        }
        Group g = new Group(wake, never, groups.size());
        try {
            g.start();
        } catch (Throwable noThread) {
            Kernel32Direct.CloseHandle(wake);
            Kernel32Direct.CloseHandle(never);
            throw noThread;
        }
        groups.add(g);
        g.reserved++;
        return g;
    }

    /** One thread, its wake event and up to 63 armed waits, kept in arming order (fair: the oldest wins ties). */
    private static final class Group extends Thread {
        /** Waits assigned to this thread (armed or fired, not yet unregistered); guarded by OwnedWaits. */
        int reserved;
        private final long wake;
        private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
        private final Wait[] armed = new Wait[PER_THREAD];
        private int count;
        private final Memory handles = new Memory(8L * (PER_THREAD + 1));
        /** A manual-reset event never set: waiting for it and a handle together cannot succeed, so it takes nothing from the handle. */
        private final long never;
        private final Memory probe = new Memory(16);

        Group(long wake, long never, int index) {
            super("multiwait-wait-" + index);
            setDaemon(true);
            this.wake = wake;
            this.never = never;
        }

        /**
         * Whether the handle can still be waited on, without consuming its signal: WaitForSingleObject
         * would reset an auto-reset event or timer, take a semaphore count or a mutex, and its watch
         * would then miss that signal. Waiting for all of {handle, never} validates the handle and
         * its SYNCHRONIZE access but cannot be satisfied, so it changes no state.
         */
        boolean canWaitOn(long handle) {
            probe.setLong(0, handle);
            probe.setLong(8, never);
            return Kernel32Direct.WaitForMultipleObjects(2, Pointer.nativeValue(probe), true, 0) != WAIT_FAILED;
        }

        void submit(Runnable request) {
            requests.add(request);
            Kernel32Direct.SetEvent(wake);
        }

        void arm(Wait w) {
            armed[count++] = w;
        }

        void disarm(Wait w) {
            for (int i = 0; i < count; i++) {
                if (armed[i] == w) {
                    removeAt(i);
                    return;
                }
            }
        }

        private Wait removeAt(int i) {
            Wait w = armed[i];
            System.arraycopy(armed, i + 1, armed, i, count - i - 1);
            armed[--count] = null;
            return w;
        }

        @Override
        public void run() {
            while (true) {
                for (Runnable r; (r = requests.poll()) != null; ) {
                    r.run();
                }
                handles.setLong(0, wake);
                for (int i = 0; i < count; i++) {
                    handles.setLong(8L * (i + 1), armed[i].handle());
                }
                int r = Kernel32Direct.WaitForMultipleObjects(count + 1, Pointer.nativeValue(handles), false, -1);
                if (r >= 1 && r <= count) {
                    fire(removeAt(r - 1));
                } else if (r >= WAIT_ABANDONED_0 + 1 && r <= WAIT_ABANDONED_0 + count) {
                    fire(removeAt(r - WAIT_ABANDONED_0 - 1)); // an abandoned mutex is signalled too
                } else if (r == WAIT_FAILED) {
                    dropClosedHandles();
                }
            }
        }

        private void fire(Wait w) {
            w.state().set(FIRING);
            try {
                w.callback().invoke(w.context(), (byte) 0);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "wait callback failed for handle 0x" + Long.toHexString(w.handle()), t);
            } finally {
                w.state().set(DONE);
            }
        }

        /**
         * A handle closed while watched (or without SYNCHRONIZE access) fails the whole
         * WaitForMultipleObjects: stop waiting on it (it never fires) so the others on this thread keep working.
         */
        private void dropClosedHandles() {
            int error = Native.getLastError();
            boolean dropped = false;
            for (int i = count - 1; i >= 0; i--) {
                if (!canWaitOn(armed[i].handle())) {
                    LOG.log(System.Logger.Level.ERROR, "handle 0x" + Long.toHexString(armed[i].handle())
                            + " can no longer be waited on (error " + Native.getLastError()
                            + ": closed while watched, or no SYNCHRONIZE access); its watch will never fire");
                    removeAt(i);
                    dropped = true;
                }
            }
            if (!dropped) {
                LOG.log(System.Logger.Level.ERROR, "WaitForMultipleObjects failed with error " + error + "; retrying in 10 ms");
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
