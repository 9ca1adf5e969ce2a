package dev.multiwait.demo;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * How many handles this process has open, for leak checks and the demo's peak figure.
 * GetProcessHandleCount where it answers (Windows); where it answers 0, as Wine's does, the
 * system handle list (NtQuerySystemInformation(SystemExtendedHandleInformation)) filtered by pid.
 */
public final class HandleCount {
    private static final int SYSTEM_EXTENDED_HANDLE_INFORMATION = 64;
    private static final int STATUS_INFO_LENGTH_MISMATCH = 0xC0000004;
    /** SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX: Object, UniqueProcessId @8, ...; 40 bytes. Header: count, reserved. */
    private static final int ENTRY_SIZE = 40;
    private static final int HEADER_SIZE = 16;

    static {
        Native.register(HandleCount.class, NativeLibrary.getInstance("ntdll"));
    }

    private HandleCount() {
    }

    private static native int NtQuerySystemInformation(int infoClass, long buffer, int length, long returnLength);

    /** kernel32's half: direct mapping binds one library per class. */
    private static final class Kernel32 {
        static {
            Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
        }

        static native boolean GetProcessHandleCount(long process, long count);

        static native long GetCurrentProcess();
    }

    /** Handles open in this process as GetProcessHandleCount says, or -1 where the call fails. */
    static int processHandleCount() {
        try (Memory count = new Memory(4)) {
            if (!Kernel32.GetProcessHandleCount(Kernel32.GetCurrentProcess(), Pointer.nativeValue(count))) {
                return -1;
            }
            return count.getInt(0);
        }
    }

    /** The number of open handles of this process, or -1 if neither source answers. */
    public static int ofThisProcess() {
        int count = processHandleCount();
        return count > 0 ? count : fromSystemList(ProcessHandle.current().pid());
    }

    static int fromSystemList(long pid) {
        int length = 1 << 20;
        for (int attempt = 0; attempt < 8; attempt++) {
            try (Memory buffer = new Memory(length); Memory needed = new Memory(4)) {
                needed.setInt(0, 0);
                int status = NtQuerySystemInformation(SYSTEM_EXTENDED_HANDLE_INFORMATION, Pointer.nativeValue(buffer),
                        length, Pointer.nativeValue(needed));
                if (status == STATUS_INFO_LENGTH_MISMATCH) {
                    length = Math.max(length * 2, needed.getInt(0) + (1 << 16));
                    continue;
                }
                if (status != 0) {
                    return -1;
                }
                long entries = buffer.getLong(0);
                int mine = 0;
                for (long i = 0; i < entries; i++) {
                    if (buffer.getLong(HEADER_SIZE + i * ENTRY_SIZE + 8) == pid) {
                        mine++;
                    }
                }
                return mine;
            }
        }
        return -1;
    }
}
