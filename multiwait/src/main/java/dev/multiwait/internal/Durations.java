package dev.multiwait.internal;

import java.time.Duration;
import java.util.Objects;

/** Checks a Duration given to the public API and turns it into nanoseconds. */
public final class Durations {
    private Durations() {
    }

    /** {@code d} in nanoseconds, saturated (about 292 years); null and negative refused, naming {@code what}. */
    public static long nanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : d.toNanos();
    }
}
