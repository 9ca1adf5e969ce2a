package dev.multiwait.it;

import dev.multiwait.demo.HandleCount;

import java.util.ArrayList;
import java.util.List;

/**
 * This process's handle count for leak checks, read when it stands still: handles of earlier tests
 * close on their own schedule (under Wine an exited child's ~0.1 s after its exit is seen, thread-pool
 * workers when they idle out), so a count read at once may still be falling.
 */
final class HandleCounts {
    private static final long SAMPLE_MILLIS = 25;
    /** Longer than the ~0.1 s Wine takes to close an exited child's handles. */
    private static final int STEADY_SAMPLES = 8;
    private static final int MAX_SAMPLES = 200;

    private HandleCounts() {
    }

    /** The count once it has not moved for {@code STEADY_SAMPLES} samples (at most ~5 s), for a baseline. */
    static int steady() {
        List<Integer> seen = new ArrayList<>();
        int n = HandleCount.ofThisProcess();
        seen.add(n);
        int same = 1;
        while (same < STEADY_SAMPLES && seen.size() < MAX_SAMPLES) {
            FaultInjectionTest.sleep(SAMPLE_MILLIS);
            int next = HandleCount.ofThisProcess();
            same = next == n ? same + 1 : 1;
            n = next;
            seen.add(n);
        }
        if (seen.stream().distinct().count() > 1) {
            System.out.println("[HandleCounts] the count moved before the baseline was taken: " + seen);
        }
        return n;
    }

    /**
     * This process's count before and after {@code action}, from a steady baseline; measured again (three
     * tries at most) while it came out lower: something else closed a handle meanwhile. A leak raises the
     * count, so it is never measured away; an action closing a handle not its own lowers it every try.
     */
    static int[] around(Runnable action) {
        int before;
        int after;
        int attempt = 0;
        do {
            before = steady();
            action.run();
            after = settled(before, 0);
            if (after < before) {
                System.out.println("[HandleCounts] fell from " + before + " to " + after + " meanwhile: measuring again");
            }
        } while (after < before && ++attempt < 3);
        return new int[] {before, after};
    }

    /** The count, given up to ~1 s to come back to within {@code slack} of {@code baseline} (threads starting and ending). */
    static int settled(int baseline, int slack) {
        int n = HandleCount.ofThisProcess();
        for (int i = 0; i < 20 && n - baseline > slack; i++) {
            FaultInjectionTest.sleep(50);
            n = HandleCount.ofThisProcess();
        }
        return n;
    }
}
