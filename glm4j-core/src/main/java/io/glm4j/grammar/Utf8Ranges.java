package io.glm4j.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a range of code points into the byte-range sequences that spell exactly those code points
 * in UTF-8, so that a character class can be matched one byte at a time. A range is cut where the
 * encoded length changes, then where the leading bytes stop sharing a prefix; each piece is then a
 * product of per-byte ranges (e.g. U+0800..U+FFFF without surrogates is several
 * {@code [E0-EF][80-BF][80-BF]}-like sequences).
 */
final class Utf8Ranges {
    private static final int[] LENGTH_LIMITS = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};

    private Utf8Ranges() {}

    /** Each sequence is {@code [lo0, hi0, lo1, hi1, ...]}: one byte range per position. */
    static List<int[]> sequences(CodePoints set) {
        List<int[]> out = new ArrayList<>();
        int[] r = set.ranges();
        for (int i = 0; i < r.length; i += 2) split(r[i], r[i + 1], out);
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        for (int limit : LENGTH_LIMITS) {
            if (lo <= limit && hi > limit) {
                split(lo, limit, out);
                split(limit + 1, hi, out);
                return;
            }
        }
        int length = encodedLength(lo);
        for (int i = 1; i < length; i++) {
            int mask = (1 << (6 * i)) - 1;
            if ((lo & ~mask) != (hi & ~mask)) {
                if ((lo & mask) != 0) {
                    split(lo, lo | mask, out);
                    split((lo | mask) + 1, hi, out);
                    return;
                }
                if ((hi & mask) != mask) {
                    split(lo, (hi & ~mask) - 1, out);
                    split(hi & ~mask, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo), b = encode(hi);
        int[] seq = new int[2 * length];
        for (int i = 0; i < length; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    static int encodedLength(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static byte[] encode(int cp) {
        return switch (encodedLength(cp)) {
            case 1 -> new byte[] {(byte) cp};
            case 2 -> new byte[] {(byte) (0xC0 | cp >> 6), (byte) (0x80 | cp & 0x3F)};
            case 3 -> new byte[] {(byte) (0xE0 | cp >> 12), (byte) (0x80 | cp >> 6 & 0x3F), (byte) (0x80 | cp & 0x3F)};
            default -> new byte[] {(byte) (0xF0 | cp >> 18), (byte) (0x80 | cp >> 12 & 0x3F),
                    (byte) (0x80 | cp >> 6 & 0x3F), (byte) (0x80 | cp & 0x3F)};
        };
    }
}
