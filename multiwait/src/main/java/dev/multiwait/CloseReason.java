package dev.multiwait;

/** Why a registration ended. */
public enum CloseReason {
    /** The stream reached its end (peer closed: error 109, or a 0-byte read), or a one-shot wait fired. */
    COMPLETED,
    /** {@link Registration#cancel()}, {@link StreamHandle#close()} or {@link MultiHandleWait#close()}. */
    CANCELLED,
    /** A Win32 error ended it (passed to onClose), or its own callback threw. */
    FAILED,
    /**
     * A time limit ran out: a connect's timeout, or an idle timeout (no bytes moved for that long). onClose
     * gets a {@link MultiWaitException} with error 10060 (WSAETIMEDOUT) saying which limit.
     */
    TIMED_OUT
}
