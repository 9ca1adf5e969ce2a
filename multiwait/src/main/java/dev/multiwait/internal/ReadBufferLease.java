package dev.multiwait.internal;

/**
 * Where a stream's reads land, and when they wait without a buffer (issue 15). Where a zero-byte read
 * can wait for data (sockets, byte pipes), an idle stream holds no buffer: a zero-byte read completes
 * when data is there, and the data is read into a block borrowed from the loop's pool, given back once
 * the listener has returned. A read that filled the block keeps it, and the next read goes straight into
 * it (more is likely waiting: a busy stream pays one call per chunk); a shorter read drained what was
 * there, so the stream waits with a zero-byte read again. Elsewhere (files, message pipes, or with
 * {@code -Ddev.multiwait.zeroByteReads=false}) the stream keeps one block for the read's life, as before.
 * Loop thread only.
 */
final class ReadBufferLease {
    static final boolean ENABLED = !"false".equals(System.getProperty("dev.multiwait.zeroByteReads"));
    private final ReadBufferPool pool;
    private final int capacity;
    private final boolean zeroReads;
    /** The block reads land in while this stream holds one; null while it waits with a zero-byte read. */
    private NativeOp block;
    /** A zero-byte read said data is there: the next read borrows a block. */
    private boolean dataWaiting;

    ReadBufferLease(ReadBufferPool pool, int capacity, boolean zeroReads) {
        this.pool = pool;
        this.capacity = capacity;
        this.zeroReads = zeroReads && ENABLED;
    }

    /**
     * The reader's own block: its OVERLAPPED and scratch, and (where no zero-byte read waits) the data
     * buffer too, held for the read's life, as before.
     */
    NativeOp ownBlock() {
        if (zeroReads) {
            return new NativeOp(0, HandleKind.IO_SCRATCH);
        }
        block = new NativeOp(capacity, HandleKind.IO_SCRATCH);
        return block;
    }

    int capacity() {
        return capacity;
    }

    /** The next read is a zero-byte read (no block held, no data known to be there). */
    boolean waitWithZeroRead() {
        return zeroReads && block == null && !dataWaiting;
    }

    void dataArrived() {
        dataWaiting = true;
    }

    /** The block the next read fills: held, or borrowed now. */
    NativeOp block() {
        if (block == null) {
            block = pool.borrow(capacity);
        }
        dataWaiting = false;
        return block;
    }

    /** A read into the block finished and its listener returned: a short read gives the block back. */
    void afterRead(int bytes) {
        if (zeroReads && bytes < capacity && block != null) {
            pool.giveBack(block);
            block = null;
        }
    }

    /** The read ends: a borrowed block goes back. {@code kernelMayWrite}: its last call's packet never came, so the block is kept, never reused. */
    void release(boolean kernelMayWrite) {
        if (block == null || !zeroReads) {
            return; // the reader's own block: it frees (or keeps) that one
        }
        if (kernelMayWrite) {
            block.keepForever();
        } else {
            pool.giveBack(block);
        }
        block = null;
    }
}
