package dev.multiwait.it;

import dev.multiwait.win32.JnaWin32;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The real native layer, keeping the handles the library opened through CreateFileW, CreateNamedPipeW
 * and DuplicateHandle until it closes them: a leak check that other threads' handles cannot disturb.
 */
final class HandleLedger extends JnaWin32 {
    private final Set<Long> open = new LinkedHashSet<>();
    /** The names CreateFileW was asked to open, whether it succeeded or not. */
    final List<String> createFileNames = Collections.synchronizedList(new ArrayList<>());

    @Override
    public long createFile(String name, int access, int shareMode, long securityAttributes, int disposition, int flags,
                           long templateFile) {
        createFileNames.add(name);
        return opened(super.createFile(name, access, shareMode, securityAttributes, disposition, flags, templateFile));
    }

    @Override
    public long createNamedPipe(String name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
                                int inBufferSize, int defaultTimeoutMillis, long securityAttributes) {
        return opened(super.createNamedPipe(name, openMode, pipeMode, maxInstances, outBufferSize, inBufferSize,
                defaultTimeoutMillis, securityAttributes));
    }

    @Override
    public long duplicateHandle(long handle) {
        return opened(super.duplicateHandle(handle));
    }

    @Override
    public boolean closeHandle(long handle) {
        synchronized (open) {
            open.remove(handle);
        }
        return super.closeHandle(handle);
    }

    private long opened(long handle) {
        if (handle != 0 && handle != INVALID_HANDLE_VALUE) {
            synchronized (open) {
                open.add(handle);
            }
        }
        return handle;
    }

    /** Handles opened through this ledger and not closed yet. */
    Set<Long> stillOpen() {
        synchronized (open) {
            return Set.copyOf(open);
        }
    }
}
