package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.AcceptListener;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiWaitException;
import dev.multiwait.SocketServer;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A listening socket on the port that keeps N AcceptEx operations pending. Each accept owns a
 * NativeOp (OVERLAPPED + the AcceptEx address buffer + scratch for its outputs) and a fresh
 * accept socket. A completed accept gets SO_UPDATE_ACCEPT_CONTEXT, its peer address from
 * GetAcceptExSockaddrs, is attached to the same waiter and handed to the listener; then a new
 * accept is posted in its place. Cancelling cancels every pending accept; each accept socket is
 * closed when its packet is back, and the listening socket last.
 */
public final class SocketListener extends RegistrationBase implements SocketServer {
    public static final int MAX_PENDING_ACCEPTS = 1024;
    private static final int ADDRESS_BYTES = 2 * Winsock.ACCEPT_ADDRESS_LENGTH;
    // scratch: bytes received (AcceptEx), then GetAcceptExSockaddrs' outputs
    private static final int SCRATCH_BYTES = 32;
    private static final int S_RECEIVED = 0;
    private static final int S_LOCAL = 8;
    private static final int S_REMOTE = 16;
    private static final int S_LOCAL_LEN = 24;
    private static final int S_REMOTE_LEN = 28;

    private final long socket;
    /** AcceptEx and GetAcceptExSockaddrs as the listening socket's provider implements them. */
    private final long acceptEx;
    private final long getAcceptExSockaddrs;
    private final int family;
    private final InetSocketAddress localAddress;
    private final AcceptListener listener;
    private final Accept[] accepts;
    private final Entry entry = new Entry();
    /** The listening socket's value, for SO_UPDATE_ACCEPT_CONTEXT (setsockopt takes a pointer to it). */
    private final Memory listenValue = new Memory(8);
    private boolean skipOnSuccess;
    /** The listening socket's provider hands out kernel handles; its accepted sockets share the provider. */
    private boolean ifsHandles;
    private MultiWaitException failure;
    /** When accepts parked by a shortage (WSAENOBUFS...) are posted again. */
    private final AcceptBackOff backOff = new AcceptBackOff(loop, this::retryWaiting);
    /** The listening socket is closed (early, if cancelling an accept failed; else by release). */
    private boolean socketClosed;

    /** One AcceptEx slot. */
    private static final class Accept {
        final NativeOp op = new NativeOp(ADDRESS_BYTES, SCRATCH_BYTES);
        /** The socket the pending accept will connect; 0 when none. */
        long acceptSocket;
        /** A result (packet or synchronous) is on its way. */
        boolean inFlight;
        /** Parked after a shortage (no socket, no AcceptEx) until the retry timer fires. */
        boolean waiting;
    }

    /** The listening socket's key-table entry. */
    private final class Entry extends PortEntry {
        @Override
        public void onPacket(long overlapped, int bytes) {
            for (Accept a : accepts) {
                if (a.op.overlapped == overlapped && a.op.isPending()) {
                    a.op.packetArrived();
                    completed(a, a.op.completionError(HandleKind.SOCKET, loop.win32()), false);
                    return;
                }
            }
            throw new IllegalStateException("packet for listening socket 0x" + Long.toHexString(socket)
                    + " with an OVERLAPPED no accept owns: 0x" + Long.toHexString(overlapped));
        }

        @Override
        public void cancelForClose() {
            requestCancel();
        }

        @Override
        public void abandonAtClose() {
            SocketListener.this.abandonAtClose();
        }
    }

    private SocketListener(EventLoop loop, long socket, long[] extensions, int family, InetSocketAddress localAddress,
                           int pending, AcceptListener listener) {
        super(loop, listener);
        this.socket = socket;
        this.acceptEx = extensions[0];
        this.getAcceptExSockaddrs = extensions[1];
        this.family = family;
        this.localAddress = localAddress;
        this.listener = listener;
        this.accepts = new Accept[pending];
        for (int i = 0; i < pending; i++) {
            accepts[i] = new Accept();
        }
        listenValue.setLong(0, socket);
    }

    /**
     * Socket, bind, listen and port association on the caller's thread, so bad input throws here
     * (naming the address and the WSA error) and leaves nothing open; the accepts are posted on the loop.
     */
    public static SocketListener open(EventLoop loop, InetSocketAddress address, int backlog, int pendingAccepts,
                                      AcceptListener listener) {
        Objects.requireNonNull(listener, "listener");
        SocketSupport.checkAddress(address, "listen address");
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        if (pendingAccepts <= 0 || pendingAccepts > MAX_PENDING_ACCEPTS) {
            throw new IllegalArgumentException("pendingAccepts must be 1.." + MAX_PENDING_ACCEPTS + ": " + pendingAccepts);
        }
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        Win32 win32 = loop.win32();
        int family = SocketSupport.familyOf(address);
        long s = SocketSupport.newSocket(win32, family);
        SocketListener l;
        try {
            SocketSupport.bind(win32, s, address);
            if (!win32.listen(s, backlog)) {
                int error = win32.lastError();
                throw new MultiWaitException("listen(" + address + ")", s, error, WsaErrors.hint(error));
            }
            long[] extensions = {SocketSupport.extensionFunction(win32, s, Win32.ACCEPT_EX),
                    SocketSupport.extensionFunction(win32, s, Win32.GET_ACCEPT_EX_SOCKADDRS)};
            l = new SocketListener(loop, s, extensions, family, SocketSupport.localAddress(win32, s, address),
                    pendingAccepts, listener);
        } catch (RuntimeException e) {
            win32.closeSocket(s);
            throw e;
        }
        try {
            loop.register(l.entry, s, () -> { });
        } catch (RuntimeException e) {
            l.discardUnstarted();
            throw e;
        }
        l.ifsHandles = SocketSupport.hasIfsHandles(win32, s);
        l.skipOnSuccess = SocketSupport.skipOnSuccess(win32, s, l.ifsHandles);
        loop.start(l::start, l::discardUnstarted);
        return l;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public long socket() {
        return socket;
    }

    @Override
    public int pendingAccepts() {
        return accepts.length;
    }

    private void start() {
        for (Accept a : accepts) {
            if (!isActive() || cancelRequested) {
                return;
            }
            post(a);
        }
    }

    /** Posts one AcceptEx into slot {@code a} with a fresh accept socket. Loop thread. */
    private void post(Accept a) {
        a.waiting = false;
        long s = SocketSupport.newSocketOrInvalid(loop.win32(), family);
        if (s == Win32.INVALID_SOCKET) {
            int error = loop.win32().lastError();
            failed(a, error, true, "WSASocketW(" + SocketSupport.familyName(family) + ") for an accept on " + localAddress);
            return;
        }
        a.acceptSocket = s;
        a.inFlight = true;
        a.op.prepare(0);
        boolean ok = loop.win32().acceptEx(acceptEx, socket, s, a.op.buffer, 0, Winsock.ACCEPT_ADDRESS_LENGTH,
                Winsock.ACCEPT_ADDRESS_LENGTH, a.op.scratch + S_RECEIVED, a.op.overlapped);
        a.op.afterIssue(loop, skipOnSuccess, ok, (error, bytes) -> completed(a, error, true));
    }

    /** {@code immediate}: AcceptEx itself returned the error (no packet came). */
    private void completed(Accept a, int error, boolean immediate) {
        a.inFlight = false;
        long accepted = a.acceptSocket;
        a.acceptSocket = 0;
        if (!isActive() || cancelRequested) {
            closeSocket(accepted);
            finishIfIdle();
            return;
        }
        if (error == 0) {
            backOff.reset();
            handOver(accepted, a);
            if (isActive() && !cancelRequested) {
                post(a);
            } else {
                finishIfIdle();
            }
            return;
        }
        closeSocket(accepted);
        failed(a, error, immediate, "AcceptEx on " + localAddress);
    }

    /**
     * Slot {@code a} failed with {@code error} (its accept socket, if any, closed): a lost connection is
     * reported and the accept posted again; a shortage is reported and retried after a back-off; a
     * broken listening socket ends the listener.
     */
    private void failed(Accept a, int error, boolean immediate, String call) {
        AcceptFailures kind = AcceptFailures.of(error, immediate);
        if (kind == AcceptFailures.LISTENER) {
            fail(new MultiWaitException(call, socket, error, error == Win32Errors.ERROR_OPERATION_ABORTED
                    ? "the accept was cancelled from outside" : WsaErrors.hint(error)));
            return;
        }
        String hint = error == Win32Errors.ERROR_IO_INCOMPLETE ? NativeOp.RESULT_MISSING : WsaErrors.hint(error);
        if (kind == AcceptFailures.RETRY_LATER) {
            hint = (hint != null ? hint + "; " : "") + "this accept is posted again after a back-off ("
                    + AcceptBackOff.FIRST_MILLIS + " ms doubling to " + AcceptBackOff.MAX_MILLIS + " ms)";
        }
        acceptFailed(new MultiWaitException(call, socket, error, hint));
        if (!isActive() || cancelRequested) {
            finishIfIdle();
        } else if (kind == AcceptFailures.CONNECTION) {
            post(a);
        } else {
            a.waiting = true;
            backOff.schedule();
        }
    }

    /** The back-off is over: post the parked accepts again. */
    private void retryWaiting() {
        for (Accept a : accepts) {
            if (a.waiting && isActive() && !cancelRequested) {
                post(a);
            }
        }
    }

    private void handOver(long accepted, Accept a) {
        if (!loop.win32().setSockOpt(accepted, Winsock.SOL_SOCKET, Winsock.SO_UPDATE_ACCEPT_CONTEXT,
                Pointer.nativeValue(listenValue), 8)) {
            int error = loop.win32().lastError();
            closeSocket(accepted);
            acceptFailed(new MultiWaitException("setsockopt(SO_UPDATE_ACCEPT_CONTEXT) on " + localAddress, accepted,
                    error, null));
            return;
        }
        long base = a.op.scratch;
        loop.win32().getAcceptExSockaddrs(getAcceptExSockaddrs, a.op.buffer, 0, Winsock.ACCEPT_ADDRESS_LENGTH, Winsock.ACCEPT_ADDRESS_LENGTH,
                base + S_LOCAL, base + S_LOCAL_LEN, base + S_REMOTE, base + S_REMOTE_LEN);
        InetSocketAddress peer = Winsock.decode(a.op.scratchLong(S_REMOTE), a.op.scratchInt(S_REMOTE_LEN));
        StreamEntry stream;
        try {
            stream = AttachedStream.attachAccepted(loop, accepted, ifsHandles);
        } catch (RuntimeException e) {
            closeSocket(accepted);
            acceptFailed(e instanceof MultiWaitException ? (MultiWaitException) e
                    : new MultiWaitException("attach accepted socket: " + e, accepted, 0, null));
            return;
        }
        stream.knownAddresses(peer, Winsock.decode(a.op.scratchLong(S_LOCAL), a.op.scratchInt(S_LOCAL_LEN)));
        if (!deliver(() -> listener.onAccepted(this, stream, peer))) {
            stream.cancelForClose(); // the listener threw: it may never have taken the socket
        }
    }

    private void acceptFailed(MultiWaitException error) {
        deliver(() -> listener.onAcceptFailed(this, error));
    }

    private void fail(MultiWaitException error) {
        if (failure == null) {
            failure = error;
        }
        requestCancel();
        finishIfIdle();
    }

    private void closeSocket(long s) {
        if (s != 0) {
            loop.win32().closeSocket(s);
        }
    }

    @Override
    protected void onCancel() {
        for (Accept a : accepts) {
            if (a.inFlight && a.op.isPending() && !socketClosed
                    && !loop.win32().cancelIoEx(socket, a.op.overlapped)) {
                // 1168: already complete, its packet is queued; either way a packet comes
                int error = loop.win32().lastError();
                if (error != Win32Errors.ERROR_NOT_FOUND) {
                    // closing the listening socket aborts every pending accept (their packets still come)
                    loop.reportCallbackError(this, new MultiWaitException("CancelIoEx", socket, error,
                            "closing the listening socket instead, which aborts its accepts"));
                    closeListeningSocket();
                }
            }
        }
        finishIfIdle();
    }

    private void finishIfIdle() {
        if (!isActive()) {
            return;
        }
        for (Accept a : accepts) {
            if (a.inFlight) {
                return;
            }
        }
        finish(failure != null ? CloseReason.FAILED : CloseReason.CANCELLED, failure);
    }

    @Override
    protected void release() {
        // accept sockets first (only those of accepts abandoned at loop close are left), the listener last
        for (Accept a : accepts) {
            closeSocket(a.acceptSocket);
            a.acceptSocket = 0;
            a.op.release();
        }
        loop.unregister(entry);
        closeListeningSocket();
        listenValue.close();
    }

    private void closeListeningSocket() {
        if (!socketClosed) {
            socketClosed = true;
            if (!loop.win32().closeSocket(socket)) {
                loop.reportCallbackError(this, new MultiWaitException("closesocket", socket, loop.win32().lastError(), null));
            }
        }
    }

    @Override
    public String toString() {
        return "SocketServer[" + localAddress + ", socket 0x" + Long.toHexString(socket) + "]";
    }
}
