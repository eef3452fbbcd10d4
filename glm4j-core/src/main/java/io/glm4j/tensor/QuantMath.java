package io.glm4j.tensor;

/** The rounding rules and fp16 stores that llama.cpp's quantizers use, shared by glm4j's quantizers. */
final class QuantMath {
    private QuantMath() {}

    /**
     * llama.cpp's {@code nearest_int}: adding 1.5·2^23 makes the float unit round to integers, i.e.
     * round half to even, which is exactly {@link Math#rint} for the values quantizers see.
     */
    static int nearestInt(float x) {
        return (int) Math.rint(x);
    }

    /** C's {@code roundf}: halves round away from zero (Java's {@link Math#round} rounds them up). */
    static int roundHalfAway(float x) {
        int r = Math.round(Math.abs(x));
        return x < 0 ? -r : r;
    }

    /** The value an fp16 field holds after storing {@code x} (round to nearest even). */
    static float toF16AndBack(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** Stores {@code x} as a little-endian fp16 at {@code dst[at]}. */
    static void putF16(byte[] dst, int at, float x) {
        putShort(dst, at, Float.floatToFloat16(x));
    }

    static void putShort(byte[] dst, int at, int v) {
        dst[at] = (byte) v;
        dst[at + 1] = (byte) (v >>> 8);
    }

    static void putInt(byte[] dst, int at, int v) {
        putShort(dst, at, v);
        putShort(dst, at + 2, v >>> 16);
    }
}
