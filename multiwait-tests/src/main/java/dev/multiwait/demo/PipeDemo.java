package dev.multiwait.demo;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;
import dev.multiwait.StreamHandle;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * In-process pipes and events at scale: pipe pairs (both ends on the waiter) each carrying a seeded
 * payload whose CRC32 is checked at the other end, plus events signalled from another thread.
 */
final class PipeDemo {

    /** Per stream: what arrived and whether it checks out. */
    private static final class Sink implements ReadListener {
        final CRC32 crc = new CRC32();
        long received;
        CloseReason end;

        @Override
        public void onData(ByteBuffer data) {
            received += data.remaining();
            crc.update(data);
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            end = reason;
        }
    }

    boolean pump(int streams, int bytes, int events) {
        long start = System.nanoTime();
        List<Sink> sinks = new ArrayList<>();
        long[] expected = new long[streams];
        int[] signalled = new int[1];
        List<WinNT.HANDLE> eventHandles = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            for (int i = 0; i < streams; i++) {
                byte[] payload = new byte[bytes];
                new Random(i).nextBytes(payload);
                CRC32 c = new CRC32();
                c.update(payload);
                expected[i] = c.getValue();
                OverlappedPipe.Pair pair = OverlappedPipe.create();
                Sink sink = new Sink();
                sinks.add(sink);
                wait.attach(pair.server()).read(64 * 1024, sink);
                StreamHandle client = wait.attach(pair.client());
                client.write(ByteBuffer.wrap(payload), (n, err) -> client.close());
            }
            for (int i = 0; i < events; i++) {
                WinNT.HANDLE ev = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
                eventHandles.add(ev);
                wait.watch(Handles.raw(ev), false, () -> signalled[0]++);
            }
            Thread signaller = new Thread(() -> eventHandles.forEach(Kernel32.INSTANCE::SetEvent), "signaller");
            signaller.start();
            System.out.printf("demo: %d pipe streams x %d bytes + %d events on one completion port, one thread%n",
                    streams, bytes, events);
            long lastPrint = System.nanoTime();
            long lastCompletions = 0;
            long completions = 0;
            while (wait.registrationCount() > 0) {
                completions += wait.runOnce(Duration.ofMillis(250));
                long now = System.nanoTime();
                if (now - lastPrint >= 1_000_000_000L) {
                    long open = sinks.stream().filter(s -> s.end == null).count();
                    long moved = sinks.stream().mapToLong(s -> s.received).sum();
                    System.out.printf("progress: streams open %d, bytes %d, events %d/%d, completions/s %.0f%n",
                            open, moved, signalled[0], events, (completions - lastCompletions) * 1e9 / (now - lastPrint));
                    lastPrint = now;
                    lastCompletions = completions;
                }
            }
            joinQuietly(signaller);
        } finally {
            eventHandles.forEach(Kernel32.INSTANCE::CloseHandle);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int ok = 0;
        long total = 0;
        for (int i = 0; i < streams; i++) {
            Sink s = sinks.get(i);
            total += s.received;
            boolean good = s.end == CloseReason.COMPLETED && s.received == bytes && s.crc.getValue() == expected[i];
            if (good) {
                ok++;
            } else {
                System.out.printf("stream %d: BAD (%s, %d bytes, crc %08x expected %08x)%n",
                        i, s.end, s.received, s.crc.getValue(), expected[i]);
            }
        }
        System.out.printf("summary: streams=%d checksum_ok=%d events=%d/%d bytes=%d seconds=%.2f MB/s=%.1f dispatch_threads=1%n",
                streams, ok, signalled[0], events, total, seconds, total / seconds / 1e6);
        return ok == streams && signalled[0] == events;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
