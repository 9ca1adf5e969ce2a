package dev.multiwait;

/**
 * Receives what a listener threw. The loop keeps running; the registration whose listener threw is
 * ended with {@link CloseReason#FAILED}. The default handler logs through {@link System.Logger}.
 */
@FunctionalInterface
public interface CallbackErrorHandler {
    /**
     * Called on the loop thread, right after the listener threw; what this method throws is logged
     * and dropped.
     *
     * @param registration the registration whose listener threw
     * @param error        what it threw
     */
    void onCallbackError(Registration registration, Throwable error);
}
