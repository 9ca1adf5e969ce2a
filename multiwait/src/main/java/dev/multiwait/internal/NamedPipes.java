package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Named-pipe naming and security for every pipe the library creates ({@code OverlappedPipe}, a
 * child's stdio). Names are unique and unguessable; the server end is the first and only instance
 * (FILE_FLAG_FIRST_PIPE_INSTANCE), refuses remote clients, and its protected DACL admits only the
 * current user (pipe names can be listed, so the default DACL, which lets everyone read, would let
 * another user race for the client end). A client opens with SECURITY_SQOS_PRESENT |
 * SECURITY_IDENTIFICATION, so the server at the other end can identify the caller but never act as it.
 */
public final class NamedPipes {
    /** 64 KiB each way: small pipe buffers throttle throughput badly. */
    public static final int BUFFER_SIZE = 64 * 1024;
    public static final int PIPE_ACCESS_INBOUND = 0x1;
    public static final int PIPE_ACCESS_OUTBOUND = 0x2;
    public static final int PIPE_ACCESS_DUPLEX = 0x3;
    public static final int GENERIC_READ = 0x80000000;
    public static final int GENERIC_WRITE = 0x40000000;
    public static final int FILE_READ_ATTRIBUTES = 0x80;
    public static final int FILE_WRITE_ATTRIBUTES = 0x100;
    static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    /** PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT are all 0. */
    static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    static final int OPEN_EXISTING = 3;
    static final int SECURITY_SQOS_PRESENT = 0x00100000;
    /** SecurityIdentification (1) << 16. */
    static final int SECURITY_IDENTIFICATION = 0x00010000;
    /** SECURITY_ATTRIBUTES: nLength, lpSecurityDescriptor @8, bInheritHandle @16. */
    private static final int SECURITY_ATTRIBUTES_SIZE = 24;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile String sddl;

    private NamedPipes() {
    }

    /** A fresh unguessable pipe name. */
    public static String uniqueName() {
        byte[] r = new byte[16];
        RANDOM.nextBytes(r);
        return "\\\\.\\pipe\\multiwait-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r);
    }

    /**
     * The overlapped server end of a new byte-mode pipe, first and only instance, not inheritable.
     *
     * @param access PIPE_ACCESS_INBOUND, _OUTBOUND or _DUPLEX
     * @throws MultiWaitException naming the call and the pipe; nothing is left open
     */
    public static long createServer(Win32 win32, String name, int access) {
        try (Memory sa = new Memory(SECURITY_ATTRIBUTES_SIZE); Memory descriptor = new Memory(8)) {
            sa.clear();
            sa.setInt(0, SECURITY_ATTRIBUTES_SIZE);
            descriptor.setLong(0, 0);
            if (!win32.convertStringSecurityDescriptor(currentUserOnly(win32), Pointer.nativeValue(descriptor))) {
                throw new MultiWaitException("ConvertStringSecurityDescriptorToSecurityDescriptorW", 0, win32.lastError(), null);
            }
            sa.setLong(8, descriptor.getLong(0));
            long h = win32.createNamedPipe(name, access | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                    PIPE_REJECT_REMOTE_CLIENTS, 1, BUFFER_SIZE, BUFFER_SIZE, 0, Pointer.nativeValue(sa));
            int error = win32.lastError();
            win32.localFree(descriptor.getLong(0));
            if (h == Win32.INVALID_HANDLE_VALUE) {
                throw new MultiWaitException("CreateNamedPipeW(" + name + ")", 0, error, null);
            }
            return h;
        }
    }

    /**
     * Opens the client end of {@code name} at identification level only, not inheritable.
     *
     * @param overlapped true for an end that joins a port, false for a child's synchronous stdio
     * @throws MultiWaitException naming the call and the pipe
     */
    public static long openClient(Win32 win32, String name, int access, boolean overlapped) {
        long h = win32.createFile(name, access, 0, 0, OPEN_EXISTING,
                (overlapped ? FILE_FLAG_OVERLAPPED : 0) | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, 0);
        if (h == Win32.INVALID_HANDLE_VALUE) {
            throw new MultiWaitException("CreateFileW(" + name + ")", 0, win32.lastError(), null);
        }
        return h;
    }

    /** "Protected DACL: generic-all to the current user's SID, nobody else." */
    static String currentUserOnly(Win32 win32) {
        String s = sddl;
        if (s == null) {
            String sid = win32.currentUserSid();
            if (sid == null) {
                throw new MultiWaitException("OpenProcessToken/GetTokenInformation (current user)", 0, win32.lastError(), null);
            }
            s = "D:P(A;;GA;;;" + sid + ")";
            sddl = s;
        }
        return s;
    }
}
