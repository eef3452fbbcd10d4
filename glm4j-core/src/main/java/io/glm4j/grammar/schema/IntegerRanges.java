package io.glm4j.grammar.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for the decimal integers in a range, written without leading zeros (and without
 * {@code -0}): {@code [12, 345]} becomes the digit-by-digit alternatives of each length, as
 * one would write a regular expression for a numeric range. Bounds are clipped to 16 digits,
 * the longest integer the JSON grammars here write.
 */
final class IntegerRanges {
    static final long LIMIT = 9_999_999_999_999_999L;

    private IntegerRanges() {}

    /** Integers in {@code [lo, hi]}; a null bound is open. */
    static String of(Long lo, Long hi) {
        long a = lo == null ? -LIMIT : Math.max(lo, -LIMIT);
        long b = hi == null ? LIMIT : Math.min(hi, LIMIT);
        if (a > b) throw new IllegalArgumentException("empty integer range");
        List<String> alts = new ArrayList<>();
        if (a < 0) {
            long magLo = Math.max(1, b < 0 ? -b : 1), magHi = -a;
            alts.add("\"-\" " + paren(nonNegative(magLo, magHi, lo == null)));
        }
        if (b >= 0) alts.add(nonNegative(Math.max(0, a), b, hi == null));
        return String.join(" | ", alts);
    }

    /** Non-negative integers in {@code [a, b]}; {@code open}: b is the digit limit, not a real bound. */
    private static String nonNegative(long a, long b, boolean open) {
        List<String> alts = new ArrayList<>();
        int from = digits(a), to = digits(b);
        for (int d = from; d <= to; d++) {
            long lo = Math.max(a, d == 1 ? 0 : pow10(d - 1));
            long hi = Math.min(b, pow10(d) - 1);
            if (open && d > from && d < to) continue; // covered by the open tail below
            if (open && d == to && d > from) {
                alts.add("[1-9] [0-9]{" + from + "," + (to - 1) + "}");
                continue;
            }
            alts.add(fixed(lo, hi, d));
        }
        return String.join(" | ", alts);
    }

    /** Exactly {@code width} digits (leading zeros allowed) between lo and hi. */
    private static String fixed(long lo, long hi, int width) {
        if (width == 1) return lo == hi ? "\"" + lo + "\"" : "[" + lo + "-" + hi + "]";
        long p = pow10(width - 1);
        long fl = lo / p, fh = hi / p, rl = lo % p, rh = hi % p;
        if (fl == fh) return "\"" + fl + "\" " + paren(fixed(rl, rh, width - 1));
        List<String> alts = new ArrayList<>();
        long firstFull = fl, lastFull = fh;
        if (rl != 0) {
            alts.add("\"" + fl + "\" " + paren(fixed(rl, p - 1, width - 1)));
            firstFull++;
        }
        boolean lastPartial = rh != p - 1;
        if (lastPartial) lastFull--;
        if (firstFull <= lastFull) {
            String digit = firstFull == lastFull ? "\"" + firstFull + "\"" : "[" + firstFull + "-" + lastFull + "]";
            alts.add(digit + " [0-9]{" + (width - 1) + "}");
        }
        if (lastPartial) alts.add("\"" + fh + "\" " + paren(fixed(0, rh, width - 1)));
        return String.join(" | ", alts);
    }

    private static String paren(String s) {
        return "(" + s + ")";
    }

    private static int digits(long v) {
        return Long.toString(v).length();
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
