package dev.multiwait;

import dev.multiwait.internal.ErrorText;

/**
 * A Win32 call failed. The message names the call, the handle it was made on (in hex) and the
 * Win32 error code with its symbolic name where known (e.g. {@code 109 (ERROR_BROKEN_PIPE)});
 * {@link #win32Error()} gives the code for programs.
 */
public class MultiWaitException extends RuntimeException {
    private final int win32Error;
    private final long handle;

    public MultiWaitException(String call, long handle, int win32Error, String hint) {
        super(ErrorText.describe(call, handle, win32Error, hint));
        this.win32Error = win32Error;
        this.handle = handle;
    }

    /** The Win32 error code (GetLastError or the completion status), 0 if none applies. */
    public int win32Error() {
        return win32Error;
    }

    /** The raw value of the handle the failing call was made on, 0 if none. */
    public long handle() {
        return handle;
    }
}
