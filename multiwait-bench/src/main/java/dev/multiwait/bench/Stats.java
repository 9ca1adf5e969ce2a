package dev.multiwait.bench;

import java.util.Arrays;
import java.util.List;

/** Median, quartiles and range of repeated measurements (never one run). */
public record Stats(int n, double min, double q1, double median, double q3, double max) {

    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return new Stats(v.length, v[0], quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75), v[v.length - 1]);
    }

    /** Linear interpolation between order statistics (type 7, as R and NumPy default). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Interquartile range relative to the median, in percent. */
    public double iqrPercent() {
        return median == 0 ? 0 : 100 * (q3 - q1) / median;
    }

    public boolean overlaps(Stats other) {
        return min <= other.max && other.min <= max;
    }
}
