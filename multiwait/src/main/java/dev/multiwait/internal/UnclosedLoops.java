package dev.multiwait.internal;

import java.lang.ref.Cleaner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every loop strongly reachable from its waiter's creation until its close: a waiter dropped
 * without close() then leaks (port, registrations, native blocks, bridge callbacks) instead of letting
 * the garbage collector free, through JNA's Memory cleaner, OVERLAPPEDs and buffers the kernel still
 * owns, or wait callbacks the wait pool may still call. Such a drop is logged once the waiter is gone.
 */
public final class UnclosedLoops {
    private static final Set<EventLoop> HELD = ConcurrentHashMap.newKeySet();
    private static final Cleaner WATCH = Cleaner.create();
    private static final System.Logger LOG = System.getLogger("dev.multiwait");

    private UnclosedLoops() {
    }

    /** Holds {@code loop} until {@link #release}; logs if {@code waiter} becomes unreachable first. */
    public static void hold(Object waiter, EventLoop loop) {
        HELD.add(loop);
        WATCH.register(waiter, () -> {
            if (HELD.contains(loop)) {
                LOG.log(System.Logger.Level.WARNING, "a MultiHandleWait was dropped without close(): its port, "
                        + loop.liveCount() + " registrations and their native memory are kept for the JVM's life");
            }
        });
    }

    /** The loop is closed: what it held was drained, or abandoned to the keep-forever lists. */
    public static void release(EventLoop loop) {
        HELD.remove(loop);
    }

    static boolean holds(EventLoop loop) {
        return HELD.contains(loop);
    }
}
