package dev.multiwait.internal;

import dev.multiwait.CloseListener;
import dev.multiwait.CloseReason;
import dev.multiwait.Registration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lifecycle shared by every registration: counted live from creation until {@link #finish}, which
 * runs once, releases resources and tells the listener. A listener that throws is reported and
 * ends its own registration as FAILED; the loop goes on.
 */
public abstract class RegistrationBase implements Registration {
    /** The registration whose listener runs on this thread (the loop's), for {@link Registration#current()}. */
    private static final ThreadLocal<Registration> CURRENT = new ThreadLocal<>();
    protected final EventLoop loop;
    private final CloseListener closeListener;
    private volatile boolean active = true;
    /** Set on the loop thread once cancel was asked for (by the user, close, or a throwing listener). */
    protected boolean cancelRequested;
    private Throwable listenerFailure;
    private final AtomicReference<Object> attachment = new AtomicReference<>();

    protected RegistrationBase(EventLoop loop, CloseListener closeListener) {
        this.loop = loop;
        this.closeListener = closeListener;
        loop.opened();
    }

    @Override
    public final void cancel() {
        loop.executeUnlessClosed(this::requestCancel);
    }

    @Override
    public final boolean isActive() {
        return active;
    }

    @Override
    public final Object attach(Object newAttachment) {
        return attachment.getAndSet(newAttachment);
    }

    @Override
    public final Object attachment() {
        return attachment.get();
    }

    /** On the loop thread. */
    final void requestCancel() {
        if (!active || cancelRequested) {
            return;
        }
        cancelRequested = true;
        onCancel();
    }

    /** Loop shutdown gave up on this registration's packet: end it now (release() keeps pending memory). */
    public final void abandonAtClose() {
        finish(CloseReason.CANCELLED, null);
    }

    /**
     * The call that created this registration failed before handing it to the loop (the loop was
     * closed, or could not be woken): nothing was issued. Frees it, uncounted and without telling
     * the listener (the caller gets the exception instead). Caller's thread.
     */
    final void discardUnstarted() {
        if (!active) {
            return;
        }
        active = false;
        try {
            releaseUnstarted();
        } finally {
            loop.closedOne();
        }
    }

    /** What {@link #discardUnstarted} frees: by default {@link #release}. */
    protected void releaseUnstarted() {
        release();
    }

    /** Stops pending work; must eventually lead to {@link #finish}. Loop thread. */
    protected abstract void onCancel();

    /** Frees what the registration holds; called once, before the listener hears of the end. */
    protected abstract void release();

    public static Registration current() {
        return CURRENT.get();
    }

    /** Runs a listener call; if it throws, reports it and cancels this registration. */
    protected final boolean deliver(Runnable listenerCall) {
        Registration outer = CURRENT.get();
        CURRENT.set(this);
        try {
            listenerCall.run();
            return true;
        } catch (Throwable t) {
            loop.reportCallbackError(this, t);
            if (listenerFailure == null) {
                listenerFailure = t;
            }
            requestCancel();
            return false;
        } finally {
            CURRENT.set(outer);
        }
    }

    protected final void finish(CloseReason reason, Exception error) {
        if (!active) {
            return;
        }
        active = false;
        try {
            release();
        } finally {
            loop.closedOne();
        }
        if (listenerFailure != null) {
            reason = CloseReason.FAILED;
            error = listenerFailure instanceof Exception ? (Exception) listenerFailure : new RuntimeException(listenerFailure);
        }
        CloseReason r = reason;
        Exception e = error;
        Registration outer = CURRENT.get();
        CURRENT.set(this);
        try {
            tellClosed(r, e);
        } catch (Throwable t) {
            loop.reportCallbackError(this, t);
        } finally {
            CURRENT.set(outer);
        }
    }

    /** Tells the listener how it ended; a relay adds its byte counts. */
    protected void tellClosed(CloseReason reason, Exception error) {
        closeListener.onClose(reason, error);
    }
}
