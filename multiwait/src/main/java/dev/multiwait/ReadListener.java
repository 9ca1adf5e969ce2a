package dev.multiwait;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

/** Receives what a stream read delivers, on the loop thread. */
@FunctionalInterface
public interface ReadListener extends CloseListener {
    /**
     * Bytes just read. {@code data} views the library's native buffer: it is valid only during this
     * call (the next read into it is issued after the call returns); copy what you keep.
     *
     * @param data the bytes, from position to limit
     */
    void onData(ByteBuffer data);

    @Override
    default void onClose(CloseReason reason, Exception error) {
    }

    /**
     * A listener that writes everything read to {@code sink} and then tells {@code onClose}.
     *
     * @param sink    where the bytes go, written on the loop thread
     * @param onClose told how the read ended
     * @return the listener
     */
    static ReadListener to(WritableByteChannel sink, CloseListener onClose) {
        return new ReadListener() {
            @Override
            public void onData(ByteBuffer data) {
                try {
                    while (data.hasRemaining()) {
                        sink.write(data);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }

    /**
     * As {@link #to(WritableByteChannel, CloseListener)}, for an {@link OutputStream}.
     *
     * @param sink    where the bytes go, written on the loop thread
     * @param onClose told how the read ended
     * @return the listener
     */
    static ReadListener to(OutputStream sink, CloseListener onClose) {
        return to(Channels.newChannel(sink), onClose);
    }

    /**
     * {@code onData} told what was read and {@code onClose} told how the registration ended, both on the loop thread: two lambdas.
     * {@link Registration#current()} in either gives the registration.
     *
     * @param onData the main callback, as a lambda
     * @param onClose told how the registration ended
     * @return the listener
     */
    static ReadListener of(ReadListener onData, CloseListener onClose) {
        java.util.Objects.requireNonNull(onData, "onData");
        java.util.Objects.requireNonNull(onClose, "onClose");
        return new ReadListener() {
            @Override
            public void onData(ByteBuffer data) {
                onData.onData(data);
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                onClose.onClose(reason, error);
            }
        };
    }
}
