package dev.multiwait;

import dev.multiwait.internal.ErrorText;

/**
 * A Win32 call failed. The message names the call, the handle it was made on (in hex) and the
 * Win32 error code with its symbolic name where known (e.g. {@code 109 (ERROR_BROKEN_PIPE)});
 * {@link #win32Error()} gives the code for programs.
 */
public class MultiWaitException extends RuntimeException {
    /** The Win32 (or Winsock) error code, 0 if none applies. */
    private final int win32Error;
    /** The raw handle value the call was made on, 0 if none. */
    private final long handle;

    /**
     * A failure of {@code call} on {@code handle}.
     *
     * @param call       the Win32 call and what it was about, e.g. {@code "ReadFile"}
     * @param handle     the raw handle value it was made on, 0 if none
     * @param win32Error the Win32 (or Winsock) error code, 0 if none applies
     * @param hint       one phrase on what it likely means, or null
     */
    public MultiWaitException(String call, long handle, int win32Error, String hint) {
        super(ErrorText.describe(call, handle, win32Error, hint));
        this.win32Error = win32Error;
        this.handle = handle;
    }

    /**
     * The error code.
     *
     * @return the Win32 error code (GetLastError or the completion status), 0 if none applies
     */
    public int win32Error() {
        return win32Error;
    }

    /**
     * The handle the failing call was made on.
     *
     * @return its raw value, 0 if none
     */
    public long handle() {
        return handle;
    }
}
