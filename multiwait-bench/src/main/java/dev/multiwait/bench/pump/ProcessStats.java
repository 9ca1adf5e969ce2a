package dev.multiwait.bench.pump;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Tlhelp32;
import com.sun.jna.platform.win32.WinDef;
import com.sun.jna.platform.win32.WinNT;

/**
 * What the Windows JVM can say about its own process without java.management: threads (a
 * Toolhelp snapshot; Wine lists the process's Windows threads), peak working set
 * (GetProcessMemoryInfo; under Wine this is the process's peak resident set), and the Java heap in
 * use, sampled by a daemon thread every few milliseconds.
 */
public final class ProcessStats {
    private static volatile long heapPeak;

    private ProcessStats() {
    }

    public static int processThreads() {
        WinNT.HANDLE snap = Kernel32.INSTANCE.CreateToolhelp32Snapshot(Tlhelp32.TH32CS_SNAPTHREAD, new WinDef.DWORD(0));
        if (snap == null || WinNT.INVALID_HANDLE_VALUE.equals(snap)) {
            return -1;
        }
        try {
            int me = Kernel32.INSTANCE.GetCurrentProcessId();
            Tlhelp32.THREADENTRY32 te = new Tlhelp32.THREADENTRY32();
            int n = 0;
            for (boolean ok = Kernel32.INSTANCE.Thread32First(snap, te); ok; ok = Kernel32.INSTANCE.Thread32Next(snap, te)) {
                if (te.th32OwnerProcessID == me) {
                    n++;
                }
            }
            return n;
        } finally {
            Kernel32.INSTANCE.CloseHandle(snap);
        }
    }

    /** Peak working set of this process so far, in KiB (-1 if unknown). */
    public static long peakWorkingSetKb() {
        long bytes = memoryCounter(BenchKernel32.PMC_PEAK_WORKING_SET);
        return bytes < 0 ? -1 : bytes / 1024;
    }

    /** Private bytes (PROCESS_MEMORY_COUNTERS.PagefileUsage), -1 if unknown. */
    public static long privateBytes() {
        return memoryCounter(BenchKernel32.PMC_PAGEFILE);
    }

    /** One field of GetProcessMemoryInfo's PROCESS_MEMORY_COUNTERS, -1 if the call fails. */
    private static long memoryCounter(int offset) {
        try (Memory pmc = new Memory(BenchKernel32.PMC_SIZE)) {
            pmc.clear();
            pmc.setInt(0, BenchKernel32.PMC_SIZE);
            if (!BenchKernel32.K32GetProcessMemoryInfo(BenchKernel32.GetCurrentProcess(), Pointer.nativeValue(pmc),
                    BenchKernel32.PMC_SIZE)) {
                return -1;
            }
            return pmc.getLong(offset);
        }
    }

    public static void startHeapSampler() {
        Thread t = new Thread(() -> {
            Runtime rt = Runtime.getRuntime();
            while (true) {
                long used = rt.totalMemory() - rt.freeMemory();
                if (used > heapPeak) {
                    heapPeak = used;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        t.setDaemon(true);
        t.start();
    }

    /** Peak Java heap in use since the last reset, in KiB. */
    public static long heapPeakKb() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return Math.max(heapPeak, used) / 1024;
    }

    public static void resetHeapPeak() {
        heapPeak = 0;
    }
}
