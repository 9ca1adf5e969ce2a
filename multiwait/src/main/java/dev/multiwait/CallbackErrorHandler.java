package dev.multiwait;

/**
 * Receives what a listener threw. The loop keeps running; the registration whose listener threw is
 * ended with {@link CloseReason#FAILED}. The default handler logs through {@link System.Logger}.
 */
@FunctionalInterface
public interface CallbackErrorHandler {
    void onCallbackError(Registration registration, Throwable error);
}
