package dev.multiwait;

import dev.multiwait.internal.NamedPipes;
import dev.multiwait.internal.Platform;
import dev.multiwait.win32.JnaWin32;

/**
 * Overlapped named pipes, the kind that can join a completion port (anonymous {@code CreatePipe}
 * pipes cannot). Names are unique and unguessable; the first instance is ours alone
 * (FILE_FLAG_FIRST_PIPE_INSTANCE, one instance), remote clients are refused, and the pipe's DACL
 * admits only the current user (pipe names can be listed, so the default DACL, which lets
 * everyone read, would let another user race for the client end). A client end is opened at
 * identification level ({@code SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION}): the server at the
 * other end of a name it is given can never impersonate the caller. Every method throws
 * {@link UnsupportedOperationException} where {@link MultiHandleWait#isSupported()} is false.
 */
public final class OverlappedPipe {
    /** 64 KiB each way: small pipe buffers throttle throughput badly. */
    public static final int BUFFER_SIZE = NamedPipes.BUFFER_SIZE;

    /**
     * Both ends of a connected pipe; both overlapped, both the caller's to close (or attach).
     *
     * @param server the server end's raw handle
     * @param client the client end's raw handle
     * @param name   the pipe's name
     */
    public record Pair(long server, long client, String name) {
    }

    private OverlappedPipe() {
    }

    /**
     * A fresh unguessable pipe name.
     *
     * @return a name of the form {@code \\.\pipe\multiwait-PID-HEX} (128 random bits in hex)
     */
    public static String uniqueName() {
        Platform.requireSupported();
        return NamedPipes.uniqueName();
    }

    /**
     * Creates the server end of a new byte-mode duplex pipe, first instance, overlapped.
     *
     * @param name the pipe's name, e.g. from {@link #uniqueName()}
     * @return the server end's raw handle, the caller's to close or attach
     * @throws MultiWaitException naming the pipe and the Win32 error
     */
    public static long createServer(String name) {
        Platform.requireSupported();
        return NamedPipes.createServer(JnaWin32.INSTANCE, name, NamedPipes.PIPE_ACCESS_DUPLEX);
    }

    /**
     * Opens the client end of {@code name}, overlapped, read and write, at identification level.
     *
     * @param name the pipe's name
     * @return the client end's raw handle, the caller's to close or attach
     * @throws MultiWaitException naming the pipe and the Win32 error
     */
    public static long openClient(String name) {
        Platform.requireSupported();
        return NamedPipes.openClient(JnaWin32.INSTANCE, name, NamedPipes.GENERIC_READ | NamedPipes.GENERIC_WRITE, true);
    }

    /**
     * A connected pair: a new server end and a client already connected to it.
     *
     * @return both ends, the caller's to close or attach
     */
    public static Pair create() {
        String name = uniqueName();
        long server = createServer(name);
        try {
            return new Pair(server, openClient(name), name);
        } catch (RuntimeException e) {
            JnaWin32.INSTANCE.closeHandle(server);
            throw e;
        }
    }
}
