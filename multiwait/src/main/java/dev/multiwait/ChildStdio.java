package dev.multiwait;

import dev.multiwait.internal.ChildPipes;
import dev.multiwait.win32.Win32;

import java.util.ArrayList;
import java.util.List;

/**
 * A child's three stdio ends before launch: a pipe (the parent keeps the overlapped end) or, for a
 * redirect, a synchronous non-inheritable handle of ours (a file, NUL, a duplicate of our own std
 * handle). Every handle opened here is ours to close: the child ends once the child has its copies,
 * everything if the launch fails.
 */
final class ChildStdio {
    private static final String[] NAMES = {"stdin", "stdout", "stderr"};
    private static final int[] STD_HANDLES = {-10, -11, -12};
    private static final int GENERIC_READ = 0x80000000;
    private static final int GENERIC_WRITE = 0x40000000;
    private static final int FILE_APPEND_DATA = 0x4;
    private static final int SYNCHRONIZE = 0x00100000;
    private static final int FILE_READ_ATTRIBUTES = 0x80;
    private static final int SHARE_READ_WRITE = 0x3;
    private static final int CREATE_ALWAYS = 2;
    private static final int OPEN_EXISTING = 3;
    private static final int OPEN_ALWAYS = 4;
    private static final int FILE_ATTRIBUTE_NORMAL = 0x80;

    /** What the child inherits, index 0-2; the parent's pipe end per index, 0 where redirected. */
    final long[] childEnds = new long[3];
    final long[] parentEnds = new long[3];
    private final List<Long> opened = new ArrayList<>();
    private final boolean merged;

    /** @throws MultiWaitException naming the call (and the file); nothing is left open */
    ChildStdio(Win32 win32, Redirect[] redirects, boolean mergeErrors) {
        this.merged = mergeErrors;
        try {
            for (int i = 0; i < 3; i++) {
                if (i == 2 && mergeErrors) {
                    childEnds[2] = childEnds[1];
                } else if (redirects[i].kind() == Redirect.Kind.PIPE) {
                    ChildPipes.Pipe p = ChildPipes.create(win32, i == 0);
                    opened.add(p.parentEnd());
                    opened.add(p.childEnd());
                    parentEnds[i] = p.parentEnd();
                    childEnds[i] = p.childEnd();
                } else {
                    childEnds[i] = open(win32, redirects[i], i);
                    opened.add(childEnds[i]);
                }
            }
        } catch (RuntimeException e) {
            closeAll(win32);
            throw e;
        }
    }

    /** The launch failed: close everything opened here. */
    void closeAll(Win32 win32) {
        opened.forEach(win32::closeHandle);
    }

    /** The child has its copies: ours must go, or the parent never sees end of file. */
    void closeChildEnds(Win32 win32) {
        for (int i = 0; i < (merged ? 2 : 3); i++) {
            win32.closeHandle(childEnds[i]);
        }
    }

    private static long open(Win32 win32, Redirect r, int index) {
        switch (r.kind()) {
            case INHERIT:
                long own = win32.getStdHandle(STD_HANDLES[index]);
                if (own == 0 || own == Win32.INVALID_HANDLE_VALUE) {
                    return file(win32, "NUL", GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, index);
                }
                long copy = win32.duplicateHandle(own);
                if (copy == 0) {
                    throw new MultiWaitException("DuplicateHandle (this process's " + NAMES[index] + ")", own,
                            win32.lastError(), null);
                }
                return copy;
            case DISCARD:
                return file(win32, "NUL", GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, index);
            case READ:
                return file(win32, path(r), GENERIC_READ, OPEN_EXISTING, index);
            case WRITE:
                return file(win32, path(r), GENERIC_WRITE, CREATE_ALWAYS, index);
            case APPEND:
                return file(win32, path(r), FILE_APPEND_DATA | SYNCHRONIZE | FILE_READ_ATTRIBUTES, OPEN_ALWAYS, index);
            default:
                throw new IllegalStateException(r.toString());
        }
    }

    private static String path(Redirect r) {
        return r.file().toAbsolutePath().toString();
    }

    private static long file(Win32 win32, String name, int access, int disposition, int index) {
        long h = win32.createFile(name, access, SHARE_READ_WRITE, 0, disposition, FILE_ATTRIBUTE_NORMAL, 0);
        if (h == Win32.INVALID_HANDLE_VALUE) {
            throw new MultiWaitException("CreateFileW(" + name + ") for the child's " + NAMES[index], 0,
                    win32.lastError(), null);
        }
        return h;
    }

    /** Refuses a redirect that cannot apply to stream {@code index} (0 stdin, 1 stdout, 2 stderr). */
    static Redirect check(Redirect r, int index) {
        java.util.Objects.requireNonNull(r, "redirect");
        boolean input = r.kind() == Redirect.Kind.READ;
        boolean output = r.kind() == Redirect.Kind.WRITE || r.kind() == Redirect.Kind.APPEND;
        if (index == 0 ? output : input) {
            throw new IllegalArgumentException(r + " cannot redirect the child's " + NAMES[index]);
        }
        return r;
    }
}
