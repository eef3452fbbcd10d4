package io.glm4j.perf;

import java.util.Arrays;

/**
 * Tokens per second of repeated runs, summarised as llama-bench does: the mean of the per-run
 * rates and their sample standard deviation.
 */
public record Throughput(int tokens, double[] samples) {

    public Throughput {
        samples = samples.clone();
    }

    /** A run of {@code tokens} tokens per repetition that took {@code nanos[i]} nanoseconds. */
    public static Throughput of(int tokens, long[] nanos) {
        return new Throughput(tokens, Arrays.stream(nanos).mapToDouble(ns -> tokens / (ns / 1e9)).toArray());
    }

    /** The repetitions' time together, in seconds. */
    public double seconds() {
        return Arrays.stream(samples).map(s -> tokens / s).sum();
    }

    public double mean() {
        return Arrays.stream(samples).average().orElse(0);
    }

    /** Sample standard deviation (n − 1), 0 for fewer than two runs. */
    public double sd() {
        int n = samples.length;
        if (n < 2) return 0;
        double mean = mean();
        double squares = Arrays.stream(samples).map(s -> (s - mean) * (s - mean)).sum();
        return Math.sqrt(squares / (n - 1));
    }
}
