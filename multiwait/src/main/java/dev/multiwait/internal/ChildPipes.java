package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.win32.ProcessDirect;

import static dev.multiwait.win32.ProcessDirect.CreateFileW;
import static dev.multiwait.win32.ProcessDirect.CreateNamedPipeW;

/**
 * One stdio pipe for a child: the parent's end is overlapped (it joins the port), the child's end
 * is synchronous (what console programs expect) and created non-inheritable; the launcher makes it
 * inheritable only for the instant of CreateProcessW. The pipe has a unique unguessable name, is
 * the first and only instance, refuses remote clients, and its DACL admits only the current user.
 */
public final class ChildPipes {
    private static volatile String sddl;

    private ChildPipes() {
    }

    /** The two ends, as raw handles. */
    public record Pipe(long parentEnd, long childEnd, String name) {
    }

    /** @param parentWrites true for the child's stdin, false for stdout/stderr */
    public static Pipe create(boolean parentWrites) {
        String name = OverlappedPipe.uniqueName();
        char[] wname = Native.toCharArray(name);
        long parent;
        try (Memory sa = securityAttributes()) {
            parent = CreateNamedPipeW(wname,
                    (parentWrites ? ProcessDirect.PIPE_ACCESS_OUTBOUND : ProcessDirect.PIPE_ACCESS_INBOUND)
                            | ProcessDirect.FILE_FLAG_OVERLAPPED | ProcessDirect.FILE_FLAG_FIRST_PIPE_INSTANCE,
                    ProcessDirect.PIPE_TYPE_BYTE | ProcessDirect.PIPE_REJECT_REMOTE_CLIENTS,
                    1, OverlappedPipe.BUFFER_SIZE, OverlappedPipe.BUFFER_SIZE, 0, Pointer.nativeValue(sa));
            int error = Native.getLastError();
            freeDescriptor(sa);
            if (parent == -1) {
                throw new MultiWaitException("CreateNamedPipeW(" + name + ")", 0, error, null);
            }
        }
        long child = CreateFileW(wname,
                parentWrites ? ProcessDirect.GENERIC_READ | ProcessDirect.FILE_WRITE_ATTRIBUTES
                        : ProcessDirect.GENERIC_WRITE | ProcessDirect.FILE_READ_ATTRIBUTES,
                0, 0, ProcessDirect.OPEN_EXISTING, 0, 0);
        if (child == -1) {
            int error = Native.getLastError();
            ProcessDirect.CloseHandle(parent);
            throw new MultiWaitException("CreateFileW(" + name + ")", 0, error, null);
        }
        return new Pipe(parent, child, name);
    }

    /**
     * SECURITY_ATTRIBUTES (not inheritable) whose descriptor admits only the current user; free the
     * descriptor with {@link #freeDescriptor} before closing it.
     */
    public static Memory securityAttributes() {
        Memory sa = new Memory(ProcessDirect.SECURITY_ATTRIBUTES_SIZE);
        sa.clear();
        sa.setInt(0, ProcessDirect.SECURITY_ATTRIBUTES_SIZE);
        try (Memory out = new Memory(8)) {
            out.setLong(0, 0);
            if (!ProcessDirect.Advapi.ConvertStringSecurityDescriptorToSecurityDescriptorW(
                    Native.toCharArray(currentUserOnly()), 1, Pointer.nativeValue(out), 0)) {
                int error = Native.getLastError();
                sa.close();
                throw new MultiWaitException("ConvertStringSecurityDescriptorToSecurityDescriptorW", 0, error, null);
            }
            sa.setLong(8, out.getLong(0));
        }
        return sa;
    }

    public static void freeDescriptor(Memory sa) {
        long sd = sa.getLong(8);
        if (sd != 0) {
            ProcessDirect.LocalFree(sd);
        }
    }

    /** "Protected DACL: generic-all to the current user's SID, nobody else." */
    static String currentUserOnly() {
        String s = sddl;
        if (s == null) {
            WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
            if (!Advapi32.INSTANCE.OpenProcessToken(Kernel32.INSTANCE.GetCurrentProcess(), WinNT.TOKEN_QUERY, token)) {
                throw new MultiWaitException("OpenProcessToken", 0, Kernel32.INSTANCE.GetLastError(), null);
            }
            try {
                s = "D:P(A;;GA;;;" + Advapi32Util.getTokenAccount(token.getValue()).sidString + ")";
            } finally {
                Kernel32.INSTANCE.CloseHandle(token.getValue());
            }
            sddl = s;
        }
        return s;
    }
}
