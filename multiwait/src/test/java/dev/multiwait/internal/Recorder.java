package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.ReadListener;
import dev.multiwait.StreamHandle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records what a read or connect listener hears, in order, with the thread it heard it on. */
class Recorder implements ReadListener, ConnectListener {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    volatile CloseReason reason;
    volatile Exception error;
    volatile int closes;

    @Override
    public void onData(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        threads.add(Thread.currentThread());
        events.add("data:" + new String(b, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void onConnected(StreamHandle pipe) {
        threads.add(Thread.currentThread());
        events.add("connected:0x" + Long.toHexString(pipe.handle()));
    }

    @Override
    public void onClose(CloseReason reason, Exception error) {
        threads.add(Thread.currentThread());
        events.add("close:" + reason);
        this.reason = reason;
        this.error = error;
        closes++;
    }

    List<String> data() {
        synchronized (events) {
            return events.stream().filter(e -> e.startsWith("data:")).toList();
        }
    }
}
