package dev.multiwait.win32;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * Finds ReadConsoleInputExW, the documented (import-library-less) console read that can return
 * without waiting. Wine 8 exports the name as a stub that raises when called, so under Wine (ntdll
 * exports wine_get_version) it is treated as absent and callers keep ReadConsoleInputW.
 */
final class ConsoleNoWait {
    /** CONSOLE_READ_NOWAIT, a USHORT. */
    static final short FLAGS = 0x0002;
    /** ReadConsoleInputExW where it is real, else null; looked up at first use. */
    static final Function READ = lookUp();

    private ConsoleNoWait() {
    }

    private static Function lookUp() {
        if (isWine()) {
            return null;
        }
        try {
            return NativeLibrary.getInstance("kernel32").getFunction("ReadConsoleInputExW");
        } catch (UnsatisfiedLinkError absent) {
            return null;
        }
    }

    static boolean isWine() {
        try {
            NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            return true;
        } catch (UnsatisfiedLinkError notWine) {
            return false;
        }
    }
}
