package io.glm4j.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of Unicode scalar values as sorted, disjoint, non-adjacent inclusive ranges
 * {@code [lo0, hi0, lo1, hi1, ...]}. Surrogates (U+D800..U+DFFF) are never members: they have
 * no UTF-8 form, so a grammar cannot produce them.
 */
public record CodePoints(int[] ranges) {
    public static final int MAX = 0x10FFFF;
    private static final int SURROGATE_LO = 0xD800, SURROGATE_HI = 0xDFFF;

    public static final CodePoints ALL = of(0, MAX);

    public CodePoints {
        ranges = normalize(ranges);
    }

    public static CodePoints of(int... ranges) {
        return new CodePoints(ranges);
    }

    public static CodePoints single(int codePoint) {
        return of(codePoint, codePoint);
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    public boolean contains(int codePoint) {
        for (int i = 0; i < ranges.length; i += 2) if (codePoint >= ranges[i] && codePoint <= ranges[i + 1]) return true;
        return false;
    }

    public CodePoints union(CodePoints other) {
        int[] both = Arrays.copyOf(ranges, ranges.length + other.ranges.length);
        System.arraycopy(other.ranges, 0, both, ranges.length, other.ranges.length);
        return new CodePoints(both);
    }

    public CodePoints complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) {
                out.add(next);
                out.add(ranges[i] - 1);
            }
            next = ranges[i + 1] + 1;
        }
        if (next <= MAX) {
            out.add(next);
            out.add(MAX);
        }
        return new CodePoints(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CodePoints minus(CodePoints other) {
        return complement().union(other).complement();
    }

    /** Sorts, merges overlapping or adjacent ranges, clips to the code space and drops surrogates. */
    private static int[] normalize(int[] raw) {
        if (raw.length % 2 != 0) throw new IllegalArgumentException("ranges come in pairs");
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < raw.length; i += 2) {
            int lo = Math.max(0, raw[i]), hi = Math.min(MAX, raw[i + 1]);
            if (lo > hi) continue;
            if (lo < SURROGATE_LO && hi > SURROGATE_HI) {
                pairs.add(new int[] {lo, SURROGATE_LO - 1});
                pairs.add(new int[] {SURROGATE_HI + 1, hi});
            } else {
                if (lo >= SURROGATE_LO && lo <= SURROGATE_HI) lo = SURROGATE_HI + 1;
                if (hi >= SURROGATE_LO && hi <= SURROGATE_HI) hi = SURROGATE_LO - 1;
                if (lo <= hi) pairs.add(new int[] {lo, hi});
            }
        }
        pairs.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<Integer> out = new ArrayList<>();
        for (int[] p : pairs) {
            int n = out.size();
            if (n > 0 && p[0] <= out.get(n - 1) + 1) {
                out.set(n - 1, Math.max(out.get(n - 1), p[1]));
            } else {
                out.add(p[0]);
                out.add(p[1]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodePoints c && Arrays.equals(ranges, c.ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < ranges.length; i += 2) {
            s.append(String.format("%X", ranges[i]));
            if (ranges[i + 1] != ranges[i]) s.append('-').append(String.format("%X", ranges[i + 1]));
            if (i + 2 < ranges.length) s.append(' ');
        }
        return s.append(']').toString();
    }
}
