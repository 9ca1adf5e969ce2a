package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import dev.multiwait.internal.Waiters;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import dev.multiwait.internal.NativeOp;
import dev.multiwait.demo.HandleCount;
import dev.multiwait.win32.JnaWin32;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Overlapped pipe streams through one waiter: scale, integrity, end of stream, cancellation, close. */
class PipeStreamTest {
    @Test
    void thousandPipePairsDeliverChecksummedData() {
        int pairs = Integer.getInteger("multiwait.test.pairs", 1000);
        int size = 48 * 1024 + 17; // not a multiple of the read buffer
        List<Pipes.Collector> got = new ArrayList<>();
        AtomicInteger writesDone = new AtomicInteger();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            for (int i = 0; i < pairs; i++) {
                OverlappedPipe.Pair pair = OverlappedPipe.create();
                StreamHandle server = wait.attach(pair.server());
                StreamHandle client = wait.attach(pair.client());
                Pipes.Collector c = new Pipes.Collector();
                got.add(c);
                server.read(16 * 1024, c);
                // Two writes, so each stream has several operations in flight over its life.
                byte[] data = Pipes.randomBytes(i, size);
                client.write(ByteBuffer.wrap(data, 0, size / 2), null);
                client.write(ByteBuffer.wrap(data, size / 2, size - size / 2), (n, err) -> {
                    assertNull(err);
                    writesDone.incrementAndGet();
                    client.close(); // the server's read then sees end of stream
                });
            }
            wait.run();
            assertEquals(0, wait.registrationCount());
        }
        assertEquals(pairs, writesDone.get());
        for (int i = 0; i < pairs; i++) {
            Pipes.Collector c = got.get(i);
            assertEquals(CloseReason.COMPLETED, c.reason, "stream " + i);
            byte[] expected = Pipes.randomBytes(i, size);
            assertEquals(Pipes.crc(expected), Pipes.crc(c.data()), "checksum of stream " + i);
            assertEquals(size, c.data().length, "length of stream " + i);
        }
    }

    @Test
    void peerCloseIsEndOfStream() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        Pipes.Collector c = new Pipes.Collector();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.attach(pair.server()).read(4096, c);
            wait.runOnce(Duration.ofMillis(50));
            assertNull(c.reason, "nothing to read yet: the read stays pending");
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.client()));
            wait.run();
        }
        assertEquals(CloseReason.COMPLETED, c.reason);
        assertNull(c.error);
        assertEquals(0, c.data().length);
    }

    @Test
    void anEmptyWriteIsNotAnEndOfStreamForThePeer() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        Pipes.Collector c = new Pipes.Collector();
        List<String> written = new ArrayList<>();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.attach(pair.server()).read(4096, c);
            StreamHandle client = wait.attach(pair.client());
            wait.runOnce(Duration.ofMillis(50)); // the read is pending when the empty write comes
            client.write(ByteBuffer.allocate(0), (n, error) -> written.add(n + " " + error));
            client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), (n, error) -> {
                written.add(n + " " + error);
                client.close();
            });
            wait.run();
        }
        assertEquals(List.of("0 null", "3 null"), written);
        assertArrayEquals(new byte[] {1, 2, 3}, c.data(), "the bytes after the empty write arrive");
        assertEquals(CloseReason.COMPLETED, c.reason);
    }

    @Test
    void cancellingAPendingReadLosesAndDuplicatesNothing() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        byte[] data = Pipes.randomBytes(7, 100_000);
        try (MultiHandleWait wait = new MultiHandleWait(); MultiHandleWait writer = new MultiHandleWait()) {
            StreamHandle server = wait.attach(pair.server());
            Pipes.Collector first = new Pipes.Collector();
            Registration r = server.read(8192, first);
            wait.runOnce(Duration.ofMillis(20));
            assertTrue(r.isActive());
            r.cancel();
            // The aborted read's buffer must stay valid until its packet: data arriving now must not
            // vanish into it or be written into freed memory.
            StreamHandle client = writer.attach(pair.client());
            client.write(ByteBuffer.wrap(data), (n, err) -> client.close());
            while (r.isActive()) {
                wait.runOnce(Duration.ofMillis(100));
            }
            assertEquals(CloseReason.CANCELLED, first.reason);
            Pipes.Collector second = new Pipes.Collector();
            server.read(8192, second);
            Thread w = new Thread(writer::run);
            w.start();
            wait.run();
            joinQuietly(w);
            assertEquals(CloseReason.COMPLETED, second.reason);
            byte[] all = concat(first.data(), second.data());
            assertArrayEquals(data, all, "bytes of the cancelled read plus the next read are the stream, once");
        }
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void cancelRacingACompletedReadTakesTheNotFoundPath() {
        CountingWin32 win32 = new CountingWin32();
        int rounds = 50;
        try (MultiHandleWait wait = Waiters.create(win32, 64); MultiHandleWait writer = new MultiHandleWait()) {
            for (int i = 0; i < rounds; i++) {
                OverlappedPipe.Pair pair = OverlappedPipe.create();
                StreamHandle server = wait.attach(pair.server());
                StreamHandle client = writer.attach(pair.client());
                Pipes.Collector c = new Pipes.Collector();
                Registration r = server.read(4096, c);
                wait.runOnce(Duration.ZERO); // issues the read; nothing to read yet
                byte[] data = Pipes.randomBytes(i, 1000);
                client.write(ByteBuffer.wrap(data), null);
                writer.run(); // the write is done, so the server's read has completed in the kernel
                r.cancel(); // runs before the loop dequeues: CancelIoEx finds nothing (1168)
                while (r.isActive()) {
                    wait.runOnce(Duration.ofMillis(100));
                }
                assertArrayEquals(data, c.data(), "round " + i + ": the completed read's bytes are delivered");
                assertEquals(CloseReason.CANCELLED, c.reason);
                server.close();
                client.close();
            }
        }
        assertEquals(rounds, win32.cancelNotFound.get(), "every cancel found the read already complete");
    }

    @Test
    void closeWithAThousandPendingReadsFreesEverything() {
        int before = HandleCount.ofThisProcess();
        List<WinNT.HANDLE> handles = new ArrayList<>();
        List<Pipes.Collector> readers = new ArrayList<>();
        Net.TrackingWin32 win32 = new Net.TrackingWin32(); // records every CloseHandle the waiter makes
        try (MultiHandleWait wait = Waiters.create(win32, MultiHandleWait.DEFAULT_BATCH)) {
            for (int i = 0; i < 1000; i++) {
                OverlappedPipe.Pair pair = OverlappedPipe.create();
                handles.add(Handles.handle(pair.server()));
                handles.add(Handles.handle(pair.client()));
                Pipes.Collector c = new Pipes.Collector();
                readers.add(c);
                wait.attach(pair.server()).read(4096, c);
                wait.attach(pair.client());
            }
            wait.runOnce(Duration.ofMillis(50)); // issues the reads
            assertEquals(1000, wait.registrationCount(), "1000 reads pending");
            assertTrue(readers.stream().allMatch(c -> c.reason == null), "none has ended");
        }
        for (Pipes.Collector c : readers) {
            assertEquals(CloseReason.CANCELLED, c.reason);
        }
        // each closed by the waiter exactly once (whether a value is still open races with other threads of
        // this JVM opening handles, which may get a freed value at once; the count below covers what leaks)
        for (WinNT.HANDLE h : handles) {
            assertEquals(1, java.util.Collections.frequency(win32.closedHandles, BridgeTestSupport.raw(h)),
                    "the waiter closed every handle it owned, once");
        }
        int after = HandleCount.ofThisProcess();
        System.out.println("handles before " + before + ", after " + after);
        assertTrue(before > 0);
        assertTrue(after <= before + 3, "handle count back to baseline: before " + before + ", after " + after);
        assertEquals(0, NativeOp.abandonedCount());
    }

    @Test
    void throwingListenerEndsOnlyItsOwnRead() {
        OverlappedPipe.Pair bad = OverlappedPipe.create();
        OverlappedPipe.Pair good = OverlappedPipe.create();
        List<Throwable> reported = new ArrayList<>();
        Pipes.Collector ok = new Pipes.Collector();
        CloseReason[] badEnd = new CloseReason[1];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            wait.setCallbackErrorHandler((reg, error) -> reported.add(error));
            wait.attach(bad.server()).read(4096, new dev.multiwait.ReadListener() {
                @Override
                public void onData(ByteBuffer data) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    badEnd[0] = reason;
                }
            });
            wait.attach(good.server()).read(4096, ok);
            StreamHandle badClient = wait.attach(bad.client());
            StreamHandle goodClient = wait.attach(good.client());
            badClient.write(ByteBuffer.wrap(new byte[10]), null);
            goodClient.write(ByteBuffer.wrap(new byte[20]), (n, e) -> goodClient.close());
            wait.run();
            badClient.close();
        }
        assertEquals(1, reported.size());
        assertEquals("listener bug", reported.get(0).getMessage());
        assertEquals(CloseReason.FAILED, badEnd[0]);
        assertEquals(CloseReason.COMPLETED, ok.reason);
        assertEquals(20, ok.data().length);
    }

    @Test
    void synchronousPipeIsRefusedWithAClearErrorAndLeftOpen() {
        WinNT.HANDLEByReference read = new WinNT.HANDLEByReference();
        WinNT.HANDLEByReference write = new WinNT.HANDLEByReference();
        assertTrue(Kernel32.INSTANCE.CreatePipe(read, write, null, 0));
        try (MultiHandleWait wait = new MultiHandleWait()) {
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> wait.attach(Handles.raw(read.getValue())));
            assertEquals(87, e.win32Error());
            assertTrue(e.getMessage().contains(Long.toHexString(e.handle())), e.getMessage());
            assertTrue(e.getMessage().contains("87"), e.getMessage());
            assertTrue(e.getMessage().contains("overlapped"), e.getMessage());
            assertTrue(Pipes.isOpen(read.getValue()), "a refused handle is still the caller's");
            assertEquals(0, wait.registrationCount());
        } finally {
            Kernel32.INSTANCE.CloseHandle(read.getValue());
            Kernel32.INSTANCE.CloseHandle(write.getValue());
        }
    }

    @Test
    void handleBoundToAnotherPortIsRefused() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        try (MultiHandleWait other = new MultiHandleWait(); MultiHandleWait wait = new MultiHandleWait()) {
            other.attach(pair.server());
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> wait.attach(pair.server()));
            assertEquals(87, e.win32Error());
            assertTrue(e.getMessage().contains("already bound"), e.getMessage());
            // the same handle twice on one waiter is refused the same way
            MultiWaitException twice = assertThrows(MultiWaitException.class, () -> other.attach(pair.server()));
            assertEquals(87, twice.win32Error());
        } finally {
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.client()));
        }
    }

    @Test
    void closedAndNullHandlesAreRefused() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.server()));
        Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.client()));
        try (MultiHandleWait wait = new MultiHandleWait()) {
            MultiWaitException e = assertThrows(MultiWaitException.class, () -> wait.attach(pair.server()));
            assertEquals(6, e.win32Error());
        }
    }

    @Test
    void badInputGetsSpecificExceptions() {
        OverlappedPipe.Pair pair = OverlappedPipe.create();
        WinNT.HANDLE event = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            MultiWaitException notAStream = assertThrows(MultiWaitException.class, () -> wait.attach(Handles.raw(event)));
            assertEquals(6, notAStream.win32Error());
            assertTrue(notAStream.getMessage().contains("watch()"), notAStream.getMessage());

            StreamHandle server = wait.attach(pair.server());
            assertFalse(Pipes.isClosedPipe(Handles.handle(pair.server())), "an open pipe end is not taken for closed");
            assertThrows(IllegalArgumentException.class, () -> server.read(0, d -> { }));
            assertThrows(NullPointerException.class, () -> server.read(16, null));
            Registration first = server.read(16, d -> { });
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> server.read(16, d -> { }));
            assertTrue(twice.getMessage().contains(Long.toHexString(server.handle())), twice.getMessage());
            assertTrue(first.isActive());
            server.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> server.read(16, d -> { }));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            assertThrows(IllegalStateException.class, () -> server.write(ByteBuffer.allocate(1), null));
            wait.run();
            assertFalse(first.isActive());
            assertTrue(Pipes.isClosedPipe(Handles.handle(pair.server())));
        } finally {
            Kernel32.INSTANCE.CloseHandle(event);
            Kernel32.INSTANCE.CloseHandle(Handles.handle(pair.client()));
        }
        MultiHandleWait closedWait = new MultiHandleWait();
        closedWait.close();
        OverlappedPipe.Pair other = OverlappedPipe.create();
        try {
            assertThrows(IllegalStateException.class, () -> closedWait.attach(other.server()));
            assertThrows(IllegalStateException.class, closedWait::run);
        } finally {
            Kernel32.INSTANCE.CloseHandle(Handles.handle(other.server()));
            Kernel32.INSTANCE.CloseHandle(Handles.handle(other.client()));
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void joinQuietly(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The real native layer, counting CancelIoEx calls that found nothing to cancel. */
    static final class CountingWin32 extends JnaWin32 {
        final AtomicInteger cancelNotFound = new AtomicInteger();

        @Override
        public boolean cancelIoEx(long handle, long overlapped) {
            boolean ok = super.cancelIoEx(handle, overlapped);
            if (!ok && lastError() == 1168) {
                cancelNotFound.incrementAndGet();
            }
            return ok;
        }
    }
}
