package dev.multiwait.bench.pump;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;

/**
 * A reference, not one of the contenders: the native probe's algorithm written by hand in
 * Java over direct-mapped JNA (one completion port, one thread, 64 KiB overlapped reads with
 * skip-on-success, GetQueuedCompletionStatusEx in batches of 64), with no library around it. Its
 * distance to the native probe is what running in a JVM under Wine costs; multiwait's distance to
 * it is what the library adds.
 */
final class JnaIocpContender implements Contender {
    private static final int BATCH = 64;
    /** Wine leaves Internal's upper half stale: compare the 32-bit NTSTATUS. */
    private static final int STATUS_PIPE_BROKEN = 0xC000014B;
    private static final int STATUS_END_OF_FILE = 0xC0000011;
    private static final int STATUS_PIPE_DISCONNECTED = 0xC00000B0;

    private final int readSize;
    private long port;
    private long[] handle;
    private Memory[] block;
    private long[] received;
    private boolean[] ended;
    private boolean skip = true;
    private long completions;
    private int finished;
    private long endNanos;
    private String failure;

    JnaIocpContender(int readSize) {
        this.readSize = readSize;
    }

    @Override
    public void open(String[] pipeNames) {
        int n = pipeNames.length;
        port = BenchKernel32.CreateIoCompletionPort(BenchKernel32.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            throw new IllegalStateException("CreateIoCompletionPort failed: " + Native.getLastError());
        }
        handle = new long[n];
        block = new Memory[n];
        received = new long[n];
        ended = new boolean[n];
        for (int i = 0; i < n; i++) {
            long h = BenchKernel32.CreateFileW(new WString(pipeNames[i]), BenchKernel32.GENERIC_READ | BenchKernel32.GENERIC_WRITE,
                    0, 0, BenchKernel32.OPEN_EXISTING, BenchKernel32.FILE_FLAG_OVERLAPPED, 0);
            if (h == BenchKernel32.INVALID_HANDLE_VALUE || h == 0) {
                throw new IllegalStateException("CreateFileW(" + pipeNames[i] + ") failed: " + Native.getLastError());
            }
            handle[i] = h;
            if (BenchKernel32.CreateIoCompletionPort(h, port, i, 0) != port) {
                throw new IllegalStateException("CreateIoCompletionPort(associate) failed: " + Native.getLastError());
            }
            if (!BenchKernel32.SetFileCompletionNotificationModes(h, BenchKernel32.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS_AND_SET_EVENT)) {
                skip = false;
            }
            block[i] = new Memory(BenchKernel32.OVERLAPPED_SIZE + readSize);
        }
        for (int i = 0; i < n; i++) {
            if (!readUntilPending(i)) {
                end(i);
            }
        }
    }

    /** Issues reads until one is pending (true) or the stream ended (false); synchronous results are counted here. */
    private boolean readUntilPending(int i) {
        Memory b = block[i];
        long ov = Pointer.nativeValue(b);
        while (true) {
            b.clear(BenchKernel32.OVERLAPPED_SIZE);
            if (BenchKernel32.ReadFile(handle[i], ov + BenchKernel32.OVERLAPPED_SIZE, readSize, 0, ov)) {
                if (!skip) {
                    return true; // a packet comes anyway
                }
                completions++;
                int got = (int) b.getLong(8);
                if (got == 0) {
                    return false;
                }
                received[i] += got;
                continue;
            }
            int error = Native.getLastError();
            if (error == BenchKernel32.ERROR_IO_PENDING) {
                return true;
            }
            if (BenchKernel32.isEndOfStream(error)) {
                completions++;
                return false;
            }
            throw new IllegalStateException("ReadFile failed: " + error);
        }
    }

    private void end(int i) {
        ended[i] = true;
        if (++finished == handle.length) {
            endNanos = System.nanoTime();
        }
    }

    @Override
    public boolean pump(long timeoutMillis) {
        Memory entries = new Memory((long) BATCH * BenchKernel32.ENTRY_SIZE);
        Memory removed = new Memory(4);
        long[] raw = new long[BATCH * 4];
        try {
            while (finished < handle.length) {
                if (!BenchKernel32.GetQueuedCompletionStatusEx(port, Pointer.nativeValue(entries), BATCH,
                        Pointer.nativeValue(removed), (int) timeoutMillis, false)) {
                    failure = "GetQueuedCompletionStatusEx failed: " + Native.getLastError();
                    return false;
                }
                int m = removed.getInt(0);
                entries.read(0, raw, 0, m * 4);
                for (int j = 0; j < m; j++) {
                    int i = (int) raw[4 * j];
                    int bytes = (int) raw[4 * j + 3];
                    int status = block[i].getInt(0);
                    completions++;
                    if (status == 0 && bytes > 0) {
                        received[i] += bytes;
                        if (readUntilPending(i)) {
                            continue;
                        }
                    } else if (status != 0 && status != STATUS_PIPE_BROKEN && status != STATUS_END_OF_FILE
                            && status != STATUS_PIPE_DISCONNECTED) {
                        failure = "read on stream " + i + " failed: NTSTATUS 0x" + Integer.toHexString(status);
                        return false;
                    }
                    end(i);
                }
            }
            return true;
        } finally {
            entries.close();
            removed.close();
        }
    }

    @Override
    public long endNanos() {
        return endNanos;
    }

    @Override
    public long[] received() {
        return received;
    }

    @Override
    public long completions() {
        return completions;
    }

    @Override
    public int ioThreads() {
        return 1;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        // Every read has ended (or the run failed and the process exits): nothing is pending on these blocks.
        for (int i = 0; i < handle.length; i++) {
            BenchKernel32.CloseHandle(handle[i]);
        }
        BenchKernel32.CloseHandle(port);
    }
}
