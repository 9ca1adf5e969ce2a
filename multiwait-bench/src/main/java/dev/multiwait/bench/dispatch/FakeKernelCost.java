package dev.multiwait.bench.dispatch;

import dev.multiwait.win32.Win32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What the fake kernel itself costs the {@code loop+stream} variant per completion: the two calls
 * that variant makes through the {@link Win32} proxy (ReadFile, then GetLastError). Subtract it to
 * see the library's own share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FakeKernelCost {
    private final FakeKernel kernel = new FakeKernel();
    private final Win32 win32 = FakeKernel.create(kernel);
    private long handle = 0x10000;

    {
        kernel.stopRecording();
    }

    @Benchmark
    public int readFileThenLastError() {
        boolean ok = win32.readFile(handle, 0x20000, 1024, 0x30000);
        return ok ? 0 : win32.lastError();
    }
}
