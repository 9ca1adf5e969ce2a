package dev.multiwait.bench.dispatch;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmark measures real dispatch: every turn delivers a full batch to live registrations. */
class DispatchBenchmarkTest {

    @ParameterizedTest
    @CsvSource({"loop,10", "loop,1000", "loop+iocpport,10", "loop+iocpport,1000", "loop+stream,10", "loop+stream,1000",
            "alt-chm,10", "alt-chm,1000", "floor-array,10", "floor-array,1000"})
    void everyTurnDispatchesAFullBatch(String path, int registrations) {
        DispatchBenchmark b = new DispatchBenchmark();
        b.path = path;
        b.registrations = registrations;
        b.setUp();
        for (int i = 0; i < 200; i++) {
            assertEquals(DispatchBenchmark.BATCH, b.turn());
        }
        b.check();
    }
}
