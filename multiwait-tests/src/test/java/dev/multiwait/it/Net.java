package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.win32.JnaWin32;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/** Test helpers for sockets: addresses, a socket-tracking native layer, checksummed frames. */
final class Net {
    private Net() {
    }

    static InetSocketAddress loopback4(int port) {
        return new InetSocketAddress(ip("127.0.0.1"), port);
    }

    static InetSocketAddress loopback6(int port) {
        return new InetSocketAddress(ip("::1"), port);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** How a registration ended. */
    static class End implements dev.multiwait.CloseListener {
        volatile CloseReason reason;
        volatile Exception error;

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
        }
    }

    /**
     * The real native layer, tracking every socket the library creates and closes: a leak is a
     * socket still open at the end, a bug a socket closed twice (or closed and never created).
     */
    static class TrackingWin32 extends JnaWin32 {
        private final Set<Long> open = new HashSet<>();
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int created;
        int closed;

        @Override
        public long wsaSocket(int family, int type, int protocol, int flags) {
            long s = super.wsaSocket(family, type, protocol, flags);
            if (s != INVALID_SOCKET) {
                synchronized (this) {
                    created++;
                    if (!open.add(s)) {
                        problems.add("socket 0x" + Long.toHexString(s) + " created while still open");
                    }
                }
            }
            return s;
        }

        @Override
        public boolean closeSocket(long socket) {
            synchronized (this) {
                closed++;
                if (!open.remove(socket)) {
                    problems.add("closesocket(0x" + Long.toHexString(socket) + ") of a socket not open");
                }
            }
            return super.closeSocket(socket);
        }

        /** WSARecv / WSASend calls the library made with two buffers (a relay ring that wraps). */
        final java.util.concurrent.atomic.AtomicInteger twoSpanRecvs = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger twoSpanSends = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public boolean wsaRecv(long socket, long buffers, int count, long flagsInOut, long overlapped) {
            if (count == 2) {
                twoSpanRecvs.incrementAndGet();
            }
            return super.wsaRecv(socket, buffers, count, flagsInOut, overlapped);
        }

        @Override
        public boolean wsaSend(long socket, long buffers, int count, int flags, long overlapped) {
            if (count == 2) {
                twoSpanSends.incrementAndGet();
            }
            return super.wsaSend(socket, buffers, count, flags, overlapped);
        }

        /** Every CloseHandle the library made, in order. */
        final List<Long> closedHandles = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean closeHandle(long handle) {
            closedHandles.add(handle);
            return super.closeHandle(handle);
        }

        synchronized Set<Long> openSockets() {
            return new HashSet<>(open);
        }
    }

    // ---- frames: [int seq][int length][payload][long crc32(seq, payload)] ----

    static final int HEADER = 8;
    static final int TRAILER = 8;

    static byte[] frame(int seq, int payloadLength, long seed) {
        byte[] f = new byte[HEADER + payloadLength + TRAILER];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putInt(seq).putInt(payloadLength);
        java.util.Random r = new java.util.Random(seed * 1_000_003L + seq);
        byte[] payload = new byte[payloadLength];
        r.nextBytes(payload);
        b.put(payload);
        b.putLong(crc(seq, payload, 0, payloadLength));
        return f;
    }

    static long crc(int seq, byte[] payload, int off, int len) {
        CRC32 c = new CRC32();
        c.update(ByteBuffer.allocate(4).putInt(seq).array());
        c.update(payload, off, len);
        return c.getValue();
    }

    /** Reassembles frames from arbitrary chunks and checks sequence numbers and checksums. */
    static final class FrameChecker {
        private final String name;
        private byte[] buf = new byte[64 * 1024];
        private int have;
        int frames;
        long bytes;
        String error;

        FrameChecker(String name) {
            this.name = name;
        }

        void accept(ByteBuffer data) {
            int n = data.remaining();
            bytes += n;
            if (have + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, have + n));
            }
            data.get(buf, have, n);
            have += n;
            int at = 0;
            while (error == null && have - at >= HEADER) {
                ByteBuffer h = ByteBuffer.wrap(buf, at, HEADER);
                int seq = h.getInt();
                int len = h.getInt();
                if (len < 0 || len > 16 << 20) {
                    error = name + ": bad length " + len + " in frame " + frames;
                    break;
                }
                if (have - at < HEADER + len + TRAILER) {
                    break;
                }
                if (seq != frames) {
                    error = name + ": sequence error: got " + seq + ", expected " + frames;
                }
                long want = ByteBuffer.wrap(buf, at + HEADER + len, TRAILER).getLong();
                if (error == null && crc(seq, buf, at + HEADER, len) != want) {
                    error = name + ": checksum error in frame " + seq;
                }
                frames++;
                at += HEADER + len + TRAILER;
            }
            System.arraycopy(buf, at, buf, 0, have - at);
            have -= at;
        }

        /** Bytes left over that are not a whole frame. */
        int partial() {
            return have;
        }
    }
}
