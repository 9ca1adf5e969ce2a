package dev.multiwait;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.internal.NamedPipes;
import dev.multiwait.win32.JnaWin32;

/**
 * Overlapped named pipes, the kind that can join a completion port (anonymous {@code CreatePipe}
 * pipes cannot). Names are unique and unguessable; the first instance is ours alone
 * (FILE_FLAG_FIRST_PIPE_INSTANCE, one instance), remote clients are refused, and the pipe's DACL
 * admits only the current user (pipe names can be listed, so the default DACL, which lets
 * everyone read, would let another user race for the client end). A client end is opened at
 * identification level ({@code SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION}): the server at the
 * other end of a name it is given can never impersonate the caller.
 */
public final class OverlappedPipe {
    /** 64 KiB each way: small pipe buffers throttle throughput badly. */
    public static final int BUFFER_SIZE = NamedPipes.BUFFER_SIZE;

    /** Both ends of a connected pipe; both overlapped, both the caller's to close (or attach). */
    public record Pair(WinNT.HANDLE server, WinNT.HANDLE client, String name) {
    }

    private OverlappedPipe() {
    }

    /** A fresh unguessable pipe name. */
    public static String uniqueName() {
        return NamedPipes.uniqueName();
    }

    /** Creates the server end of a new byte-mode duplex pipe, first instance, overlapped. */
    public static WinNT.HANDLE createServer(String name) {
        return handle(NamedPipes.createServer(JnaWin32.INSTANCE, name, NamedPipes.PIPE_ACCESS_DUPLEX));
    }

    /** Opens the client end of {@code name}, overlapped, read and write, at identification level. */
    public static WinNT.HANDLE openClient(String name) {
        return handle(NamedPipes.openClient(JnaWin32.INSTANCE, name, NamedPipes.GENERIC_READ | NamedPipes.GENERIC_WRITE, true));
    }

    /** A connected pair: a new server end and a client already connected to it. */
    public static Pair create() {
        String name = uniqueName();
        WinNT.HANDLE server = createServer(name);
        try {
            return new Pair(server, openClient(name), name);
        } catch (RuntimeException e) {
            JnaWin32.INSTANCE.closeHandle(Pointer.nativeValue(server.getPointer()));
            throw e;
        }
    }

    private static WinNT.HANDLE handle(long raw) {
        return new WinNT.HANDLE(new Pointer(raw));
    }
}
