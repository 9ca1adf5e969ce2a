package dev.multiwait;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import dev.multiwait.internal.ChildPipes;
import dev.multiwait.internal.Platform;
import dev.multiwait.win32.ProcessDirect;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Overlapped named pipes, the kind that can join a completion port (anonymous {@code CreatePipe}
 * pipes cannot). Names are unique and unguessable; the first instance is ours alone
 * (FILE_FLAG_FIRST_PIPE_INSTANCE, one instance), remote clients are refused, and the pipe's DACL
 * admits only the current user (pipe names can be listed, so the default DACL, which lets
 * everyone read, would let another user race for the client end). Every method throws
 * {@link UnsupportedOperationException} where {@link MultiHandleWait#isSupported()} is false.
 */
public final class OverlappedPipe {
    /** 64 KiB each way: small pipe buffers throttle throughput badly. */
    public static final int BUFFER_SIZE = 64 * 1024;
    private static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    private static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    private static final SecureRandom RANDOM = new SecureRandom();

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
        byte[] r = new byte[16];
        RANDOM.nextBytes(r);
        return "\\\\.\\pipe\\multiwait-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r);
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
        long h;
        int error;
        try (Memory sa = ChildPipes.securityAttributes()) {
            h = ProcessDirect.CreateNamedPipeW(Native.toCharArray(name),
                    WinBase.PIPE_ACCESS_DUPLEX | WinNT.FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                    WinBase.PIPE_TYPE_BYTE | WinBase.PIPE_READMODE_BYTE | WinBase.PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                    1, BUFFER_SIZE, BUFFER_SIZE, 0, Pointer.nativeValue(sa));
            error = Native.getLastError();
            ChildPipes.freeDescriptor(sa);
        }
        if (h == -1) {
            throw new MultiWaitException("CreateNamedPipeW(" + name + ")", 0, error, null);
        }
        return h;
    }

    /**
     * Opens the client end of {@code name}, overlapped, read and write.
     *
     * @param name the pipe's name
     * @return the client end's raw handle, the caller's to close or attach
     * @throws MultiWaitException naming the pipe and the Win32 error
     */
    public static long openClient(String name) {
        Platform.requireSupported();
        WinNT.HANDLE h = Kernel32.INSTANCE.CreateFile(name, WinNT.GENERIC_READ | WinNT.GENERIC_WRITE, 0, null,
                WinNT.OPEN_EXISTING, WinNT.FILE_FLAG_OVERLAPPED, null);
        if (WinBase.INVALID_HANDLE_VALUE.equals(h)) {
            throw new MultiWaitException("CreateFileW(" + name + ")", 0, Kernel32.INSTANCE.GetLastError(), null);
        }
        return Pointer.nativeValue(h.getPointer());
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
            ProcessDirect.CloseHandle(server);
            throw e;
        }
    }
}
