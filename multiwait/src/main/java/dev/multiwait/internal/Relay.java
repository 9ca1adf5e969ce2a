package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.RelayListener;
import dev.multiwait.StreamHandle;
import dev.multiwait.win32.Win32Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A full-duplex relay between two stream handles (sockets, pipes, duplex pairs), owning both.
 *
 * <p>Each direction ({@link Pump}) has a bounded ring buffer in native memory with at most one
 * read and one write in flight on it: the read appends at the tail into all the free space, the
 * write consumes from the head everything filled. Where that space wraps past the ring's end, a
 * socket's WSARecv/WSASend take both spans in one call; ReadFile/WriteFile take one buffer, so a
 * pipe reads or writes the span up to the end and the rest on the next call. While the ring
 * is full nothing is read (backpressure: the sender's own flow control takes over). When the
 * source ends cleanly and every byte is out, the sink is half-closed and that direction is done;
 * the other goes on. Both done: COMPLETED. Any error, cancel or close tears the whole relay down:
 * every in-flight operation is cancelled and its packet awaited before memory is freed and both
 * handles are closed. Loop thread only, except {@link #open}.
 */
public final class Relay extends RegistrationBase {
    public static final int MAX_BUFFER = 64 << 20;
    /** Rounds of at-once reads and writes one progress() call makes before yielding to the loop. */
    static final int SYNC_ROUNDS = 8;

    private final RelayListener listener;
    private final Pump ab;
    private final Pump ba;
    private final List<StreamEntry> entries = new ArrayList<>(4);
    private boolean started;
    private boolean stopping;
    private MultiWaitException failure;
    /** An idle timeout tore it down: it ends TIMED_OUT. */
    private boolean timedOut;

    /** One direction: source to sink through a ring. */
    final class Pump {
        final StreamEntry source;
        final StreamEntry sink;
        final StreamHandle from;
        final StreamHandle to;
        /** The read's OVERLAPPED and scratch, followed by the ring itself. */
        final NativeOp ring;
        /** The write's OVERLAPPED and scratch; it sends from {@link #ring}'s buffer. */
        final NativeOp writeOp;
        final int capacity;
        int head;
        int count;
        boolean reading;
        boolean writing;
        /** The source reached end of stream. */
        boolean eof;
        /** Every byte is out and the sink was half-closed. */
        boolean done;
        long moved;
        private long readOffset;
        private long writeOffset;

        Pump(StreamEntry source, StreamEntry sink, StreamHandle from, StreamHandle to, int capacity) {
            this.source = source;
            this.sink = sink;
            this.from = from;
            this.to = to;
            this.capacity = capacity;
            this.ring = new NativeOp(capacity, HandleKind.TWO_SPAN_SCRATCH);
            this.writeOp = new NativeOp(0, HandleKind.TWO_SPAN_SCRATCH);
        }

        /** This direction's reads, as an operation of its source. */
        final StreamOp readSide = new Side() {
            @Override
            public boolean onPacket(long overlapped, int bytes) {
                if (!reading || ring.overlapped != overlapped || !ring.isPending()) {
                    return false;
                }
                source.packetFor(ring, bytes, Pump.this::readDone);
                return true;
            }

            @Override
            public boolean busy() {
                return sourceActive();
            }
        };

        /** This direction's writes, as an operation of its sink. */
        final StreamOp writeSide = new Side() {
            @Override
            public boolean onPacket(long overlapped, int bytes) {
                if (!writing || writeOp.overlapped != overlapped || !writeOp.isPending()) {
                    return false;
                }
                sink.packetFor(writeOp, bytes, Pump.this::writeDone);
                return true;
            }

            @Override
            public boolean busy() {
                return sinkActive();
            }

            @Override
            public void writerIdle() {
                sinkReady();
            }
        };

        /** The source may still be read (or a read of it is on its way). */
        boolean sourceActive() {
            return reading || (!eof && !stopping && Relay.this.isActive());
        }

        /** The sink may still be written or half-closed by this direction. */
        boolean sinkActive() {
            return writing || (!done && !stopping && Relay.this.isActive());
        }

        boolean busy() {
            return reading || writing;
        }

        /** The sink's own write queue went idle: writes queued before the relay are out. */
        void sinkReady() {
            if (started) {
                progress();
            }
        }

        /** Issues a read if one may go; true if it finished at once and its result is already applied. */
        private boolean pumpRead() {
            if (reading || eof || stopping || count == capacity) {
                return false; // a full ring is the backpressure: the next write completion reads again
            }
            if (count == 0) {
                head = 0; // empty and (count > 0 while a write is in flight) no write pending: restart at 0
            }
            int tail = (head + count) % capacity;
            int room = tail >= head ? capacity - tail : head - tail;
            // free space that wraps past the end continues at 0: a socket reads into both spans at once
            int wrapped = tail >= head && source.kind.scatters() ? head : 0;
            reading = true;
            boolean ok = source.issueRead(ring, ring.buffer + tail, room, ring.buffer, wrapped, readOffset);
            if (ok && source.skipOnSuccess) {
                readApplied(0, ring.transferred());
                return true;
            }
            source.afterIssue(ring, ok, this::readDone);
            return false;
        }

        private void readDone(int error, int bytes) {
            readApplied(error, bytes);
            progress();
        }

        private void readApplied(int error, int bytes) {
            reading = false;
            if (bytes > 0) {
                // also after an abort: bytes already moved into the ring are the stream's
                count += bytes;
                readOffset += bytes;
            }
            if (source.isEndOfStream(error, bytes)) {
                eof = true;
            } else if (error != 0 && error != Win32Errors.ERROR_MORE_DATA && !stopping) {
                // 234: a message-mode source's message went on past the room: its bytes are in, read on
                fail(source.error(source.kind.readCall, error));
            }
        }

        /** Issues a write if one may go; true if it finished at once and its result is already applied. */
        private boolean pumpWrite() {
            if (writing || stopping || count == 0 || sink.busy(StreamOp.Role.WRITE)) {
                return false;
            }
            int length = Math.min(count, capacity - head);
            // filled bytes that wrap past the end continue at 0: a socket sends both spans at once
            int wrapped = sink.kind.scatters() ? count - length : 0;
            writing = true;
            boolean ok = sink.issueWrite(writeOp, ring.buffer + head, length, ring.buffer, wrapped, writeOffset);
            if (ok && sink.skipOnSuccess) {
                writeApplied(0, writeOp.transferred());
                return true;
            }
            sink.afterIssue(writeOp, ok, this::writeDone);
            return false;
        }

        private void writeDone(int error, int bytes) {
            writeApplied(error, bytes);
            progress();
        }

        private void writeApplied(int error, int bytes) {
            writing = false;
            if (bytes > 0) {
                head = (head + bytes) % capacity;
                count -= bytes;
                moved += bytes;
                writeOffset += bytes;
            }
            if (error != 0) {
                if (!stopping) {
                    fail(sink.error(sink.kind.writeCall, error));
                }
            } else if (bytes == 0 && !stopping) {
                fail(sink.error(sink.kind.writeCall + " wrote 0 bytes", Win32Errors.ERROR_NO_DATA));
            }
        }

        /**
         * Moves what can move, half-closes at the end, and lets the relay see whether it is over.
         * A read or write that finishes at once (skip-on-success) is applied on the spot, so the next
         * read sees the room a finished write freed (not half a ring); after {@value #SYNC_ROUNDS}
         * such rounds the rest waits for the loop's next turn, so a source that always has data
         * cannot starve the loop's other registrations.
         */
        void progress() {
            for (int round = 0; !stopping && isActive(); round++) {
                if (round == SYNC_ROUNDS) {
                    loop.later(this::progress);
                    return;
                }
                boolean wrote = pumpWrite();
                boolean read = pumpRead();
                if (!wrote && !read) {
                    break;
                }
            }
            if (!stopping && isActive() && eof && count == 0 && !writing && !done && !sink.busy(StreamOp.Role.WRITE)) {
                done = true;
                int error = sink.halfClose();
                if (error != 0) {
                    fail(sink.error("shutdown(SD_SEND)", error));
                } else {
                    deliver(() -> listener.onHalfClose(from, to, moved));
                }
            }
            checkEnd();
        }

        /** Teardown: abort whatever is pending; its packet still comes (and is awaited). */
        void cancelPending() {
            // a relay's teardown closes both handles anyway: if a cancel fails, closing aborts the operation
            if (reading && ring.isPending()) {
                source.cancelIo(ring, Relay.this, true);
            }
            if (writing && writeOp.isPending()) {
                sink.cancelIo(writeOp, Relay.this, true);
            }
        }

        @Override
        public String toString() {
            return "moved " + moved + ", buffered " + count + "/" + capacity + " at " + head
                    + (reading ? ", reading" : "") + (writing ? ", writing" : "") + (eof ? ", eof" : "")
                    + (done ? ", done" : "");
        }

        void releaseMemory() {
            if (writeOp.isPending()) {
                ring.markPending(); // the kernel may still read the ring for that write: keep it too
            }
            ring.release();
            writeOp.release();
        }
    }

    /** What both sides of a direction do for their stream's close: the whole relay goes. */
    private abstract class Side implements StreamOp {
        @Override
        public Role role() {
            return Role.RELAY;
        }

        @Override
        public void cancelForClose() {
            requestCancel();
        }

        @Override
        public void abandonAtClose() {
            Relay.this.abandonAtClose();
        }

        @Override
        public void idleTimedOut(MultiWaitException error) {
            if (!stopping && isActive()) {
                timedOut = true;
                fail(error);
            }
        }
    }

    private Relay(EventLoop loop, StreamHandle a, StreamHandle b, StreamEntry aIn, StreamEntry aOut, StreamEntry bIn,
                  StreamEntry bOut, int bufferSize, RelayListener listener) {
        super(loop, listener);
        this.listener = listener;
        this.ab = new Pump(aIn, bOut, a, b, bufferSize);
        this.ba = new Pump(bIn, aOut, b, a, bufferSize);
        for (StreamEntry e : new StreamEntry[] {aIn, aOut, bIn, bOut}) {
            if (!entries.contains(e)) {
                entries.add(e);
            }
        }
    }

    /** Validates and claims both handles on the caller's thread; the relay starts on the loop. */
    public static Relay open(EventLoop loop, StreamHandle a, StreamHandle b, int bufferSize, RelayListener listener) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(listener, "listener");
        if (bufferSize <= 0 || bufferSize > MAX_BUFFER) {
            throw new IllegalArgumentException("bufferSize must be 1.." + MAX_BUFFER + ": " + bufferSize);
        }
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        StreamEntry aIn = readSide(loop, a, "a");
        StreamEntry aOut = writeSide(loop, a, "a");
        StreamEntry bIn = readSide(loop, b, "b");
        StreamEntry bOut = writeSide(loop, b, "b");
        if (aIn == bIn || aIn == bOut || aOut == bIn || aOut == bOut) {
            throw new IllegalArgumentException("a relay needs two different streams: " + a + " and " + b + " share a handle");
        }
        List<StreamEntry> claimed = new ArrayList<>(4);
        try {
            claim(aIn, aOut, claimed);
            claim(bIn, bOut, claimed);
        } catch (RuntimeException e) {
            for (StreamEntry c : claimed) {
                c.unclaim();
            }
            throw e;
        }
        Relay r;
        try {
            r = new Relay(loop, a, b, aIn, aOut, bIn, bOut, bufferSize, listener);
        } catch (RuntimeException | Error e) {
            claimed.forEach(StreamEntry::unclaim);
            throw e;
        }
        loop.start(r::start, r::discardUnstarted);
        return r;
    }

    private static void claim(StreamEntry in, StreamEntry out, List<StreamEntry> claimed) {
        if (in == out) {
            in.claimForRelay(true, true);
            claimed.add(in);
        } else {
            in.claimForRelay(true, false);
            claimed.add(in);
            out.claimForRelay(false, true);
            claimed.add(out);
        }
    }

    private static StreamEntry readSide(EventLoop loop, StreamHandle h, String what) {
        return h instanceof DuplexStream ? StreamEntry.of(loop, ((DuplexStream) h).readSide, what) : StreamEntry.of(loop, h, what);
    }

    private static StreamEntry writeSide(EventLoop loop, StreamHandle h, String what) {
        return h instanceof DuplexStream ? StreamEntry.of(loop, ((DuplexStream) h).writeSide, what) : StreamEntry.of(loop, h, what);
    }

    private void start() {
        if (!isActive()) {
            return;
        }
        for (StreamEntry e : entries) {
            if (e.isHandleClosed() || e.isClosing()) {
                fail(new MultiWaitException("relay", e.handle, Win32Errors.ERROR_INVALID_HANDLE,
                        "the stream was closed before the relay started"));
                return;
            }
        }
        for (Pump p : new Pump[] {ab, ba}) {
            p.source.add(p.readSide);
            p.sink.add(p.writeSide);
        }
        started = true;
        ab.progress();
        ba.progress();
    }

    private void fail(MultiWaitException error) {
        if (failure == null) {
            failure = error;
        }
        stop();
    }

    private void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        ab.cancelPending();
        ba.cancelPending();
        checkEnd();
    }

    private void checkEnd() {
        if (!isActive()) {
            return;
        }
        if (stopping) {
            if (!ab.busy() && !ba.busy()) {
                finish(timedOut ? CloseReason.TIMED_OUT : failure != null ? CloseReason.FAILED : CloseReason.CANCELLED, failure);
            }
        } else if (ab.done && ba.done) {
            finish(CloseReason.COMPLETED, null);
        }
    }

    @Override
    protected void onCancel() {
        stop();
    }

    /** Every end reason carries the bytes written each way until then. */
    @Override
    protected void tellClosed(CloseReason reason, Exception error) {
        listener.onEnd(reason, error, ab.moved, ba.moved);
    }

    @Override
    protected void release() {
        stopping = true;
        for (Pump p : new Pump[] {ab, ba}) {
            p.source.remove(p.readSide);
            p.sink.remove(p.writeSide);
            p.releaseMemory();
        }
        // the relay owns both handles: they close once nothing is pending on them
        for (StreamEntry e : entries) {
            e.cancelForClose();
        }
    }

    @Override
    protected void releaseUnstarted() {
        ab.releaseMemory();
        ba.releaseMemory();
        for (StreamEntry e : entries) {
            e.unclaim();
        }
    }

    @Override
    public String toString() {
        return "relay " + ab.from + " <-> " + ab.to + " [a->b " + ab + "; b->a " + ba + "]";
    }
}
