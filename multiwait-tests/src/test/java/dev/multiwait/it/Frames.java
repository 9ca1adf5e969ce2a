package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.ReadListener;
import dev.multiwait.StreamHandle;

import java.nio.ByteBuffer;

/** Endpoints for relay tests: a windowed frame sender and a frame-checking reader. Loop thread only. */
final class Frames {
    private Frames() {
    }

    /** Sends frames 0..count-1 with up to {@code window} writes in flight; pauses at {@link #pauseAt} until resumed. */
    static final class Sender {
        private static final int WINDOW = 4;
        final StreamHandle out;
        final int count;
        final int payload;
        final long seed;
        volatile int sent;
        int pauseAt = -1;
        private int next;
        private int inFlight;
        private boolean finished;
        volatile MultiWaitException error;
        Runnable onDone = () -> { };

        Sender(StreamHandle out, int count, int payload, long seed) {
            this.out = out;
            this.count = count;
            this.payload = payload;
            this.seed = seed;
        }

        void start() {
            pump();
        }

        void resume() {
            pauseAt = -1;
            pump();
        }

        private void pump() {
            while (error == null && inFlight < WINDOW && next < count && next != pauseAt) {
                byte[] f = Net.frame(next++, payload, seed);
                inFlight++;
                out.write(ByteBuffer.wrap(f), (n, e) -> {
                    inFlight--;
                    if (e != null) {
                        if (error == null) {
                            error = e;
                        }
                        return;
                    }
                    sent++;
                    pump();
                });
            }
            if (!finished && inFlight == 0 && next == count && error == null) {
                finished = true;
                onDone.run();
            }
        }
    }

    /** Reads frames and checks them; remembers how the read ended. */
    static final class Receiver implements ReadListener {
        final Net.FrameChecker checker;
        volatile CloseReason reason;
        volatile Exception error;
        Runnable onEnd = () -> { };
        Runnable onFrame = () -> { };

        Receiver(String name) {
            this.checker = new Net.FrameChecker(name);
        }

        @Override
        public void onData(ByteBuffer data) {
            int before = checker.frames;
            checker.accept(data);
            if (checker.frames != before) {
                onFrame.run();
            }
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
            onEnd.run();
        }

        int frames() {
            return checker.frames;
        }
    }

    static int frameBytes(int payload) {
        return Net.HEADER + payload + Net.TRAILER;
    }
}
