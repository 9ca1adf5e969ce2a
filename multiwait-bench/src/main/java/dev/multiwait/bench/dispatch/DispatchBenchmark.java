package dev.multiwait.bench.dispatch;

import dev.multiwait.MultiHandleWait;
import dev.multiwait.internal.CompletionPort;
import dev.multiwait.internal.PacketBatch;
import dev.multiwait.internal.EventLoop;
import dev.multiwait.internal.IocpPort;
import dev.multiwait.internal.PortEntry;
import dev.multiwait.internal.AttachedStream;
import dev.multiwait.internal.StreamEntry;
import dev.multiwait.win32.Win32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 1: what one completion costs the loop, with 10 / 1,000 / 100,000 live registrations.
 * One benchmark invocation is one loop turn that dispatches one batch of {@link #BATCH} packets
 * (the library's default batch), so JMH's ns/op is ns per completion. Packets name uniformly
 * random live registrations (fixed seed), so the 100,000 case pays for the cache misses a big
 * table really has.
 *
 * <p>Variants ({@code path}):
 * <ul>
 *   <li>{@code loop}: the real {@link EventLoop} and {@link dev.multiwait.internal.KeyTable} fed by
 *       {@link ScriptedSource} through the {@link CompletionPort} interface; each packet goes to a
 *       minimal {@link PortEntry} (three subclasses, so the call is not monomorphic, as in a loop
 *       holding streams, bridges and sockets). This is the dispatch cost the target is about.</li>
 *   <li>{@code loop+iocpport}: as {@code loop}, but through the real {@link IocpPort}, decoding
 *       OVERLAPPED_ENTRYs that a fake GetQueuedCompletionStatusEx bulk-copies into its native array.</li>
 *   <li>{@code loop+stream}: the real read path: each registration is a {@link StreamEntry} with a
 *       {@code read(1024, listener)} active; a packet completes its read, the listener gets the
 *       ByteBuffer view, and the reader issues the next ReadFile (the fake kernel says pending).
 *       Includes two calls through the fake kernel's proxy ({@link FakeKernelCost} measures those).</li>
 *   <li>{@code alt-chm}: the Java alternative for the key map: the same source and entries,
 *       dispatched by a minimal loop that looks keys up in a {@code ConcurrentHashMap<Long, PortEntry>}.</li>
 *   <li>{@code floor-array}: a control, not a contender: the same source and entries, dispatched by a
 *       minimal loop indexing a plain {@code PortEntry[]} with no key check at all. What it costs at
 *       100,000 is what touching one random entry object per completion costs on this machine.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {
    public static final int BATCH = MultiHandleWait.DEFAULT_BATCH;
    /** Packets in the script: a multiple of BATCH, the same for every registration count. */
    static final int SCRIPT = 1 << 20;
    static final int READ_SIZE = 1024;
    private static final long HANDLE_BASE = 0x10000;

    @Param({"10", "1000", "100000"})
    public int registrations;

    @Param({"loop", "loop+iocpport", "loop+stream", "alt-chm", "floor-array"})
    public String path;

    private EventLoop loop;
    private MiniLoop mini;
    private Sink sink;
    private long completions;

    /** The bare entries: three classes so the loop's onPacket call site sees several receivers. */
    abstract static class CountingEntry extends PortEntry {
        long packets;
        long bytes;

        @Override
        public void cancelForClose() {
        }
    }

    static final class EntryA extends CountingEntry {
        @Override
        public void onPacket(long overlapped, int bytes) {
            packets++;
            this.bytes += bytes;
        }
    }

    static final class EntryB extends CountingEntry {
        @Override
        public void onPacket(long overlapped, int bytes) {
            packets++;
            this.bytes += bytes;
        }
    }

    static final class EntryC extends CountingEntry {
        @Override
        public void onPacket(long overlapped, int bytes) {
            packets++;
            this.bytes += bytes;
        }
    }

    static CountingEntry newEntry(int i) {
        switch (i % 3) {
            case 0:
                return new EntryA();
            case 1:
                return new EntryB();
            default:
                return new EntryC();
        }
    }

    /** The stream variant's listener: takes the view the loop hands it, as a real sink would. */
    static final class Sink implements dev.multiwait.ReadListener {
        long bytes;
        long calls;

        @Override
        public void onData(ByteBuffer data) {
            bytes += data.remaining();
            calls++;
        }
    }

    /** A stand-in loop for the alternative and the control. */
    interface MiniLoop {
        int turn();
    }

    /** The alternative: the smallest loop that dispatches through a ConcurrentHashMap. */
    static final class MapLoop implements MiniLoop {
        final ConcurrentHashMap<Long, PortEntry> map = new ConcurrentHashMap<>();
        final CompletionPort port;
        final PacketBatch batch = new PacketBatch(BATCH);

        MapLoop(CompletionPort port) {
            this.port = port;
        }

        @Override
        public int turn() {
            port.dequeue(batch, 0);
            int n = batch.count;
            int handled = 0;
            for (int i = 0; i < n; i++) {
                PortEntry e = map.get(batch.keys[i]);
                if (e != null) {
                    e.onPacket(batch.overlapped[i], batch.bytes[i]);
                    handled++;
                }
            }
            return handled;
        }
    }

    /** The control: a plain array indexed by the key, no generation check, no loop bookkeeping. */
    static final class ArrayLoop implements MiniLoop {
        final PortEntry[] entries;
        final CompletionPort port;
        final PacketBatch batch = new PacketBatch(BATCH);

        ArrayLoop(CompletionPort port, int size) {
            this.port = port;
            this.entries = new PortEntry[size];
        }

        @Override
        public int turn() {
            port.dequeue(batch, 0);
            int n = batch.count;
            for (int i = 0; i < n; i++) {
                entries[(int) batch.keys[i]].onPacket(batch.overlapped[i], batch.bytes[i]);
            }
            return n;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        long[] keyOf = new long[registrations];
        long[] overlappedOf = new long[registrations];
        ScriptedSource source = new ScriptedSource();
        FakeKernel kernel = new FakeKernel();
        Win32 win32 = FakeKernel.create(kernel);
        switch (path) {
            case "loop":
            case "loop+iocpport": {
                CompletionPort port = path.equals("loop") ? source : new IocpPort(win32, BATCH);
                loop = new EventLoop(win32, port, BATCH);
                for (int i = 0; i < registrations; i++) {
                    keyOf[i] = loop.register(newEntry(i));
                }
                break;
            }
            case "loop+stream": {
                loop = new EventLoop(win32, source, BATCH);
                sink = new Sink();
                for (int i = 0; i < registrations; i++) {
                    long handle = HANDLE_BASE + 4L * i;
                    StreamEntry stream = AttachedStream.attach(loop, handle);
                    stream.read(READ_SIZE, sink);
                    keyOf[i] = stream.key();
                }
                // The reads were handed to the loop (tasks + a wake packet): one turn issues them all.
                while (loop.runOnce(0) > 0 || source.pendingPosts() > 0) {
                    // until every read is pending and the wake packet consumed
                }
                kernel.stopRecording();
                for (int i = 0; i < registrations; i++) {
                    Long ov = kernel.firstOverlappedOf(HANDLE_BASE + 4L * i);
                    if (ov == null) {
                        throw new IllegalStateException("stream " + i + " issued no read");
                    }
                    overlappedOf[i] = ov;
                }
                break;
            }
            case "alt-chm": {
                MapLoop m = new MapLoop(source);
                for (int i = 0; i < registrations; i++) {
                    CountingEntry e = newEntry(i);
                    long key = ((long) (1 + random.nextInt(1 << 20)) << 32) | i; // any unique key will do
                    e.assignKey(key);
                    m.map.put(key, e);
                    keyOf[i] = key;
                }
                mini = m;
                break;
            }
            case "floor-array": {
                ArrayLoop a = new ArrayLoop(source, registrations);
                for (int i = 0; i < registrations; i++) {
                    a.entries[i] = newEntry(i);
                    keyOf[i] = i;
                }
                mini = a;
                break;
            }
            default:
                throw new IllegalArgumentException("unknown path " + path);
        }
        long[] keys = new long[SCRIPT];
        long[] overlapped = new long[SCRIPT];
        int[] bytes = new int[SCRIPT];
        for (int i = 0; i < SCRIPT; i++) {
            int r = random.nextInt(registrations);
            keys[i] = keyOf[r];
            overlapped[i] = overlappedOf[r];
            bytes[i] = READ_SIZE;
        }
        if (path.equals("loop+iocpport")) {
            kernel.scriptEntries(keys, overlapped, bytes);
        } else {
            source.script(keys, overlapped, bytes);
        }
        completions = 0;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int turn() {
        int n = mini != null ? mini.turn() : loop.runOnce(0);
        if (n != BATCH) {
            throw new IllegalStateException("a turn dispatched " + n + " packets, expected " + BATCH);
        }
        completions += n;
        return n;
    }

    /** Every packet must have reached its registration: the benchmark measured real work. */
    @TearDown(Level.Trial)
    public void check() {
        if (sink != null && sink.calls < completions) {
            throw new IllegalStateException("stream listener saw " + sink.calls + " of " + completions + " completions");
        }
    }
}
