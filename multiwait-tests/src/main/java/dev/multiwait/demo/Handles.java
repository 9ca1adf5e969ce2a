package dev.multiwait.demo;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT;

/** Between JNA's handle type (what jna-platform's Kernel32 takes and gives) and multiwait's raw handle values. */
public final class Handles {
    private Handles() {
    }

    /** The raw value of a JNA handle, as multiwait takes it. */
    public static long raw(WinNT.HANDLE handle) {
        return Pointer.nativeValue(handle.getPointer());
    }

    /** A JNA handle for a raw value, for jna-platform's Kernel32. */
    public static WinNT.HANDLE handle(long raw) {
        return new WinNT.HANDLE(new Pointer(raw));
    }
}
