package dev.multiwait.bench.dispatch;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;

/**
 * Scenario 1 on the Linux JVM: runs {@link DispatchBenchmark} and {@link FakeKernelCost} with JMH
 * and prints one line per measured iteration (every fork), for the report to take medians and
 * spreads from:
 * <pre>
 * BENCH name=dispatch path=P registrations=N fork=F iter=I ns_per_completion=X
 * BENCH name=fake_kernel fork=F iter=I ns_per_call_pair=X
 * </pre>
 * {@code DispatchMain [--quick] [--log FILE]}: JMH's own human-readable output goes to FILE.
 */
public final class DispatchMain {
    private DispatchMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String log = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("--log") && i + 1 < args.length) {
                log = args[++i];
            } else {
                System.err.println("usage: DispatchMain [--quick] [--log FILE]");
                System.exit(2);
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(DispatchBenchmark.class.getName() + "\\.")
                .include(FakeKernelCost.class.getName() + "\\.")
                .forks(quick ? 1 : 2)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.milliseconds(quick ? 200 : 500))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.milliseconds(quick ? 300 : 600))
                .jvmArgsAppend("-Xms2g", "-Xmx2g")
                .shouldFailOnError(true);
        if (log != null) {
            options.output(log);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult run : results) {
            String bench = run.getParams().getBenchmark();
            boolean dispatch = bench.startsWith(DispatchBenchmark.class.getName());
            String head = dispatch
                    ? "BENCH name=dispatch path=" + run.getParams().getParam("path")
                    + " registrations=" + run.getParams().getParam("registrations")
                    : "BENCH name=fake_kernel";
            int fork = 0;
            for (BenchmarkResult forkResult : run.getBenchmarkResults()) {
                fork++;
                int iter = 0;
                for (IterationResult it : forkResult.getIterationResults()) {
                    iter++;
                    System.out.println(String.format(Locale.ROOT, "%s fork=%d iter=%d %s=%.2f", head, fork, iter,
                            dispatch ? "ns_per_completion" : "ns_per_call_pair", it.getPrimaryResult().getScore()));
                }
            }
        }
    }
}
