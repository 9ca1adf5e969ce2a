package dev.multiwait.internal;

/** Whatever owns a completion key: an attached stream, or one bridged wait. */
public abstract class PortEntry implements KeyTable.Keyed {
    private long key;

    @Override
    public final long key() {
        return key;
    }

    @Override
    public final void assignKey(long key) {
        this.key = key;
    }

    /** A packet carrying this entry's key, on the loop thread. {@code overlapped} is 0 for posted packets. */
    public abstract void onPacket(long overlapped, int bytes);

    /** A wait bridge's callback is about to post this entry's key (wait-pool thread). */
    public void aboutToPost() {
    }

    /**
     * A wait bridge fired for this entry but could not post its packet: no packet will come. Loop
     * thread, through the task queue.
     */
    public void postFailed(dev.multiwait.MultiWaitException failure) {
    }

    /** Close (the loop's, or a relay's teardown): cancel everything this entry has pending; it ends once idle. */
    public abstract void cancelForClose();

    /**
     * Loop shutdown gave up waiting for this entry's packets: end what is left, handing native
     * memory the kernel may still write to {@link NativeOp}'s abandoned list instead of freeing it.
     */
    public void abandonAtClose() {
        cancelForClose();
    }
}
