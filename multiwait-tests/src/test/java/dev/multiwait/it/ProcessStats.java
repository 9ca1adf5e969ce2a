package dev.multiwait.it;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Tlhelp32;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.internal.NativeOp;
import dev.multiwait.demo.HandleCount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a leak test compares before and after: open handles (system handle list under Wine),
 * native threads (Toolhelp snapshot), JVM threads, private bytes (PROCESS_MEMORY_COUNTERS.PagefileUsage,
 * which Wine fills; it is the private commit on Windows), the JVM heap's share of it, and the
 * library's own native blocks (NativeOp allocated minus freed) and abandoned blocks.
 */
record ProcessStats(int handles, int nativeThreads, int javaThreads, long privateBytes, long heapCommitted,
                    long nativeBlocks, int abandonedBlocks) {

    static ProcessStats now() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            FaultInjectionTest.sleep(20);
        }
        Runtime rt = Runtime.getRuntime();
        return new ProcessStats(HandleCount.ofThisProcess(), countNativeThreads(), Thread.getAllStackTraces().size(),
                readPrivateBytes(), rt.totalMemory(), NativeOp.liveBlocks(), NativeOp.abandonedCount());
    }

    /** Private bytes not taken by the Java heap: where a native leak would show. */
    long nonHeapPrivateBytes() {
        return privateBytes - heapCommitted;
    }

    static int countNativeThreads() {
        Kernel32 k = Kernel32.INSTANCE;
        WinNT.HANDLE snap = k.CreateToolhelp32Snapshot(Tlhelp32.TH32CS_SNAPTHREAD, new WinDef.DWORD(0));
        if (snap == null || WinNT.INVALID_HANDLE_VALUE.equals(snap)) {
            return -1;
        }
        try {
            Tlhelp32.THREADENTRY32 te = new Tlhelp32.THREADENTRY32();
            int pid = k.GetCurrentProcessId();
            int n = 0;
            if (k.Thread32First(snap, te)) {
                do {
                    if (te.th32OwnerProcessID == pid) {
                        n++;
                    }
                } while (k.Thread32Next(snap, te));
            }
            return n;
        } finally {
            k.CloseHandle(snap);
        }
    }

    /** K32GetProcessMemoryInfo into a PROCESS_MEMORY_COUNTERS (72 bytes; PagefileUsage at 56), which jna-platform lacks. */
    interface MemoryInfo extends Library {
        MemoryInfo INSTANCE = Native.load("kernel32", MemoryInfo.class);

        boolean K32GetProcessMemoryInfo(Pointer process, Memory counters, int size);
    }

    static long readPrivateBytes() {
        try (Memory c = new Memory(72)) {
            c.clear();
            c.setInt(0, 72);
            if (!MemoryInfo.INSTANCE.K32GetProcessMemoryInfo(new Pointer(-1), c, 72)) {
                return -1;
            }
            return c.getLong(56);
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return handles + " handles, " + nativeThreads + " native threads (" + javaThreads + " JVM), private bytes "
                + mib(privateBytes) + " (" + mib(nonHeapPrivateBytes()) + " outside the Java heap), "
                + nativeBlocks + " native blocks, " + abandonedBlocks + " abandoned";
    }

    /** Appends a line to target/reliability/{@code file}, where RELIABILITY.md's figures come from. */
    static void record(String file, String line) {
        try {
            Path p = Path.of("target", "reliability", file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void reset(String file) {
        try {
            Files.deleteIfExists(Path.of("target", "reliability", file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
