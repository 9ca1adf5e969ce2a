package dev.multiwait.internal;

import dev.multiwait.CloseReason;
import dev.multiwait.ConnectListener;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;
import dev.multiwait.win32.Win32Errors;
import dev.multiwait.win32.Winsock;
import dev.multiwait.win32.WsaErrors;

import java.net.InetSocketAddress;

/**
 * An outgoing TCP connection: a new overlapped socket, bound to the any address (ConnectEx
 * requires a bound socket), attached to the port, then one ConnectEx. On success
 * SO_UPDATE_CONNECT_CONTEXT makes shutdown/getpeername work and the socket is handed to the
 * listener; on failure or cancel the socket is closed and the error names the address.
 */
public final class SocketConnect extends RegistrationBase implements StreamOp {
    private final StreamEntry stream;
    /** ConnectEx as this socket's provider implements it. */
    private final long connectEx;
    private final InetSocketAddress remote;
    private final ConnectListener listener;
    /** The OVERLAPPED, the remote SOCKADDR in the buffer (ConnectEx may read it until the packet), bytes-sent out. */
    private final NativeOp op = new NativeOp(Winsock.SOCKADDR_MAX, 8);
    private boolean inFlight;
    /** The listener took the socket: it is no longer ours to close. */
    private boolean handedOver;
    /** 0: none (the system's own, about 21 s on Windows). */
    private final long timeoutNanos;
    private TimerTask timer;
    /** The timeout fired and cancelled the ConnectEx. */
    private boolean timedOut;

    private SocketConnect(StreamEntry stream, long connectEx, InetSocketAddress remote, long timeoutNanos,
                          ConnectListener listener) {
        super(stream.loop, listener);
        this.timeoutNanos = timeoutNanos;
        this.stream = stream;
        this.connectEx = connectEx;
        this.remote = remote;
        this.listener = listener;
    }

    /** Creates, binds and attaches the socket on the caller's thread (bad input throws here), then connects on the loop. */
    public static SocketConnect open(EventLoop loop, InetSocketAddress remote, ConnectListener listener) {
        return open(loop, remote, 0, listener);
    }

    /** As {@link #open(EventLoop, InetSocketAddress, ConnectListener)}; {@code timeoutNanos} > 0 bounds the connect. */
    public static SocketConnect open(EventLoop loop, InetSocketAddress remote, long timeoutNanos, ConnectListener listener) {
        SocketSupport.checkAddress(remote, "remote address");
        if (loop.isClosed()) {
            throw new IllegalStateException("MultiHandleWait is closed");
        }
        int family = SocketSupport.familyOf(remote);
        long s = SocketSupport.newSocket(loop.win32(), family);
        StreamEntry entry;
        long connectEx;
        try {
            SocketSupport.bind(loop.win32(), s, SocketSupport.anyOf(family));
            connectEx = SocketSupport.extensionFunction(loop.win32(), s, Win32.CONNECT_EX);
            entry = AttachedStream.attachSocket(loop, s);
        } catch (RuntimeException e) {
            loop.win32().closeSocket(s);
            throw e;
        }
        SocketConnect c = new SocketConnect(entry, connectEx, remote, timeoutNanos, listener);
        entry.add(c);
        loop.start(c::start, c::discardUnstarted);
        return c;
    }

    @Override
    public Role role() {
        return Role.CONNECT;
    }

    @Override
    public boolean onPacket(long overlapped, int bytes) {
        if (overlapped != op.overlapped || !op.isPending()) {
            return false;
        }
        stream.packetFor(op, 0, this::complete);
        return true;
    }

    @Override
    public void cancelForClose() {
        requestCancel();
    }

    @Override
    public boolean busy() {
        return isActive();
    }

    private void start() {
        if (!isActive()) {
            return;
        }
        inFlight = true;
        op.prepare(0);
        int len = Winsock.encode(remote, op.buffer);
        boolean ok = loop.win32().connectEx(connectEx, stream.handle, op.buffer, len, 0, 0, op.scratch, op.overlapped);
        stream.afterIssue(op, ok, this::complete);
        if (inFlight && timeoutNanos > 0) {
            timer = loop.schedule(timeoutNanos, this::timeUp, false);
        }
    }

    /** The timeout ran out with the ConnectEx still pending: cancel it (CancelIoEx); its packet ends this as TIMED_OUT. */
    private void timeUp() {
        if (isActive() && inFlight && !cancelRequested) {
            timedOut = true;
            requestCancel();
        }
    }

    private void complete(int error, int ignoredBytes) {
        inFlight = false;
        if (timer != null) {
            timer.cancel();
        }
        if (timedOut) {
            finish(CloseReason.TIMED_OUT, new MultiWaitException("ConnectEx to " + remote, stream.handle,
                    WsaErrors.WSAETIMEDOUT, "no answer within the connect timeout of "
                    + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; the connect was cancelled"));
            return;
        }
        if (error == 0 && !cancelRequested) {
            // Without this, shutdown(), getpeername() and friends fail on a ConnectEx socket.
            if (!loop.win32().setSockOpt(stream.handle, Winsock.SOL_SOCKET, Winsock.SO_UPDATE_CONNECT_CONTEXT, 0, 0)) {
                int e = loop.win32().lastError();
                finish(CloseReason.FAILED, failure("setsockopt(SO_UPDATE_CONNECT_CONTEXT) after ConnectEx", e));
                return;
            }
            stream.knownAddresses(remote, null);
            // The socket is the listener's from here: closing it inside onConnected must not cancel this connect.
            stream.remove(this);
            if (deliver(() -> listener.onConnected(stream))) {
                handedOver = true;
                finish(CloseReason.COMPLETED, null);
            }
            // else deliver() cancelled and so finished this registration, closing the socket
        } else if (cancelRequested || error == 0 || error == Win32Errors.ERROR_OPERATION_ABORTED) {
            finish(CloseReason.CANCELLED, null);
        } else {
            finish(CloseReason.FAILED, failure("ConnectEx", error));
        }
    }

    private MultiWaitException failure(String call, int error) {
        return new MultiWaitException(call + " to " + remote, stream.handle, error, WsaErrors.hint(error));
    }

    @Override
    protected void onCancel() {
        if (!inFlight) {
            finish(CloseReason.CANCELLED, null);
        } else if (op.isPending()) {
            // cancelling a connect closes its socket: if the cancel fails, closing it aborts the ConnectEx
            stream.cancelIo(op, this, true);
        }
    }

    @Override
    protected void release() {
        if (timer != null) {
            timer.cancel();
        }
        op.release();
        stream.remove(this);
        if (!handedOver) {
            stream.cancelForClose(); // closes the socket (once nothing is pending on it)
        } else {
            stream.closeIfIdle();
        }
    }

    @Override
    protected void releaseUnstarted() {
        op.release();
        stream.discardUnused();
    }

    @Override
    public String toString() {
        return "connect to " + remote + " on " + stream;
    }
}
