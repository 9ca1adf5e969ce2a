package dev.multiwait.internal;

import dev.multiwait.win32.Win32;

/**
 * One stdio pipe for a child: the parent's end is overlapped (it joins the port), the child's end
 * is synchronous (what console programs expect) and created non-inheritable; the launcher makes it
 * inheritable only for the instant of CreateProcessW. Naming and security: {@link NamedPipes}.
 */
public final class ChildPipes {
    private ChildPipes() {
    }

    /** The two ends, as raw handles. */
    public record Pipe(long parentEnd, long childEnd, String name) {
    }

    /**
     * @param parentWrites true for the child's stdin, false for stdout/stderr
     * @throws dev.multiwait.MultiWaitException naming the failed call; nothing is left open
     */
    public static Pipe create(Win32 win32, boolean parentWrites) {
        String name = NamedPipes.uniqueName();
        long parent = NamedPipes.createServer(win32, name,
                parentWrites ? NamedPipes.PIPE_ACCESS_OUTBOUND : NamedPipes.PIPE_ACCESS_INBOUND);
        try {
            long child = NamedPipes.openClient(win32, name,
                    parentWrites ? NamedPipes.GENERIC_READ | NamedPipes.FILE_WRITE_ATTRIBUTES
                            : NamedPipes.GENERIC_WRITE | NamedPipes.FILE_READ_ATTRIBUTES, false);
            return new Pipe(parent, child, name);
        } catch (RuntimeException e) {
            win32.closeHandle(parent);
            throw e;
        }
    }
}
