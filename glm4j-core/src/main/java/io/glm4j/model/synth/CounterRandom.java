package io.glm4j.model.synth;

/**
 * Random numbers addressed by position: value {@code i} of stream {@code key} is the SplitMix64
 * output for counter {@code key + i·γ}. Any element of a tensor can be generated on its own, so
 * rows can be produced in parallel and in any chunking and still give the same file.
 */
final class CounterRandom {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final float SQRT3 = (float) Math.sqrt(3);

    private CounterRandom() {}

    /** SplitMix64's finaliser (Stafford variant 13). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The stream key of a named tensor under a seed (FNV-1a of the name, mixed with the seed). */
    static long key(long seed, String name) {
        long h = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        return mix(mix(seed) ^ h);
    }

    static long bits(long key, long index) {
        return mix(key + index * GOLDEN_GAMMA);
    }

    /**
     * A bell-shaped value with mean 0 and standard deviation 1 (the sum of four 16-bit uniforms,
     * rescaled; it lies within ±2√3), from one 64-bit draw.
     */
    static float bell(long key, long index) {
        long r = bits(key, index);
        long sum = (r & 0xFFFF) + (r >>> 16 & 0xFFFF) + (r >>> 32 & 0xFFFF) + (r >>> 48);
        return ((sum + 2) / 65536f - 2f) * SQRT3;
    }
}
